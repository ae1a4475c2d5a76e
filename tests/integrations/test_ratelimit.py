"""Rate limits: per token and per anonymous address, 429 with Retry-After, a forged X-Forwarded-For does
not reset them unless the proxy is trusted, counted in a cache every server process shares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from rest_framework.test import APIClient

from guanxi.core import throttling

pytestmark = pytest.mark.django_db

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-test"}


@pytest.fixture
def limits(settings: Any) -> Iterator[Any]:
    settings.CACHES = {**settings.CACHES, "ratelimit": LOCMEM}
    settings.GUANXI_RATELIMIT_CACHE = "ratelimit"
    settings.GUANXI_API_RATE = "5/min"
    settings.GUANXI_API_ANON_RATE = "3/min"
    caches["ratelimit"].clear()
    yield settings
    caches["ratelimit"].clear()


def hammer(client: APIClient, times: int, path: str = "/api/v1/companies/", **extra: Any) -> list[Any]:
    return [client.get(path, **extra) for _ in range(times)]


def test_each_token_has_its_own_budget_and_gets_429_with_retry_after(limits, boss, token_client):
    first, second = token_client(boss), token_client(boss)
    responses = hammer(first, 6)
    assert [r.status_code for r in responses] == [200] * 5 + [429]
    retry_after = int(responses[-1]["Retry-After"])
    assert 1 <= retry_after <= 60
    assert "detail" in responses[-1].json()
    assert second.get("/api/v1/companies/").status_code == 200  # another token, another budget


def test_a_signed_in_user_has_a_budget_too(limits, boss):
    client = APIClient()
    client.force_login(boss)
    assert [r.status_code for r in hammer(client, 6)] == [200] * 5 + [429]


def test_anonymous_requests_are_limited_per_address_and_a_forged_forwarded_for_changes_nothing(limits):
    client = APIClient()
    codes = [
        client.get(
            "/api/v1/companies/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}"
        ).status_code
        for i in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    assert client.get("/api/v1/companies/", REMOTE_ADDR="198.51.100.8").status_code == 401  # another address


def test_behind_a_trusted_proxy_the_forwarded_address_counts(limits):
    limits.GUANXI_TRUSTED_PROXIES = "10.0.0.0/8"
    client = APIClient()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    one = [
        client.get("/api/v1/companies/", HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).status_code
        for _ in range(4)
    ]
    assert one == [401, 401, 401, 429]
    # A client behind the proxy cannot escape by prepending a forged address: the right-most untrusted
    # address is the one the proxy saw.
    forged = client.get("/api/v1/companies/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.1", **proxy)
    assert forged.status_code == 429
    assert client.get("/api/v1/companies/", HTTP_X_FORWARDED_FOR="203.0.113.2", **proxy).status_code == 401


def test_failed_keys_spend_the_address_budget(limits, boss, token_client):
    guesser = APIClient()
    guesser.credentials(HTTP_AUTHORIZATION="Token gx_wrong")
    assert [r.status_code for r in hammer(guesser, 4, REMOTE_ADDR="198.51.100.9")] == [401, 401, 401, 429]
    assert guesser.get("/api/v1/companies/", REMOTE_ADDR="198.51.100.10").status_code == 401


def test_client_address_parsing(settings):
    class Request:
        def __init__(self, remote: str, forwarded: str = "") -> None:
            self.META = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}

    settings.GUANXI_TRUSTED_PROXIES = ""
    assert throttling.client_address(Request("192.0.2.1", "203.0.113.5")) == "192.0.2.1"
    settings.GUANXI_TRUSTED_PROXIES = "192.0.2.0/24, ::1"
    assert throttling.client_address(Request("192.0.2.1", "203.0.113.5")) == "203.0.113.5"
    assert throttling.client_address(Request("192.0.2.1", "203.0.113.5, 192.0.2.9")) == "203.0.113.5"
    assert throttling.client_address(Request("::1", "[2001:db8::5]:4711")) == "2001:db8::5"
    assert throttling.client_address(Request("192.0.2.1", "garbage")) == "192.0.2.1"
    assert throttling.client_address(Request("198.51.100.1", "203.0.113.5")) == "198.51.100.1"


def test_the_window_slides(limits):
    rate = (10, 60)
    start = 6000.0  # the start of a window
    assert all(throttling.hit("k", rate, now=start + i).allowed for i in range(10))
    assert not throttling.hit("k", rate, now=start + 30).allowed
    # Early in the next window the previous one still weighs: no doubling at the boundary.
    verdict = throttling.hit("k", rate, now=start + 61)
    assert not verdict.allowed and verdict.retry_after >= 1
    assert throttling.hit("k", rate, now=start + 61 + verdict.retry_after).allowed


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_counts_are_shared_through_the_database_or_redis(limits, backend, boss, token_client):
    if backend == "database":
        limits.CACHES = {
            **limits.CACHES,
            "ratelimit": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "guanxi_cache_test",
            },
        }
        call_command("createcachetable", verbosity=0)
    else:
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url("redis://127.0.0.1:6379/6").ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("no Redis on 127.0.0.1:6379")
        limits.CACHES = {
            **limits.CACHES,
            "ratelimit": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/6",
                "KEY_PREFIX": "guanxi-test",
            },
        }
    caches["ratelimit"].clear()
    client = token_client(boss)
    assert [r.status_code for r in hammer(client, 6)] == [200] * 5 + [429]
    # Another "process" (a fresh connection to the same cache) sees the same count.
    caches["ratelimit"].close()
    assert client.get("/api/v1/companies/").status_code == 429
    caches["ratelimit"].clear()
