"""Per-request / per-job context: the id that audit rows carry to tie changes to one request or job."""

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("guanxi_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


@contextmanager
def request_context(request_id: str | None = None) -> Iterator[str]:
    """Bind a request (or job) id for the duration of the block."""
    value = request_id or uuid.uuid4().hex
    token = _request_id.set(value)
    try:
        yield value
    finally:
        _request_id.reset(token)
