"""The Redis backend for Django's Tasks API: enqueue, run in a worker, results, delays, priorities, and
recovery of tasks whose worker died. Needs Redis on 127.0.0.1:6379 (database 5)."""

from __future__ import annotations

import datetime
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.tasks import TaskResultStatus, task
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from guanxi.core import tasks_redis

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

REDIS_URL = "redis://127.0.0.1:6379/5"
calls: list[Any] = []


@task
def add(a: int, b: int) -> int:
    calls.append(("add", a, b))
    return a + b


@task(priority=0)
def record(label: str) -> str:
    calls.append(label)
    return label


@task
def explode() -> None:
    raise ValueError("boom")


@task(takes_context=True)
def attempt_number(context: Any) -> int:
    return int(context.attempt)


@pytest.fixture
def backend(settings: Any) -> Iterator[tasks_redis.RedisBackend]:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"guanxi-test-{uuid.uuid4().hex[:8]}"
    settings.TASKS = {
        "default": {
            "BACKEND": "guanxi.core.tasks_redis.RedisBackend",
            "OPTIONS": {"url": REDIS_URL, "prefix": prefix, "lease": 2},
        }
    }
    calls.clear()
    instance = tasks_redis.get_backend()
    yield instance
    client = instance.client
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_a_task_runs_in_the_worker_and_its_result_is_kept(backend):
    result = add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY and calls == []
    assert tasks_redis.run_worker(burst=True) == 1
    assert calls == [("add", 2, 3)]
    done = add.get_result(result.id)
    assert done.status == TaskResultStatus.SUCCESSFUL and done.return_value == 5
    assert done.attempts == 1 and done.started_at and done.finished_at
    result.refresh()
    assert result.return_value == 5
    with pytest.raises(TaskResultDoesNotExist):
        backend.get_result("nope")


def test_a_failure_is_recorded_and_the_worker_goes_on(backend):
    failing = explode.enqueue()
    fine = add.enqueue(1, 1)
    assert tasks_redis.run_worker(burst=True) == 2
    failed = explode.get_result(failing.id)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.errors[0].exception_class is ValueError and "boom" in failed.errors[0].traceback
    assert add.get_result(fine.id).return_value == 2


def test_delayed_tasks_wait_until_due(backend):
    soon = timezone.now() + datetime.timedelta(seconds=1.5)
    delayed = record.using(run_after=soon).enqueue("later")
    record.enqueue("now")
    assert tasks_redis.run_worker(burst=True) == 1
    assert calls == ["now"]
    assert backend.seconds_until_due("default") > 0
    time.sleep(1.6)
    assert tasks_redis.run_worker(burst=True) == 1
    assert calls == ["now", "later"]
    assert record.get_result(delayed.id).status == TaskResultStatus.SUCCESSFUL


def test_higher_priority_first_then_first_in_first_out(backend):
    record.enqueue("low-1")
    record.using(priority=10).enqueue("high")
    record.enqueue("low-2")
    tasks_redis.run_worker(burst=True)
    assert calls == ["high", "low-1", "low-2"]


def test_a_task_whose_worker_died_runs_again(backend):
    result = attempt_number.enqueue()
    claimed = backend.claim("default")
    assert claimed == result.id
    # The worker dies here: no heartbeat, no result. Another worker cannot take it during the lease …
    assert backend.claim("default") is None
    time.sleep(2.1)
    # … and takes it once the lease has run out.
    assert tasks_redis.run_worker(burst=True) == 1
    again = attempt_number.get_result(result.id)
    assert again.status == TaskResultStatus.SUCCESSFUL and again.return_value == 1


def test_a_running_task_keeps_its_lease_with_a_heartbeat(backend):
    result = record.enqueue("slow")
    claimed = backend.claim("default")
    stop = threading.Event()
    beat = threading.Thread(target=backend._heartbeat, args=("default", claimed, stop), daemon=True)
    beat.start()
    time.sleep(3)  # longer than the 2 s lease
    assert backend.claim("default") is None  # still leased: nobody else runs it
    stop.set()
    beat.join()
    backend.execute("default", claimed, "w1")
    assert record.get_result(result.id).status == TaskResultStatus.SUCCESSFUL
    assert calls == ["slow"]


def test_the_worker_command_uses_this_backend(backend):
    from django.core.management import call_command

    add.enqueue(20, 22)
    call_command("worker", "--burst")
    assert calls == [("add", 20, 22)]
