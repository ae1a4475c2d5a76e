"""Fixtures for the outbound-network tests: a fake resolver and real local HTTP(S) servers.

No test here touches real DNS or any host beyond the loopback interface.
"""

from __future__ import annotations

import http.server
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalServer:
    host: str
    port: int
    requests: list[Recorded] = field(default_factory=list)
    sni: list[str | None] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def _make_handler(server_state: LocalServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(
            self, status: int, body: bytes, content_type: str = "application/json", **extra: str
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            server_state.requests.append(
                Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            path = self.path.split("?", 1)[0]
            if path == "/redirect":
                self._send(302, b"moved", "text/plain", Location="/hook-after-redirect")
            elif path == "/big":
                self._send(200, b"x" * (1024 * 1024), "text/plain")
            elif path == "/gbk":
                self._send(201, "已收到，谢谢".encode("gbk"), "text/plain; charset=GBK")
            elif path == "/nul":
                self._send(200, b"a\x00b\xff", "text/plain")
            elif path == "/stall":
                server_state.stop.wait(5)  # never answers within the client's timeout
            elif path == "/drip":
                # Headers at once, then one body byte every 0.1 s: each read is quick, the whole is not.
                self.send_response(200)
                self.send_header("Content-Length", "50")
                self.end_headers()
                for _ in range(50):
                    if server_state.stop.wait(0.1):
                        return
                    self.wfile.write(b".")
                    self.wfile.flush()
            elif path == "/chunked":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for piece in (b'{"received":', b" true}"):
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            elif path == "/garbage":
                self.wfile.write(b"this is not HTTP at all\r\n\r\n")
                self.close_connection = True
            else:
                self._send(200, b'{"ok":true}')

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


def _serve(
    host: str, context: ssl.SSLContext | None = None, family: int = socket.AF_INET
) -> Iterator[LocalServer]:
    state = LocalServer(host=host, port=0)
    server_class = _Server6 if family == socket.AF_INET6 else _Server
    server = server_class((host, 0), _make_handler(state))
    if context is not None:
        context.sni_callback = lambda sslsock, name, ctx: state.sni.append(name)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    yield from _serve("127.0.0.1")


@pytest.fixture
def http_server6() -> Iterator[LocalServer]:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        probe = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("no IPv6 loopback")
    yield from _serve("::1", family=socket.AF_INET6)


@dataclass(frozen=True)
class TestPKI:
    ca: Path
    cert: Path
    key: Path


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    """A throw-away CA and a server certificate for hooks.guanxi.test and 127.0.0.1."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl command not available")
    d = tmp_path_factory.mktemp("pki")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=d, check=True, capture_output=True)

    run(
        "req",
        "-x509",
        *ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=Guanxi Test CA",
        "-days",
        "2",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    (d / "ext.cnf").write_text(
        "subjectAltName=DNS:hooks.guanxi.test,IP:127.0.0.1\n"
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    run("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=hooks.guanxi.test")
    run(
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    )
    return TestPKI(ca=d / "ca.pem", cert=d / "leaf.pem", key=d / "leaf.key")


@pytest.fixture
def https_server(pki: TestPKI) -> Iterator[LocalServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.cert, pki.key)
    yield from _serve("127.0.0.1", context)


@pytest.fixture
def client_tls(pki: TestPKI) -> ssl.SSLContext:
    """A verifying client context that trusts only the test CA."""
    context = ssl.create_default_context(cafile=str(pki.ca))
    return context


@pytest.fixture
def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port
