"""A small HTTP client for outbound webhooks that cannot be turned against the network.

:func:`post_json` checks the URL with :func:`guanxi.integrations.netguard.check_url`, then
connects to the *checked* IP addresses itself (no second DNS lookup, so no DNS-rebinding
window), sends the original host name in ``Host`` and, for https, as TLS SNI with the
certificate verified against that name. It never follows redirects, never uses proxies from
the environment, enforces one overall deadline for connecting, sending and reading, and reads
at most ``max_response_bytes`` of the response body.

Failures raise :class:`DeliveryError` whose ``kind`` says what went wrong, so the webhook app
can decide whether to retry.

Pure Python, standard library only, no Django import.
"""

from __future__ import annotations

import codecs
import enum
import functools
import http.client
import io
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, cast

from guanxi.integrations.netguard import (
    AllowList,
    HostNotFound,
    IPAddress,
    Resolver,
    Target,
    UnsafeURL,
    check_url,
)

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "DeliveryError",
    "DeliveryErrorKind",
    "Response",
    "post_json",
]

DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024
DEFAULT_USER_AGENT: Final = "Guanxi-Webhooks/1"

# Set by the client itself; a caller may not override them.
_RESERVED_HEADERS: Final = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_TOKEN_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_BAD_VALUE_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_CHARSET_RE = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
# Response charsets we decode with; anything else is read as UTF-8 (with replacement).
_DECODABLE: Final = frozenset(
    {"utf-8", "ascii", "latin-1", "iso8859-1", "cp1252", "gbk", "gb2312", "gb18030", "big5"}
    | {"shift_jis", "euc_jp", "euc_kr", "utf-16", "utf-16-le", "utf-16-be"}
)


class DeliveryErrorKind(enum.StrEnum):
    UNSAFE_URL = "unsafe_url"  # the URL was refused by the guard; retrying will not help
    DNS = "dns"  # the host name did not resolve
    TIMEOUT = "timeout"
    CONNECTION_REFUSED = "connection_refused"
    CONNECTION = "connection_error"  # unreachable, reset, closed early
    TLS = "tls_error"  # handshake failed or certificate did not verify
    PROTOCOL = "protocol_error"  # the server's answer was not valid HTTP


