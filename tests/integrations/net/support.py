"""Helpers shared by the outbound-network tests (imported, not fixtures)."""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from typing import Any


class FakeResolver:
    """Stands in for socket.getaddrinfo: answers from a table and counts the calls.

    A table value is either a list of addresses, or a list of such lists: the n-th call for
    that name gets the n-th list (the last one repeats), which models a DNS-rebinding server.
    """

    def __init__(self, table: dict[str, Sequence[Any]] | None = None) -> None:
        self.table = dict(table or {})
        self.calls: list[tuple[str, int]] = []

    def __call__(
        self, host: str, port: int, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> list[tuple[Any, ...]]:
        self.calls.append((host, port))
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers = self.table[host]
        if answers and not isinstance(answers[0], str):
            seen = sum(1 for h, _ in self.calls if h == host)
            answers = answers[min(seen, len(answers)) - 1]
        result: list[tuple[Any, ...]] = []
        for address in answers:
            if ":" in address:
                result.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                result.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return result


def no_dns(*args: object, **kwargs: object) -> list[tuple[Any, ...]]:
    raise AssertionError(f"no DNS lookup expected, got {args!r}")


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.monotonic() - self.start
