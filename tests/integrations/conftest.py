"""Fixtures for the integrations tests: a webhook receiver on the loopback interface (allowed through
GUANXI_WEBHOOK_ALLOW), administrators, API clients with tokens."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from rest_framework.test import APIClient

from guanxi.core.testing import make_team, make_user


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next status in `statuses` (the last one repeats)."""

    port: int = 0
    statuses: list[int] = field(default_factory=lambda: [204])
    requests: list[Received] = field(default_factory=list)
    stall: threading.Event = field(default_factory=threading.Event)
    slow: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def answer(self, *statuses: int) -> None:
        self.statuses = list(statuses)


def _handler(state: Receiver) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            if state.slow:
                state.stall.wait(5)
                return
            status = state.statuses[min(len(state.requests), len(state.statuses)) - 1]
            reply = b'{"ok":true}' if status < 300 else b'{"error":"nope"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.GUANXI_WEBHOOK_ALLOW = "127.0.0.1"
    settings.GUANXI_WEBHOOK_TIMEOUT = 2
    state = Receiver()
    server = _Server(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stall.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def boss(db: Any) -> Any:
    from guanxi.users.models import Role

    return make_user(
        "boss", role=Role.objects.get(code="administrator"), team=make_team("HQ"), email="boss@example.com"
    )


@pytest.fixture
def token_client(db: Any) -> Any:
    """`token_client(user, scopes=[...], read_only=False)` → an APIClient sending that new token."""
    from guanxi.users.services import token_create

    def build(user: Any, **options: Any) -> APIClient:
        _token, key = token_create(actor=user, user=user, **options)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        client.key = key  # type: ignore[attr-defined]
        return client

    return build
