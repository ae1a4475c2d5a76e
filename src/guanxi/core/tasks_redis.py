"""A Redis backend for Django's Tasks API (`django.tasks`), for several application and worker machines.

    TASKS = {"default": {"BACKEND": "guanxi.core.tasks_redis.RedisBackend",
                         "OPTIONS": {"url": "redis://127.0.0.1:6379/0"}}}

`guanxi worker` (GUANXI_TASKS=redis) runs :func:`run_worker`. Semantics:

- **Reliable**: a worker claims a task atomically (a Lua script moves it from the ready set to a processing
  set with a lease) and keeps the lease alive while the task runs. A task whose worker died (lease expired)
  goes back to the ready set and runs again: delivery is at least once, never lost.
- **Delayed runs** (`task.using(run_after=…)`, used for back-off) wait in a sorted set by time and become
  ready when due; **priorities** order the ready set (higher first, then first in, first out).
- **Results** are kept as hashes (`get_result()` works from any process) for `RESULT_TTL` seconds after the
  task finished.

Enqueue after your transaction commits (`transaction.on_commit`), as with any queue outside the database.
Keys: `<prefix>:result:<id>`, `<prefix>:ready:<queue>`, `<prefix>:delayed:<queue>`,
`<prefix>:processing:<queue>`, `<prefix>:wake:<queue>`, `<prefix>:seq`.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import signal
import socket
import threading
import time
import traceback
from typing import Any

from django.db import connections
from django.tasks import task_backends
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import (
    DEFAULT_TASK_QUEUE_NAME,
    TASK_MAX_PRIORITY,
    Task,
    TaskContext,
    TaskError,
    TaskResult,
    TaskResultStatus,
)
from django.tasks.exceptions import InvalidTaskBackend, TaskResultDoesNotExist
from django.tasks.signals import task_enqueued, task_finished, task_started
from django.utils.crypto import get_random_string
from django.utils.json import normalize_json
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_URL = "redis://127.0.0.1:6379/0"
DEFAULT_PREFIX = "guanxi:tasks"
DEFAULT_RESULT_TTL = 7 * 24 * 3600
DEFAULT_LEASE = 60.0  # seconds a claim lasts without a heartbeat
_SEQ_SPAN = 1e12  # enqueue sequence numbers per priority band in the ready set's scores

# Claim one task: move due delayed tasks and expired leases back to the ready set, then pop the best ready
# task into the processing set with a lease. Atomic, so two workers never claim the same task.
# KEYS: ready, delayed, processing.  ARGV: now, lease_until, result key prefix.
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, id in ipairs(due) do
  local score = redis.call('HGET', ARGV[3] .. id, 'ready_score')
  redis.call('ZREM', KEYS[2], id)
  if score then redis.call('ZADD', KEYS[1], score, id) end
end
local lost = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, id in ipairs(lost) do
  local score = redis.call('HGET', ARGV[3] .. id, 'ready_score')
  redis.call('ZREM', KEYS[3], id)
  if score then
    redis.call('ZADD', KEYS[1], score, id)
    redis.call('HSET', ARGV[3] .. id, 'status', 'READY')
  end
end
local popped = redis.call('ZPOPMIN', KEYS[1], 1)
if #popped == 0 then return false end
local id = popped[1]
if redis.call('EXISTS', ARGV[3] .. id) == 0 then return false end
redis.call('ZADD', KEYS[3], ARGV[2], id)
redis.call('HSET', ARGV[3] .. id, 'status', 'RUNNING')
return id
"""

# Extend a lease only while the task is still claimed (it may have been reclaimed after a long pause).
_RENEW = """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[1])
  return 1
end
return 0
"""


