"""signing: known-answer vectors, the replay window, tamper detection, header set."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid

import pytest

from guanxi.integrations.signing import new_secret, sign, verify, webhook_headers

# Vectors computed outside Python with:
#   { printf '%s.' TIMESTAMP; cat body; } | openssl dgst -sha256 -hmac SECRET -r
KNOWN_ANSWERS = [
    (
        "whsec_test",
        1700000000,
        b'{"a":1}',
        "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789",
    ),
    (
        "whsec_Zm9vYmFy-_密钥",
        1735689600,
        '{"event":"deal.won","name":"张三"}'.encode(),
        "69161837e43ed6b74f81c8994456bbfb2c76160978df2918554d7d96623d3de4",
    ),
    ("k", 0, b"", "6b4a4b8b3c40f1e8f53a3d36682e5f99f7ad2ac1df1c93dfe336f329167641e7"),
]


@pytest.mark.parametrize(("secret", "timestamp", "body", "hexdigest"), KNOWN_ANSWERS)
def test_sign_matches_openssl_vectors(secret: str, timestamp: int, body: bytes, hexdigest: str) -> None:
    assert sign(secret, timestamp, body) == f"sha256={hexdigest}"


@pytest.mark.parametrize(("secret", "timestamp", "body", "hexdigest"), KNOWN_ANSWERS)
def test_sign_matches_hmac_computed_here(secret: str, timestamp: int, body: bytes, hexdigest: str) -> None:
    expected = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    assert expected == hexdigest
    assert sign(secret, timestamp, body) == "sha256=" + expected


def test_signature_depends_on_every_input() -> None:
    base = sign("whsec_a", 1700000000, b"{}")
    assert sign("whsec_b", 1700000000, b"{}") != base
    assert sign("whsec_a", 1700000001, b"{}") != base
    assert sign("whsec_a", 1700000000, b"{ }") != base


def test_sign_rejects_bad_timestamps() -> None:
    with pytest.raises(TypeError):
        sign("whsec_a", True, b"{}")
    with pytest.raises(TypeError):
        sign("whsec_a", "1700000000", b"{}")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        sign("whsec_a", -1, b"{}")
    with pytest.raises(ValueError, match="secret"):
        sign("", 1, b"{}")


SECRET = "whsec_test"
TS = 1700000000
BODY = b'{"a":1}'
SIG = "sha256=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"


@pytest.mark.parametrize("now", [TS, TS + 1, TS + 299, TS + 300, TS - 300, TS + 0.5])
def test_verify_accepts_within_window(now: float) -> None:
    assert verify(SECRET, TS, BODY, SIG, now=now) is True


@pytest.mark.parametrize("now", [TS + 301, TS + 86400, TS - 301])
def test_verify_rejects_old_or_far_future_timestamps(now: float) -> None:
    assert verify(SECRET, TS, BODY, SIG, now=now) is False


def test_verify_custom_tolerance() -> None:
    assert verify(SECRET, TS, BODY, SIG, now=TS + 30, tolerance_seconds=60) is True
    assert verify(SECRET, TS, BODY, SIG, now=TS + 61, tolerance_seconds=60) is False


def test_verify_uses_current_time_by_default() -> None:
    assert verify(SECRET, TS, BODY, SIG) is False  # 2023 is long past
    import time

    now = int(time.time())
    assert verify(SECRET, now, BODY, sign(SECRET, now, BODY)) is True


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "signature"),
    [
        (SECRET, TS, b'{"a":2}', SIG),  # altered body
        (SECRET, TS, BODY + b" ", SIG),  # one byte appended
        (SECRET, TS + 1, BODY, SIG),  # timestamp moved
        ("whsec_other", TS, BODY, SIG),  # wrong secret
        (SECRET, TS, BODY, SIG[7:]),  # no "sha256=" prefix
        (SECRET, TS, BODY, "sha1=" + SIG[7:]),
        (SECRET, TS, BODY, SIG[:-1]),  # truncated
        (SECRET, TS, BODY, ""),
        (SECRET, TS, BODY, "sha256=密钥"),  # non-ASCII does not crash
        (SECRET, "17e8", BODY, SIG),  # malformed timestamp header
        (SECRET, "-1700000000", BODY, SIG),
        (SECRET, True, BODY, SIG),
        ("", TS, BODY, SIG),
    ],
)
def test_verify_rejects_tampering_and_malformed_input(
    secret: str, timestamp: int | str, body: bytes, signature: str
) -> None:
    assert verify(secret, timestamp, body, signature, now=TS) is False


def test_verify_accepts_header_text_and_uppercase_hex() -> None:
    assert verify(SECRET, " 1700000000 ", BODY, SIG, now=TS) is True
    assert verify(SECRET, str(TS), BODY, "sha256=" + SIG[7:].upper(), now=TS) is True


def test_verify_accepts_any_of_several_signatures() -> None:
    other = sign("whsec_new", TS, BODY)
    assert verify(SECRET, TS, BODY, f"{other}, {SIG}", now=TS) is True
    assert verify("whsec_new", TS, BODY, f"{other},{SIG}", now=TS) is True
    assert verify("whsec_third", TS, BODY, f"{other},{SIG}", now=TS) is False


def test_webhook_headers_exact_values() -> None:
    delivery = uuid.UUID("0b7c1f0e-58a4-4b8e-9d7e-2f1c3a4b5c6d")
    headers = webhook_headers(SECRET, BODY, delivery_id=delivery, event="deal.stage_changed", now=TS + 0.9)
    assert headers == {
        "Content-Type": "application/json",
        "User-Agent": "Guanxi-Webhooks/1",
        "X-Guanxi-Timestamp": "1700000000",
        "X-Guanxi-Signature": SIG,
        "X-Guanxi-Delivery": "0b7c1f0e-58a4-4b8e-9d7e-2f1c3a4b5c6d",
        "X-Guanxi-Event": "deal.stage_changed",
    }
    assert verify(SECRET, headers["X-Guanxi-Timestamp"], BODY, headers["X-Guanxi-Signature"], now=TS + 5)


def test_webhook_headers_sign_with_extra_secrets_for_rotation() -> None:
    headers = webhook_headers(
        "whsec_new", BODY, delivery_id="d1", event="contact.created", now=TS, extra_secrets=[SECRET]
    )
    assert headers["X-Guanxi-Signature"] == f"{sign('whsec_new', TS, BODY)},{SIG}"
    for secret in ("whsec_new", SECRET):
        assert verify(secret, TS, BODY, headers["X-Guanxi-Signature"], now=TS)


@pytest.mark.parametrize(
    ("delivery_id", "event"),
    [
        ("d1\r\nX-Evil: 1", "deal.won"),
        ("d1", "deal.won\nX: y"),
        ("", "deal.won"),
        ("d1", "deal won"),
        ("d1", ""),
    ],
)
def test_webhook_headers_refuse_header_injection(delivery_id: str, event: str) -> None:
    with pytest.raises(ValueError):
        webhook_headers(SECRET, BODY, delivery_id=delivery_id, event=event, now=TS)


def test_new_secret_shape_and_uniqueness() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{43}", secret), secret
