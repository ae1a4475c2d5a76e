"""API rate limits: per token (or signed-in user) and per anonymous address, answered with 429 and
Retry-After.

Counts live in the cache `GUANXI_RATELIMIT_CACHE` ("ratelimit": the database cache table by default, Redis
when configured), which every server process shares. Each limit is a sliding window approximated by two
fixed windows (the previous window's count weighted by how much of it still overlaps), so a client cannot
double its budget at a window boundary, and each check costs one read and one write.

The client's address is REMOTE_ADDR, unless that is a proxy listed in `GUANXI_TRUSTED_PROXIES` (addresses
or networks): then it is the right-most address in X-Forwarded-For that is not a trusted proxy. A forged
X-Forwarded-For sent straight to the server is ignored.

- :class:`ApiRateThrottle` (DEFAULT_THROTTLE_CLASSES) limits authenticated requests, keyed by token, else
  by user.
- :class:`AnonymousRateLimit` (the last DEFAULT_AUTHENTICATION_CLASSES entry) limits requests that no
  authenticator recognised, keyed by address, before any permission check answers them.
- :func:`count_failed_authentication` puts failed token attempts in the same per-address budget.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.throttling import BaseThrottle

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
logger = logging.getLogger(__name__)

DEFAULT_RATE = "1200/min"
DEFAULT_ANON_RATE = "60/min"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """ "100/min" → (100, 60); None or "" or "off" → None (no limit)."""
    if not rate or str(rate).strip().lower() in {"off", "none", "0"}:
        return None
    number, _, period = str(rate).strip().partition("/")
    unit = period.strip().lower()[:1] or "m"
    if unit not in _PERIODS or not number.strip().isdigit():
        raise ValueError(f"invalid rate {rate!r}: use e.g. 100/min, 10/s, 5000/hour")
    return int(number), _PERIODS[unit]


# --- the client's address ------------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _parse_networks(value: str) -> tuple[IPNetwork, ...]:
    networks = []
    for entry in value.split(","):
        entry = entry.strip()
        if entry:
            networks.append(ipaddress.ip_network(entry, strict=False))
    return tuple(networks)


def trusted_proxies() -> tuple[IPNetwork, ...]:
    value = getattr(settings, "GUANXI_TRUSTED_PROXIES", "")
    if isinstance(value, list | tuple):
        value = ",".join(value)
    return _parse_networks(str(value or ""))


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Any, networks: tuple[IPNetwork, ...]) -> bool:
    return address is not None and any(address in n for n in networks if n.version == address.version)


def client_address(request: Any) -> str:
    """The address of the client, believing X-Forwarded-For only as far as trusted proxies wrote it."""
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR", "") or ""
    networks = trusted_proxies()
    if not networks or not _trusted(_ip(remote), networks):
        return remote
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:
            return remote  # garbage from beyond our proxies: fall back to the proxy itself
        if not _trusted(address, networks):
            return str(address)
    return str(_ip(hops[0])) if hops else remote


# --- counting ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds; 0 when allowed


_warned: set[str] = set()


def _warn_once(exc: Exception) -> None:
    text = f"{type(exc).__name__}: {exc}"
    if text not in _warned:
        _warned.add(text)
        logger.warning("API rate limits are off while their cache fails (%s)", text)


def _cache() -> Any:
    return caches[getattr(settings, "GUANXI_RATELIMIT_CACHE", "default")]


def hit(key: str, rate: tuple[int, int] | None, *, now: float | None = None, count: bool = True) -> Verdict:
    """Check (and, if allowed and `count`, count) one request against `rate` for `key`."""
    if rate is None:
        return Verdict(True, 0, 0, 0)
    limit, period = rate
    now = time.time() if now is None else now
    window = int(now // period)
    elapsed = now - window * period
    cache = _cache()
    current_key, previous_key = f"rl:{key}:{period}:{window}", f"rl:{key}:{period}:{window - 1}"
    try:
        values = cache.get_many([current_key, previous_key])
    except Exception as exc:  # noqa: BLE001 - a cache outage (or an unmigrated database) must not stop the API
        _warn_once(exc)
        return Verdict(True, limit, limit, 0)
    current, previous = int(values.get(current_key, 0)), int(values.get(previous_key, 0))
    weight = 1 - elapsed / period
    estimate = current + previous * weight
    if estimate + 1 > limit:
        if current + 1 > limit or previous == 0:
            wait = period - elapsed
        else:
            # The earliest moment when the previous window's weighted share leaves room for one more.
            wait = period * (1 - (limit - 1 - current) / previous) - elapsed
            wait = min(max(wait, 1.0), period - elapsed)
        return Verdict(False, limit, 0, max(1, math.ceil(wait)))
    if count:
        timeout = 2 * period + 1
        try:
            if type(cache).__name__ == "RedisCache":  # atomic across processes, keeps the expiry
                if not cache.add(current_key, 1, timeout=timeout):
                    cache.incr(current_key)
            else:  # read-modify-write: under a race two requests may count once, never a lock-up
                cache.set(current_key, current + 1, timeout=timeout)
        except Exception as exc:  # noqa: BLE001
            _warn_once(exc)
    return Verdict(True, limit, max(0, limit - math.ceil(estimate) - 1), 0)


def user_rate() -> tuple[int, int] | None:
    return parse_rate(getattr(settings, "GUANXI_API_RATE", DEFAULT_RATE))


def anonymous_rate() -> tuple[int, int] | None:
    return parse_rate(getattr(settings, "GUANXI_API_ANON_RATE", DEFAULT_ANON_RATE))


def _throttled(verdict: Verdict) -> exceptions.Throttled:
    return exceptions.Throttled(wait=verdict.retry_after)


class ApiRateThrottle(BaseThrottle):
    """Authenticated requests: one budget per API token, or per user for a browser session."""

    def __init__(self) -> None:
        self.verdict: Verdict | None = None

    @staticmethod
    def key_for(request: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # AnonymousRateLimit has already counted it
        auth = getattr(request, "auth", None)
        token_pk = getattr(auth, "pk", None)
        if token_pk is not None and auth.__class__.__name__ == "ApiToken":
            return f"token:{token_pk}"
        return f"user:{user.pk}"

    def allow_request(self, request: Any, view: Any) -> bool:
        key = self.key_for(request)
        if key is None:
            return True
        self.verdict = hit(key, user_rate())
        return self.verdict.allowed

    def wait(self) -> float | None:
        return float(self.verdict.retry_after) if self.verdict is not None else None


class AnonymousRateLimit(BaseAuthentication):
    """Listed last among the authentication classes: reached only when no credentials were recognised, it
    authenticates nobody but counts the request against its address (429 once over)."""

    def authenticate(self, request: Any) -> None:
        verdict = hit(f"anon:{client_address(request)}", anonymous_rate())
        if not verdict.allowed:
            raise _throttled(verdict)
        return None


def count_failed_authentication(request: Any) -> None:
    """Charge a failed credential to its address's anonymous budget; 429 once it is spent, so keys cannot
    be guessed at speed."""
    verdict = hit(f"anon:{client_address(request)}", anonymous_rate())
    if not verdict.allowed:
        raise _throttled(verdict)
