"""http.post_json against real servers on the loopback interface."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator

import pytest

from guanxi.integrations.http import DeliveryError, DeliveryErrorKind, Response, post_json
from guanxi.integrations.netguard import AllowList, parse_allow_list
from guanxi.integrations.signing import verify, webhook_headers

from .conftest import LocalServer
from .support import FakeResolver, Stopwatch

HOOK = "hooks.guanxi.test"
LOCAL = parse_allow_list("127.0.0.0/8")
SECRET = "whsec_c2VjcmV0LWZvci10ZXN0cw"


def resolver_to(*addresses: str) -> FakeResolver:
    return FakeResolver({HOOK: list(addresses)})


def post(
    server: LocalServer, path: str, *, allow: AllowList = LOCAL, scheme: str = "http", **kwargs: object
) -> Response:
    kwargs.setdefault("resolve", resolver_to("127.0.0.1"))
    return post_json(f"{scheme}://{HOOK}:{server.port}{path}", b"{}", {}, allow=allow, **kwargs)  # type: ignore[arg-type]


def test_signed_delivery_reaches_local_server_and_verifies(http_server: LocalServer) -> None:
    body = json.dumps(
        {"event": "deal.won", "deal": {"id": 7, "name": "年度合同"}}, ensure_ascii=False
    ).encode()
    headers = webhook_headers(
        SECRET, body, delivery_id="9d1c1d2e-1111-4a4a-8b8b-0123456789ab", event="deal.won"
    )
    resolver = resolver_to("127.0.0.1")

    response = post_json(
        f"http://{HOOK}:{http_server.port}/hook?source=guanxi", body, headers, allow=LOCAL, resolve=resolver
    )

    assert response.status == 200
    assert response.ok is True
    assert response.reason == "OK"
    assert response.body_excerpt == '{"ok":true}'
    assert response.truncated is False
    assert response.address == "127.0.0.1"
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == "11"
    assert 0 <= response.duration_ms < 5000
    assert resolver.calls == [(HOOK, http_server.port)]

    [received] = http_server.requests
    assert received.method == "POST"
    assert received.path == "/hook?source=guanxi"
    assert received.body == body
    assert received.headers["host"] == f"{HOOK}:{http_server.port}"
    assert received.headers["content-type"] == "application/json"
    assert received.headers["content-length"] == str(len(body))
    assert received.headers["user-agent"] == "Guanxi-Webhooks/1"
    assert received.headers["x-guanxi-event"] == "deal.won"
    assert received.headers["x-guanxi-delivery"] == "9d1c1d2e-1111-4a4a-8b8b-0123456789ab"
    assert received.headers["connection"] == "close"
    # The receiver's side of the contract: the signature verifies over what arrived.
    assert verify(
        SECRET, received.headers["x-guanxi-timestamp"], received.body, received.headers["x-guanxi-signature"]
    )
    assert not verify(
        SECRET,
        received.headers["x-guanxi-timestamp"],
        received.body + b" ",
        received.headers["x-guanxi-signature"],
    )


def test_loopback_refused_without_allow_list_and_nothing_sent(http_server: LocalServer) -> None:
    with pytest.raises(DeliveryError) as caught:
        post(http_server, "/hook", allow=AllowList())
    assert caught.value.kind is DeliveryErrorKind.UNSAFE_URL
    assert str(caught.value) == f"{HOOK} resolves to a loopback address 127.0.0.1"
    assert caught.value.retryable is False
    assert http_server.requests == []


def test_ip_literal_url_refused_without_allow_list(http_server: LocalServer) -> None:
    with pytest.raises(DeliveryError) as caught:
        post_json(f"http://0x7f000001:{http_server.port}/hook", b"{}", {}, allow=AllowList())
    assert caught.value.kind is DeliveryErrorKind.UNSAFE_URL
    assert str(caught.value) == "the address 127.0.0.1 is a loopback address"
    assert http_server.requests == []


def test_redirect_is_returned_not_followed(http_server: LocalServer) -> None:
    response = post(http_server, "/redirect")
    assert response.status == 302
    assert response.ok is False
    assert response.headers["location"] == "/hook-after-redirect"
    assert response.body_excerpt == "moved"
    assert [r.path for r in http_server.requests] == ["/redirect"]


def test_overall_timeout_when_server_never_answers(http_server: LocalServer) -> None:
    with Stopwatch() as watch, pytest.raises(DeliveryError) as caught:
        post(http_server, "/stall", timeout=0.5)
    assert caught.value.kind is DeliveryErrorKind.TIMEOUT
    assert str(caught.value) == f"no complete response from {HOOK} (127.0.0.1) within 0.5 s"
    assert caught.value.retryable is True
    assert 0.45 <= watch.seconds < 2.0


def test_timeout_is_a_deadline_not_per_read(http_server: LocalServer) -> None:
    # The server sends a byte every 0.1 s for 5 s: no single read waits 0.6 s, the whole does.
    with Stopwatch() as watch, pytest.raises(DeliveryError) as caught:
        post(http_server, "/drip", timeout=0.6)
    assert caught.value.kind is DeliveryErrorKind.TIMEOUT
    assert 0.55 <= watch.seconds < 2.0


def test_response_body_capped(http_server: LocalServer) -> None:
    response = post(http_server, "/big", max_response_bytes=1000)
    assert response.status == 200
    assert response.body_excerpt == "x" * 1000
    assert response.truncated is True
    assert response.headers["content-length"] == str(1024 * 1024)


def test_default_cap_is_64_kib(http_server: LocalServer) -> None:
    response = post(http_server, "/big")
    assert len(response.body_excerpt) == 65536
    assert response.truncated is True


def test_chunked_response_read(http_server: LocalServer) -> None:
    response = post(http_server, "/chunked")
    assert response.body_excerpt == '{"received": true}'
    assert response.truncated is False


def test_response_charset_and_nul_bytes_decoded_safely(http_server: LocalServer) -> None:
    gbk = post(http_server, "/gbk")
    assert (gbk.status, gbk.body_excerpt) == (201, "已收到，谢谢")
    nul = post(http_server, "/nul")
    assert nul.body_excerpt == "a\ufffdb\ufffd"


def test_connects_to_checked_address_without_second_lookup(
    http_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A rebinding DNS server: public-and-allowed first, then something else on every later query.
    resolver = FakeResolver({HOOK: [["127.0.0.1"], ["10.9.9.9"]]})

    def no_lookup(*args: object, **kwargs: object) -> None:
        raise AssertionError("post_json must not resolve names after the check")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    monkeypatch.setattr(socket, "create_connection", no_lookup)

    response = post(http_server, "/hook", resolve=resolver)

    assert response.status == 200
    assert response.address == "127.0.0.1"
    assert resolver.calls == [(HOOK, http_server.port)]
    assert len(http_server.requests) == 1
    # What a second lookup would have returned really is different:
    assert resolver(HOOK, 80)[0][4][0] == "10.9.9.9"


def test_addresses_tried_in_order_until_one_connects(http_server: LocalServer) -> None:
    # Nothing listens on 127.0.0.2 at the server's port, so that attempt is refused.
    response = post(http_server, "/hook", resolve=resolver_to("127.0.0.2", "127.0.0.1"))
    assert response.status == 200
    assert response.address == "127.0.0.1"
    assert len(http_server.requests) == 1


def test_connection_refused(closed_port: int) -> None:
    with pytest.raises(DeliveryError) as caught:
        post_json(f"http://{HOOK}:{closed_port}/", b"{}", {}, allow=LOCAL, resolve=resolver_to("127.0.0.1"))
    assert caught.value.kind is DeliveryErrorKind.CONNECTION_REFUSED
    assert str(caught.value) == f"{HOOK} (127.0.0.1) refused the connection on port {closed_port}"
    assert caught.value.address == "127.0.0.1"


def test_all_addresses_refused_reports_each(closed_port: int) -> None:
    with pytest.raises(DeliveryError) as caught:
        post_json(
            f"http://{HOOK}:{closed_port}/",
            b"{}",
            {},
            allow=LOCAL,
            resolve=resolver_to("127.0.0.2", "127.0.0.3"),
        )
    assert caught.value.kind is DeliveryErrorKind.CONNECTION_REFUSED
    assert str(caught.value) == (
        f"could not connect to any address of {HOOK}: "
        f"{HOOK} (127.0.0.2) refused the connection on port {closed_port}; "
        f"{HOOK} (127.0.0.3) refused the connection on port {closed_port}"
    )


def test_dns_failure_is_its_own_kind() -> None:
    with pytest.raises(DeliveryError) as caught:
        post_json("https://nowhere.guanxi.test/", b"{}", {}, allow=LOCAL, resolve=FakeResolver())
    assert caught.value.kind is DeliveryErrorKind.DNS
    assert str(caught.value) == "could not resolve nowhere.guanxi.test: Name or service not known"
    assert caught.value.retryable is True


def test_invalid_http_response_is_protocol_error(http_server: LocalServer) -> None:
    with pytest.raises(DeliveryError) as caught:
        post(http_server, "/garbage")
    assert caught.value.kind is DeliveryErrorKind.PROTOCOL


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts a connection, reads the request and closes without answering."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port
    listener.close()
    thread.join(2)


def test_server_closing_without_response(silent_server: int) -> None:
    with pytest.raises(DeliveryError) as caught:
        post_json(f"http://{HOOK}:{silent_server}/", b"{}", {}, allow=LOCAL, resolve=resolver_to("127.0.0.1"))
    assert caught.value.kind is DeliveryErrorKind.CONNECTION
    assert str(caught.value) == f"{HOOK} (127.0.0.1) closed the connection without responding"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Host": "intranet"}, "header Host is set by the client"),
        ({"content-length": "0"}, "header content-length is set by the client"),
        ({"Transfer-Encoding": "chunked"}, "header Transfer-Encoding is set by the client"),
        ({"X-Ok": "a\r\nX-Injected: 1"}, "invalid value for header X-Ok"),
        ({"X Bad": "1"}, "invalid header name 'X Bad'"),
        ({"X-Name": "张三"}, "header X-Name must be Latin-1 text"),
    ],
)
def test_unsafe_request_headers_refused(
    http_server: LocalServer, headers: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        post_json(
            f"http://{HOOK}:{http_server.port}/",
            b"{}",
            headers,
            allow=LOCAL,
            resolve=resolver_to("127.0.0.1"),
        )
    assert http_server.requests == []


def test_custom_headers_sent(http_server: LocalServer) -> None:
    post_json(
        f"http://{HOOK}:{http_server.port}/",
        b"[]",
        {"Authorization": "Bearer t0k", "Content-Type": "application/vnd.guanxi+json"},
        allow=LOCAL,
        resolve=resolver_to("127.0.0.1"),
    )
    [received] = http_server.requests
    assert received.headers["authorization"] == "Bearer t0k"
    assert received.headers["content-type"] == "application/vnd.guanxi+json"
    assert received.body == b"[]"


def test_ipv6_literal_host_header(http_server6: LocalServer) -> None:
    response = post_json(f"http://[::1]:{http_server6.port}/v6", b"{}", {}, allow=parse_allow_list("::1"))
    assert response.status == 200
    assert response.address == "::1"
    assert http_server6.requests[0].headers["host"] == f"[::1]:{http_server6.port}"


# --- TLS -----------------------------------------------------------------------------------


def test_https_verifies_certificate_for_host_name_while_connecting_to_checked_ip(
    https_server: LocalServer, client_tls: ssl.SSLContext
) -> None:
    response = post(https_server, "/secure", scheme="https", ssl_context=client_tls)
    assert response.status == 200
    assert response.address == "127.0.0.1"
    assert https_server.sni == [HOOK]
    assert https_server.requests[0].headers["host"] == f"{HOOK}:{https_server.port}"


def test_https_to_ip_literal_checks_ip_in_certificate_without_sni(
    https_server: LocalServer, client_tls: ssl.SSLContext
) -> None:
    response = post_json(
        f"https://127.0.0.1:{https_server.port}/", b"{}", {}, allow=LOCAL, ssl_context=client_tls
    )
    assert response.status == 200
    assert https_server.sni == [None]


def test_https_certificate_for_other_name_refused(
    https_server: LocalServer, client_tls: ssl.SSLContext
) -> None:
    with pytest.raises(DeliveryError) as caught:
        post_json(
            f"https://other.guanxi.test:{https_server.port}/",
            b"{}",
            {},
            allow=LOCAL,
            resolve=FakeResolver({"other.guanxi.test": ["127.0.0.1"]}),
            ssl_context=client_tls,
        )
    assert caught.value.kind is DeliveryErrorKind.TLS
    assert str(caught.value).startswith("TLS certificate of other.guanxi.test (127.0.0.1) did not verify: ")
    assert "Hostname mismatch" in str(caught.value)
    assert https_server.requests == []


def test_https_untrusted_certificate_refused_by_default(https_server: LocalServer) -> None:
    with pytest.raises(DeliveryError) as caught:
        post(https_server, "/", scheme="https")
    assert caught.value.kind is DeliveryErrorKind.TLS
    assert "unable to get local issuer certificate" in str(caught.value)
    assert https_server.requests == []


def test_https_to_plain_http_server_is_tls_error(
    http_server: LocalServer, client_tls: ssl.SSLContext
) -> None:
    with pytest.raises(DeliveryError) as caught:
        post(http_server, "/", scheme="https", ssl_context=client_tls, timeout=2)
    assert caught.value.kind is DeliveryErrorKind.TLS


def test_non_verifying_tls_context_refused() -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    with pytest.raises(ValueError, match="must verify certificates and host names"):
        post_json("https://example.com/", b"{}", {}, allow=LOCAL, ssl_context=context)


def test_body_must_be_bytes() -> None:
    with pytest.raises(TypeError):
        post_json("https://example.com/", "{}", {}, allow=LOCAL)  # type: ignore[arg-type]
