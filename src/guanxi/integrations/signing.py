"""Webhook signatures: HMAC-SHA256 over ``"<timestamp>." + body``.

Every delivery carries ``X-Guanxi-Timestamp`` (Unix seconds) and ``X-Guanxi-Signature``
(``sha256=<hex>``). The key is the endpoint's secret exactly as shown to the administrator,
``whsec_`` prefix included, encoded as UTF-8. Binding the timestamp into the MAC lets a receiver
refuse replays of an old delivery (see ``docs/webhooks-verify.md``).

While a secret is being rotated, the header may hold several signatures separated by commas,
one per secret; a receiver accepts the delivery when any of them verifies.

Pure Python, standard library only, no Django import.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Iterable
from typing import Final

__all__ = [
    "CONTENT_TYPE",
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SECRET_PREFIX",
    "SIGNATURE_HEADER",
    "SIGNATURE_PREFIX",
    "TIMESTAMP_HEADER",
    "USER_AGENT",
    "new_secret",
    "sign",
    "verify",
    "webhook_headers",
]

SIGNATURE_HEADER: Final = "X-Guanxi-Signature"
TIMESTAMP_HEADER: Final = "X-Guanxi-Timestamp"
DELIVERY_HEADER: Final = "X-Guanxi-Delivery"
EVENT_HEADER: Final = "X-Guanxi-Event"
CONTENT_TYPE: Final = "application/json"
USER_AGENT: Final = "Guanxi-Webhooks/1"
SECRET_PREFIX: Final = "whsec_"  # noqa: S105 - a prefix, not a secret
SIGNATURE_PREFIX: Final = "sha256="
DEFAULT_TOLERANCE_SECONDS: Final = 300

_TIMESTAMP_RE = re.compile(r"^[0-9]{1,15}$")
# Header-safe token for delivery ids and event names: visible ASCII, no separators that matter.
_HEADER_TOKEN_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,200}$")


def _check_timestamp(timestamp: int) -> int:
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise TypeError("timestamp must be an int (Unix seconds)")
    if timestamp < 0:
        raise ValueError("timestamp must not be negative")
    return timestamp


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    if not isinstance(secret, str) or not secret:
        raise ValueError("the signing secret must be a non-empty string")
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError("body must be bytes")
    message = f"{timestamp}.".encode("ascii") + bytes(body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return ``sha256=<hex>``, the HMAC-SHA256 of ``f"{timestamp}.".encode() + body``."""
    return SIGNATURE_PREFIX + _mac(secret, _check_timestamp(timestamp), body)


def _parse_timestamp(timestamp: int | str) -> int | None:
    if isinstance(timestamp, bool):
        return None
    if isinstance(timestamp, int):
        return timestamp if timestamp >= 0 else None
    if isinstance(timestamp, str):
        text = timestamp.strip()
        return int(text) if _TIMESTAMP_RE.match(text) else None
    return None


def verify(
    secret: str,
    timestamp: int | str,
    body: bytes,
    signature: str,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when ``signature`` is a valid signature of ``body`` at ``timestamp``.

    ``timestamp`` may be the raw ``X-Guanxi-Timestamp`` header text. It must lie within
    ``tolerance_seconds`` of ``now`` (either side, to allow for clock skew); older deliveries
    are refused as possible replays. ``signature`` may be the raw ``X-Guanxi-Signature`` header,
    holding one or more comma-separated ``sha256=<hex>`` values. Comparison is constant-time.
    Malformed input returns False rather than raising.
    """
    ts = _parse_timestamp(timestamp)
    if ts is None or not isinstance(signature, str) or not isinstance(secret, str) or not secret:
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance_seconds:
        return False
    try:
        expected = (SIGNATURE_PREFIX + _mac(secret, ts, body)).encode("ascii")
    except TypeError:
        return False
    matched = False
    for candidate in signature.split(","):
        value = candidate.strip().lower().encode("utf-8", errors="replace")
        # No early exit: every candidate is compared, each in constant time.
        matched |= hmac.compare_digest(value, expected)
    return matched


def _header_token(name: str, value: object) -> str:
    text = str(value)
    if not _HEADER_TOKEN_RE.match(text):
        raise ValueError(f"{name} must be 1-200 characters of A-Z a-z 0-9 . _ : -, got {text!r}")
    return text


def webhook_headers(
    secret: str,
    body: bytes,
    *,
    delivery_id: object,
    event: str,
    now: float | None = None,
    extra_secrets: Iterable[str] = (),
) -> dict[str, str]:
    """Headers for one delivery of ``body``, signed with ``secret``.

    ``delivery_id`` (typically a UUID) identifies the delivery so that a receiver can
    de-duplicate retries; ``event`` is the event name (``deal.stage_changed``). During secret
    rotation pass the other active secrets as ``extra_secrets``: the signature header then
    carries one signature per secret, the primary first.
    """
    timestamp = int(time.time() if now is None else now)
    signatures = [sign(secret, timestamp, body)]
    signatures += [sign(extra, timestamp, body) for extra in extra_secrets]
    return {
        "Content-Type": CONTENT_TYPE,
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: ",".join(signatures),
        DELIVERY_HEADER: _header_token("delivery_id", delivery_id),
        EVENT_HEADER: _header_token("event", event),
    }


def new_secret() -> str:
    """A fresh endpoint secret: ``whsec_`` followed by 32 random bytes, URL-safe base64."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)