def _iso(value: datetime.datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _parse_time(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text) if text else None


def _tidy_connections() -> None:
    """Between tasks, drop database connections that are broken or past CONN_MAX_AGE (as Django does
    between requests) — but never one inside a transaction (a worker run inside a test or a command)."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class RedisBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True
    supports_priority = True
    supports_async_task = True

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.url = self.options.get("url") or self.options.get("URL") or DEFAULT_URL
        self.prefix = f"{self.options.get('prefix', DEFAULT_PREFIX)}:{alias}"
        self.result_ttl = int(self.options.get("result_ttl", DEFAULT_RESULT_TTL))
        self.lease = float(self.options.get("lease", DEFAULT_LEASE))
        self._client: Any = None
        self._client_pid = 0

    # --- connection and keys -----------------------------------------------------------------------
    @property
    def client(self) -> Any:
        if self._client is None or self._client_pid != os.getpid():  # a forked process needs its own pool
            import redis

            self._client = redis.Redis.from_url(self.url, decode_responses=True, health_check_interval=30)
            self._client_pid = os.getpid()
        return self._client

    def key(self, kind: str, name: str = "") -> str:
        return f"{self.prefix}:{kind}:{name}" if name else f"{self.prefix}:{kind}"

    def result_key(self, result_id: str) -> str:
        return self.key("result", result_id)

    # --- enqueue and results -----------------------------------------------------------------------
    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        result_id = get_random_string(32)
        now = _now()
        client = self.client
        sequence = int(client.incr(self.key("seq"))) % int(_SEQ_SPAN)
        ready_score = (TASK_MAX_PRIORITY - task.priority) * _SEQ_SPAN + sequence
        payload = {
            "task": task.module_path,
            "queue": task.queue_name,
            "priority": str(task.priority),
            "run_after": _iso(task.run_after),
            "takes_context": "1" if task.takes_context else "0",
            "args": json.dumps(normalize_json(list(args))),
            "kwargs": json.dumps(normalize_json(dict(kwargs))),
            "status": TaskResultStatus.READY.value,
            "enqueued_at": _iso(now),
            "ready_score": repr(ready_score),
            "worker_ids": "[]",
            "errors": "[]",
        }
        pipe = client.pipeline(transaction=True)
        pipe.hset(self.result_key(result_id), mapping=payload)
        if task.run_after is not None and task.run_after > now:
            pipe.zadd(self.key("delayed", task.queue_name), {result_id: task.run_after.timestamp()})
        else:
            pipe.zadd(self.key("ready", task.queue_name), {result_id: ready_score})
        pipe.lpush(self.key("wake", task.queue_name), "1")
        pipe.ltrim(self.key("wake", task.queue_name), 0, 99)
        pipe.execute()
        result = self._to_result(result_id, payload, task=task)
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> TaskResult:
        data = self.client.hgetall(self.result_key(result_id))
        if not data:
            raise TaskResultDoesNotExist(result_id)
        return self._to_result(result_id, data)

    def _to_result(self, result_id: str, data: dict[str, str], task: Task | None = None) -> TaskResult:
        if task is None:
            try:
                base = import_string(data["task"])
            except (ImportError, AttributeError) as exc:
                raise TaskResultDoesNotExist(f"{result_id}: unknown task {data.get('task')!r}") from exc
            task = base.using(
                priority=int(data.get("priority") or 0),
                queue_name=data.get("queue") or DEFAULT_TASK_QUEUE_NAME,
                run_after=_parse_time(data.get("run_after")),
                backend=self.alias,
            )
        errors = [TaskError(**e) for e in json.loads(data.get("errors") or "[]")]
        result: TaskResult = TaskResult(
            task=task,
            id=result_id,
            status=TaskResultStatus(data.get("status") or TaskResultStatus.READY),
            enqueued_at=_parse_time(data.get("enqueued_at")),
            started_at=_parse_time(data.get("started_at")),
            finished_at=_parse_time(data.get("finished_at")),
            last_attempted_at=_parse_time(data.get("last_attempted_at")),
            args=json.loads(data.get("args") or "[]"),
            kwargs=json.loads(data.get("kwargs") or "{}"),
            backend=self.alias,
            errors=errors,
            worker_ids=json.loads(data.get("worker_ids") or "[]"),
        )
        if "return_value" in data:
            object.__setattr__(result, "_return_value", json.loads(data["return_value"]))
        return result

    # --- the worker side ---------------------------------------------------------------------------
    def claim(self, queue: str) -> str | None:
        now = time.time()
        claimed = self.client.eval(
            _CLAIM,
            3,
            self.key("ready", queue),
            self.key("delayed", queue),
            self.key("processing", queue),
            now,
            now + self.lease,
            f"{self.prefix}:result:",
        )
        return claimed or None

    def renew(self, queue: str, result_id: str) -> bool:
        lease_until = time.time() + self.lease
        return bool(self.client.eval(_RENEW, 1, self.key("processing", queue), result_id, lease_until))

    def seconds_until_due(self, queue: str) -> float | None:
        """Seconds until the next delayed task is due (0 if one is), None when nothing waits."""
        first = self.client.zrange(self.key("delayed", queue), 0, 0, withscores=True)
        if not first:
            return None
        return max(0.0, float(first[0][1]) - time.time())

    def pending(self, queue: str) -> int:
        client = self.client
        return int(
            client.zcard(self.key("ready", queue))
            + client.zcard(self.key("delayed", queue))
            + client.zcard(self.key("processing", queue))
        )

    def wait(self, queue: str, timeout: float) -> None:
        self.client.blpop([self.key("wake", queue)], timeout=max(0.05, timeout))

    def execute(self, queue: str, result_id: str, worker_id: str) -> TaskResult | None:
        """Run one claimed task and store its outcome; None if its record is gone."""
        key = self.result_key(result_id)
        client = self.client
        data = client.hgetall(key)
        if not data:
            client.zrem(self.key("processing", queue), result_id)
            return None
        started = _now()
        worker_ids = [*json.loads(data.get("worker_ids") or "[]"), worker_id]
        client.hset(
            key,
            mapping={
                "status": TaskResultStatus.RUNNING.value,
                "started_at": data.get("started_at") or _iso(started),
                "last_attempted_at": _iso(started),
                "worker_ids": json.dumps(worker_ids),
            },
        )
        data = client.hgetall(key)
        try:
            result = self._to_result(result_id, data)
        except TaskResultDoesNotExist as exc:
            self._finish(queue, result_id, TaskResultStatus.FAILED, error=exc)
            logger.error("task %s cannot run: %s", result_id, exc)
            return None
        task_started.send(type(self), task_result=result)
        stop_heartbeat = threading.Event()
        heartbeat = threading.Thread(
            target=self._heartbeat, args=(queue, result_id, stop_heartbeat), daemon=True
        )
        heartbeat.start()
        _tidy_connections()
        try:
            if result.task.takes_context:
                value = result.task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            else:
                value = result.task.call(*result.args, **result.kwargs)
            value = normalize_json(value)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - a task's failure is recorded, the worker goes on
            self._finish(queue, result_id, TaskResultStatus.FAILED, error=exc)
        else:
            self._finish(queue, result_id, TaskResultStatus.SUCCESSFUL, value=value)
        finally:
            stop_heartbeat.set()
            heartbeat.join(5)
            _tidy_connections()
        finished = self.get_result(result_id)
        task_finished.send(type(self), task_result=finished)
        return finished

    def _heartbeat(self, queue: str, result_id: str, stop: threading.Event) -> None:
        while not stop.wait(self.lease / 3):
            try:
                self.renew(queue, result_id)
            except Exception:
                logger.warning("could not renew the lease of task %s", result_id, exc_info=True)

    def _finish(
        self,
        queue: str,
        result_id: str,
        status: TaskResultStatus,
        *,
        value: Any = None,
        error: BaseException | None = None,
    ) -> None:
        key = self.result_key(result_id)
        mapping = {"status": status.value, "finished_at": _iso(_now())}
        if status is TaskResultStatus.SUCCESSFUL:
            mapping["return_value"] = json.dumps(value)
        if error is not None:
            errors = json.loads(self.client.hget(key, "errors") or "[]")
            errors.append(
                {
                    "exception_class_path": f"{type(error).__module__}.{type(error).__qualname__}",
                    "traceback": "".join(traceback.format_exception(error)),
                }
            )
            mapping["errors"] = json.dumps(errors)
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(key, mapping=mapping)
        pipe.expire(key, self.result_ttl)
        pipe.zrem(self.key("processing", queue), result_id)
        pipe.execute()


class Worker:
    """Claims and runs tasks of one queue until stopped (or, in burst mode, until none is ready)."""

    def __init__(
        self, backend: RedisBackend, queue: str, *, burst: bool = False, max_tasks: int | None = None
    ):
        self.backend = backend
        self.queue = queue
        self.burst = burst
        self.max_tasks = max_tasks
        self.running = True
        self.done = 0
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{get_random_string(6)}"

    def stop(self, *args: Any) -> None:
        self.running = False

    def run(self) -> int:
        logger.info("worker %s on queue %r (%s)", self.worker_id, self.queue, self.backend.url)
        while self.running:
            result_id = self.backend.claim(self.queue)
            if result_id is None:
                if self.burst:
                    break
                due = self.backend.seconds_until_due(self.queue)
                self.backend.wait(self.queue, min(1.0, due) if due is not None else 1.0)
                continue
            self.backend.execute(self.queue, result_id, self.worker_id)
            self.done += 1
            if self.max_tasks is not None and self.done >= self.max_tasks:
                break
        return self.done


def get_backend(alias: str = "default") -> RedisBackend:
    backend = task_backends[alias]
    if not isinstance(backend, RedisBackend):
        raise InvalidTaskBackend(f"task backend {alias!r} is not the Redis backend")
    return backend


def run_worker(
    queue: str = DEFAULT_TASK_QUEUE_NAME,
    burst: bool = False,
    *,
    alias: str = "default",
    max_tasks: int | None = None,
    install_signals: bool = True,
) -> int:
    """Run a worker in this process; returns how many tasks it ran. SIGTERM/SIGINT finish the current
    task and stop."""
    worker = Worker(get_backend(alias), queue, burst=burst, max_tasks=max_tasks)
    previous: dict[signal.Signals, Any] = {}
    if install_signals and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, worker.stop)
    try:
        return worker.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
