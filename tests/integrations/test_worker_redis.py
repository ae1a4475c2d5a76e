"""The webhook delivery path through a real worker on Redis (GUANXI_TASKS=redis): the event is queued in
Redis, a worker claims and delivers it, a failed attempt comes back as a delayed task."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from guanxi.core import tasks_redis
from guanxi.customers.services import company_create
from guanxi.integrations import services
from guanxi.integrations.models import Delivery, DeliveryStatus
from guanxi.integrations.signing import verify

pytestmark = pytest.mark.redis

REDIS_URL = "redis://127.0.0.1:6379/5"


@pytest.fixture
def redis_tasks(settings: Any) -> Iterator[str]:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"guanxi-test-{uuid.uuid4().hex[:8]}"
    settings.TASKS = {
        "default": {
            "BACKEND": "guanxi.core.tasks_redis.RedisBackend",
            "OPTIONS": {"url": REDIS_URL, "prefix": prefix},
        }
    }
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.mark.django_db
def test_a_delivery_goes_through_a_redis_worker_and_is_retried_later(
    redis_tasks, boss, receiver, django_capture_on_commit_callbacks
):
    _webhook, secret = services.webhook_create(actor=boss, url=receiver.url, events=["company.created"])
    receiver.answer(502, 200)
    with django_capture_on_commit_callbacks(execute=True):
        company_create(actor=boss, name="Queued in Redis")
    sent = Delivery.objects.get()
    assert sent.status == DeliveryStatus.PENDING and receiver.requests == []  # queued, not sent
    with mock.patch("guanxi.integrations.delivery.backoff", return_value=datetime.timedelta(seconds=1)):
        assert tasks_redis.run_worker(burst=True) == 1
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.RETRYING and len(receiver.requests) == 1
    backend = tasks_redis.get_backend()
    assert 0 < backend.seconds_until_due("default") <= 1.5  # the retry waits in Redis's delayed set
    import time

    time.sleep(1.2)
    assert tasks_redis.run_worker(burst=True) == 1
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.DELIVERED and sent.attempts == 2
    first, second = receiver.requests
    assert first.headers["x-guanxi-delivery"] == second.headers["x-guanxi-delivery"] == str(sent.delivery_id)
    assert verify(
        secret, second.headers["x-guanxi-timestamp"], second.body, second.headers["x-guanxi-signature"]
    )


@pytest.mark.django_db(transaction=True)
def test_a_separate_worker_process_delivers(redis_tasks, boss, receiver, django_capture_on_commit_callbacks):
    """`guanxi worker --burst` in its own process, sharing the database and Redis (PostgreSQL only: the
    SQLite test database lives in this process's memory)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database another process can open (run with DATABASE_URL=postgres://…)")
    services.webhook_create(actor=boss, url=receiver.url, events=["company.created"])
    company_create(actor=boss, name="Across processes")
    sent = Delivery.objects.get()
    assert sent.status == DeliveryStatus.PENDING
    db = connection.settings_dict
    address = f"{db['HOST']}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{address}/{db['NAME']}",
        "GUANXI_TASKS": "redis",
        "GUANXI_TASKS_PREFIX": redis_tasks,
        "REDIS_URL": REDIS_URL,
        "GUANXI_WEBHOOK_ALLOW": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    done = subprocess.run(
        [sys.executable, "-m", "guanxi.cli", "worker", "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.DELIVERED, (sent.last_error, done.stderr)
    assert [r.json()["object"]["name"] for r in receiver.requests] == ["Across processes"]
