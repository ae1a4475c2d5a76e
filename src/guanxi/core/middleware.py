import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import request_context

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or accept a sane X-Request-ID) for audit rows and logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        with request_context(request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