class DeliveryError(Exception):
    """A delivery could not be made; ``kind`` classifies it, ``str()`` explains it."""

    def __init__(self, kind: DeliveryErrorKind, message: str, *, address: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.address = address

    @property
    def retryable(self) -> bool:
        """False only when the URL itself is refused; everything else may succeed later."""
        return self.kind is not DeliveryErrorKind.UNSAFE_URL


@dataclass(frozen=True, slots=True)
class Response:
    """What the receiver answered. Any status is a response; 3xx are not followed."""

    status: int
    reason: str
    headers: Mapping[str, str]  # lower-case names; repeated headers joined with ", "
    body_excerpt: str  # at most max_response_bytes of the body, decoded with replacement
    truncated: bool  # the body was longer than max_response_bytes
    duration_ms: int  # from the start of post_json (DNS lookup included) to the end of reading
    address: str  # the IP address that answered

    @property
    def ok(self) -> bool:
        return 200 <= self.status <= 299


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class _DeadlineExceeded(TimeoutError):
    pass


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise _DeadlineExceeded("deadline exceeded")
        return left


class _DeadlineReader(io.RawIOBase):
    """Raw reader over a socket; before every read the timeout is set to the time left."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        self._sock.settimeout(self._deadline.remaining())
        return self._sock.recv_into(buffer)


class _ResponseSocket:
    """The one method http.client.HTTPResponse needs from a socket: makefile()."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


def _build_request(target: Target, body: bytes, headers: Mapping[str, str]) -> bytes:
    lines = [f"POST {target.path} HTTP/1.1", f"Host: {target.host_header}"]
    names = set()
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN_RE.match(name):
            raise ValueError(f"invalid header name {name!r}")
        if name.lower() in _RESERVED_HEADERS:
            raise ValueError(f"header {name} is set by the client and cannot be overridden")
        if not isinstance(value, str) or _BAD_VALUE_RE.search(value):
            raise ValueError(f"invalid value for header {name}")
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise ValueError(f"header {name} must be Latin-1 text") from None
        names.add(name.lower())
        lines.append(f"{name}: {value.strip()}")
    if "content-type" not in names:
        lines.append("Content-Type: application/json")
    if "user-agent" not in names:
        lines.append(f"User-Agent: {DEFAULT_USER_AGENT}")
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


def _connect(
    target: Target, address: IPAddress, deadline: _Deadline, connect_timeout: float, context: ssl.SSLContext
) -> socket.socket:
    """A connected (and for https, TLS-verified) socket to ``address``; no name lookup."""
    if address.version == 4:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sockaddr: tuple[str, int] | tuple[str, int, int, int] = (str(address), target.port)
    else:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        scope = address.scope_id
        if not scope:
            scope_index = 0
        elif scope.isdigit():
            scope_index = int(scope)
        else:
            scope_index = socket.if_nametoindex(scope)
        sockaddr = (str(ipaddress.IPv6Address(int(address))), target.port, 0, scope_index)
    try:
        sock.settimeout(connect_timeout)
        sock.connect(sockaddr)
        if target.is_https:
            sock.settimeout(deadline.remaining())
            sock = context.wrap_socket(sock, server_hostname=target.host)
    except BaseException:
        sock.close()
        raise
    return sock


def _classify_connect_error(exc: BaseException, target: Target, address: str) -> DeliveryError:
    where = f"{target.host} ({address})" if target.host != address else address
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or exc.reason or str(exc)
        return DeliveryError(
            DeliveryErrorKind.TLS, f"TLS certificate of {where} did not verify: {detail}", address=address
        )
    if isinstance(exc, ssl.SSLError):
        detail = exc.reason or str(exc)
        return DeliveryError(
            DeliveryErrorKind.TLS, f"TLS handshake with {where} failed: {detail}", address=address
        )
    if isinstance(exc, TimeoutError):
        return DeliveryError(DeliveryErrorKind.TIMEOUT, f"connecting to {where} timed out", address=address)
    if isinstance(exc, ConnectionRefusedError):
        return DeliveryError(
            DeliveryErrorKind.CONNECTION_REFUSED,
            f"{where} refused the connection on port {target.port}",
            address=address,
        )
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return DeliveryError(
        DeliveryErrorKind.CONNECTION, f"could not connect to {where}: {detail}", address=address
    )


def _decode(data: bytes, content_type: str) -> str:
    encoding = "utf-8"
    match = _CHARSET_RE.search(content_type)
    if match:
        try:
            name = codecs.lookup(match.group(1)).name
        except LookupError:
            name = "utf-8"
        if name in _DECODABLE:
            encoding = name
    text = data.decode(encoding, errors="replace")
    return text.replace("\x00", "\ufffd")  # PostgreSQL text columns cannot hold NUL


def _exchange(
    sock: socket.socket, request: bytes, deadline: _Deadline, max_response_bytes: int
) -> tuple[int, str, dict[str, str], bytes, bool]:
    sock.settimeout(deadline.remaining())
    sock.sendall(request)
    response = http.client.HTTPResponse(cast(socket.socket, _ResponseSocket(sock, deadline)), method="POST")
    try:
        response.begin()
        headers: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        chunks: list[bytes] = []
        received = 0
        while received <= max_response_bytes:
            try:
                chunk = response.read1(max_response_bytes + 1 - received)
            except http.client.IncompleteRead as exc:
                chunks.append(exc.partial)
                received += len(exc.partial)
                break
            if not chunk:
                break
            chunks.append(chunk)
            received += len(chunk)
        data = b"".join(chunks)
        return (
            response.status,
            response.reason,
            headers,
            data[:max_response_bytes],
            len(data) > max_response_bytes,
        )
    finally:
        response.close()


def post_json(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    allow: AllowList,
    timeout: float = DEFAULT_TIMEOUT,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    resolve: Resolver = socket.getaddrinfo,
    ssl_context: ssl.SSLContext | None = None,
) -> Response:
    """POST ``body`` to ``url`` and return the receiver's response, whatever its status.

    ``timeout`` is the overall budget in seconds for connecting (all addresses), the TLS
    handshake, sending and reading the response; the DNS lookup is not included. Addresses are
    tried in the resolver's order, each given an equal share of the time left; once a request
    has been sent to one address, no other is tried (so a delivery is never sent twice).
    ``headers`` may not set Host, Content-Length, Transfer-Encoding or Connection (ValueError).
    ``ssl_context`` must verify certificates and host names; the default trusts the system CAs.
    """
    if not isinstance(body, bytes):
        raise TypeError("body must be bytes")
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    if max_response_bytes < 0:
        raise ValueError("max_response_bytes must not be negative")
    context = ssl_context or _default_ssl_context()
    if context.verify_mode != ssl.CERT_REQUIRED or not context.check_hostname:
        raise ValueError("ssl_context must verify certificates and host names")

    started = time.monotonic()
    try:
        target = check_url(url, allow=allow, resolve=resolve)
    except HostNotFound as exc:
        raise DeliveryError(DeliveryErrorKind.DNS, exc.reason) from exc
    except UnsafeURL as exc:
        raise DeliveryError(DeliveryErrorKind.UNSAFE_URL, exc.reason) from exc
    request = _build_request(target, body, headers)

    deadline = _Deadline(timeout)
    failures: list[DeliveryError] = []
    for index, address in enumerate(target.addresses):
        address_text = str(address)
        try:
            share = deadline.remaining() / (len(target.addresses) - index)
            sock = _connect(target, address, deadline, share, context)
        except (OSError, ssl.SSLError) as exc:  # TimeoutError and ConnectionError are OSErrors
            failures.append(_classify_connect_error(exc, target, address_text))
            if isinstance(exc, _DeadlineExceeded):
                break
            continue
        try:
            status, reason, response_headers, data, truncated = _exchange(
                sock, request, deadline, max_response_bytes
            )
        except TimeoutError as exc:
            raise DeliveryError(
                DeliveryErrorKind.TIMEOUT,
                f"no complete response from {target.host} ({address_text}) within {timeout:g} s",
                address=address_text,
            ) from exc
        except ssl.SSLError as exc:
            raise DeliveryError(
                DeliveryErrorKind.TLS,
                f"TLS error talking to {target.host}: {exc.reason or exc}",
                address=address_text,
            ) from exc
        except http.client.RemoteDisconnected as exc:
            raise DeliveryError(
                DeliveryErrorKind.CONNECTION,
                f"{target.host} ({address_text}) closed the connection without responding",
                address=address_text,
            ) from exc
        except http.client.HTTPException as exc:
            raise DeliveryError(
                DeliveryErrorKind.PROTOCOL,
                f"{target.host} ({address_text}) sent an invalid HTTP response: {type(exc).__name__}",
                address=address_text,
            ) from exc
        except OSError as exc:
            raise DeliveryError(
                DeliveryErrorKind.CONNECTION,
                f"connection to {target.host} ({address_text}) failed: {exc.strerror or exc}",
                address=address_text,
            ) from exc
        finally:
            sock.close()
        return Response(
            status=status,
            reason=reason,
            headers=response_headers,
            body_excerpt=_decode(data, response_headers.get("content-type", "")),
            truncated=truncated,
            duration_ms=round((time.monotonic() - started) * 1000),
            address=address_text,
        )

    if not failures:  # the deadline ran out before the first attempt
        raise DeliveryError(DeliveryErrorKind.TIMEOUT, f"connecting to {target.host} timed out")
    if len(failures) == 1:
        raise failures[0]
    summary = "; ".join(f.message for f in failures)
    last = failures[-1]
    raise DeliveryError(
        last.kind, f"could not connect to any address of {target.host}: {summary}", address=last.address
    )
