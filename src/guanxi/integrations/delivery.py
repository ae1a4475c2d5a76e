"""Webhook delivery: from a committed event to signed HTTP requests, retried with back-off.

1. :func:`on_event` (subscribed to `guanxi.core.events`, so it runs only after the write committed) finds
   the subscriptions that want the event, builds the JSON body once (the record serialised with its type's
   API serializer) and stores one :class:`Delivery` per subscription, then queues a background task for each.
2. :func:`attempt` (the task) claims the delivery, checks the URL again (netguard, no DNS rebinding), signs
   and POSTs it, and logs the attempt. A timeout, a connection error or a non-2xx answer is retried after an
   exponentially growing delay (`GUANXI_WEBHOOK_RETRIES` retries spread over `GUANXI_WEBHOOK_RETRY_HOURS`);
   then the delivery is failed. `GUANXI_WEBHOOK_PAUSE_AFTER` failed deliveries in a row pause the
   subscription and tell the administrators.
3. :func:`retry_due` re-queues deliveries whose time has come when the task backend cannot run tasks later
   (the immediate backend) or a worker died mid-attempt; `guanxi webhooks retry` runs it.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import json
import logging
import random
import socket
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _g

from guanxi.core.events import Event
from guanxi.core.models import ExternalRef
from guanxi.core.registry import ObjectType, registry

from .http import DeliveryError, DeliveryErrorKind, post_json
from .models import Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from .netguard import AllowList, HostNotFound, UnsafeURL, check_url, parse_allow_list
from .signing import webhook_headers

logger = logging.getLogger(__name__)

resolve = socket.getaddrinfo  # the one name lookup for a check and its connection (patched in tests)
CLAIM_SLACK = datetime.timedelta(seconds=5)  # a deferred task may start a little early on another machine
STUCK_AFTER = datetime.timedelta(minutes=10)  # a claim older than this was lost with its worker
EXCERPT_CHARS = 2000


# --- settings ---------------------------------------------------------------------------------------
def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def retries() -> int:
    return max(0, int(_setting("GUANXI_WEBHOOK_RETRIES", 8)))


def retry_window() -> datetime.timedelta:
    return datetime.timedelta(hours=float(_setting("GUANXI_WEBHOOK_RETRY_HOURS", 24)))


def pause_after() -> int:
    return max(1, int(_setting("GUANXI_WEBHOOK_PAUSE_AFTER", 3)))


def timeout() -> float:
    return float(_setting("GUANXI_WEBHOOK_TIMEOUT", 10))


@functools.lru_cache(maxsize=8)
def _parse_allow(value: str) -> AllowList:
    return parse_allow_list(value)


def allow_list() -> AllowList:
    """`GUANXI_WEBHOOK_ALLOW`: comma-separated host names and networks opened for intranet receivers."""
    value = _setting("GUANXI_WEBHOOK_ALLOW", "")
    if isinstance(value, list | tuple):
        value = ",".join(value)
    return _parse_allow(str(value or ""))


def backoff(retry_number: int, *, jitter: bool = True) -> datetime.timedelta:
    """The wait before retry `retry_number` (1-based): doubling delays whose sum is the retry window."""
    count = max(1, retries())
    share = 2 ** (retry_number - 1) / (2**count - 1)
    seconds = max(30.0, retry_window().total_seconds() * share)
    if jitter:
        seconds *= random.uniform(0.9, 1.1)
    return datetime.timedelta(seconds=seconds)


def schedule() -> list[datetime.timedelta]:
    """The retry delays without jitter (for the documentation and the settings page)."""
    return [backoff(n, jitter=False) for n in range(1, retries() + 1)]


# --- checking a destination ------------------------------------------------------------------------
def check_destination(url: str) -> str | None:
    """Raise ValidationError({"url": …}) if the URL points inside the network (or is not http/https).
    Returns a warning when the host does not resolve now: it is accepted, and checked again at every
    delivery."""
    try:
        check_url(url, allow=allow_list(), resolve=resolve)
    except HostNotFound as exc:
        return exc.reason
    except UnsafeURL as exc:
        raise ValidationError(
            {"url": [_g("This address is not allowed: %(reason)s.") % {"reason": exc.reason}]}
        ) from None
    return None


# --- from an event to deliveries --------------------------------------------------------------------
_MISSING = object()


def _attribute(event: Event, instance: Any, key: str) -> Any:
    for source in (event.extra, event.data):
        if key in source:
            return source[key]
    if instance is not None and hasattr(instance, f"{key}_id"):
        return getattr(instance, f"{key}_id")
    return _MISSING


def matches(webhook: Webhook, event: Event, instance: Any) -> bool:
    if event.name not in (webhook.events or []):
        return False
    if webhook.object_types and event.object_type not in webhook.object_types:
        return False
    for key, wanted in (("pipeline", webhook.pipelines), ("team", webhook.teams)):
        if not wanted:
            continue
        value = _attribute(event, instance, key)
        if value is _MISSING:
            continue  # the filter concerns records that have this attribute
        if value is None or int(value) not in {int(v) for v in wanted}:
            return False
    return True


def _load_instance(object_type: ObjectType | None, event: Event) -> Any:
    if object_type is None or event.object_id is None or event.name.endswith(".deleted"):
        return None
    queryset = object_type.model._default_manager.filter(pk=event.object_id)
    if object_type.select_related:
        queryset = queryset.select_related(*object_type.select_related)
    prefetch = [*object_type.prefetch_related, *(["tags"] if object_type.has_tags else [])]
    if prefetch:
        queryset = queryset.prefetch_related(*prefetch)
    return queryset.first()


def _from_snapshot(object_type: ObjectType, event: Event) -> models.Model:
    """An unsaved instance carrying a deleted record's last state, to serialise it like a live one."""
    instance = object_type.model()
    for field in object_type.model._meta.concrete_fields:
        if field.name in event.data:
            value = event.data[field.name]
            if not field.is_relation:
                with contextlib.suppress(ValidationError):
                    value = field.to_python(value)
            setattr(instance, field.attname, value)
    custom = {k[3:]: v for k, v in event.data.items() if k.startswith("cf_")}
    if hasattr(instance, "custom_field_data"):
        instance.custom_field_data = custom
    instance.pk = event.object_id
    return instance


def serialize_object(object_type: ObjectType | None, event: Event, instance: Any) -> Any:
    """The record as the API shows it; for a deletion, its last state. Falls back to the audit snapshot."""
    fallback = {"id": event.object_id, **event.data}
    if object_type is None or not object_type.serializer:
        return fallback
    try:
        if instance is None:
            if not event.name.endswith(".deleted"):
                return fallback
            instance = _from_snapshot(object_type, event)
            data = dict(object_type.serializer_class(instance, context={"request": None}).data)
            if "tags" in event.data and "tags" in data:
                data["tags"] = event.data["tags"]
            return data
        return dict(object_type.serializer_class(instance, context={"request": None}).data)
    except Exception:
        logger.warning(
            "could not serialise %s %s for a webhook", event.object_type, event.object_id, exc_info=True
        )
        return fallback


def _external_ids(event: Event) -> dict[str, str]:
    """The record's ids in other systems ({"erp": "C-1001"}), so that receivers can match it."""
    if not isinstance(event.object_id, int):
        return {}
    refs = ExternalRef.objects.filter(object_type=event.object_type, object_id=event.object_id)
    return dict(refs.order_by("system").values_list("system", "external_id"))


def build_body(event: Event, object_type: ObjectType | None, instance: Any) -> bytes:
    payload: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "event": event.name,
        "time": event.time,
        "actor": {"id": event.actor_id, "username": event.actor_name} if event.actor_id else None,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object": serialize_object(object_type, event, instance),
        "external_ids": event.extra.get("external_ids") or _external_ids(event),
    }
    if event.changes is not None:
        old, new = event.changes
        payload["changes"] = {key: {"old": old.get(key), "new": new.get(key)} for key in sorted(new)}
    record_event = event.name.rsplit(".", 1)[-1] in ("created", "updated", "deleted")
    extra = {k: v for k, v in event.extra.items() if k != "external_ids"}
    if not record_event or extra:
        # A domain event's own facts (the stages of a stage change …); a record event's data is `object`.
        payload["data"] = {**({} if record_event else event.data), **extra}
    if event.request_id:
        payload["request_id"] = event.request_id
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


def on_event(event: Event) -> None:
    """Subscriber: queue a delivery to every subscription that wants this (committed) event."""
    queue_deliveries(event)


def queue_deliveries(event: Event) -> list[Delivery]:
    candidates = [
        w
        for w in Webhook.objects.filter(is_active=True, paused_at__isnull=True)
        if event.name in (w.events or [])
    ]
    if not candidates:
        return []
    object_type = registry.find(event.object_type)
    instance = _load_instance(object_type, event)
    wanted = [w for w in candidates if matches(w, event, instance)]
    if not wanted:
        return []
    body = build_body(event, object_type, instance).decode()
    now = timezone.now()
    deliveries = [
        Delivery(
            webhook=webhook,
            event=event.name,
            object_type=event.object_type,
            object_id=event.object_id if isinstance(event.object_id, int) else None,
            body=body,
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
        for webhook in wanted
    ]
    with transaction.atomic():
        for delivery in deliveries:
            delivery.save()
        transaction.on_commit(lambda: [enqueue(d.pk) for d in deliveries])
    return deliveries


# --- queueing ---------------------------------------------------------------------------------------
def enqueue(delivery_pk: int, at: datetime.datetime | None = None) -> bool:
    """Queue the delivery task (to run at `at` where the backend can defer). False if it could not be
    queued now; `retry_due` will pick it up later."""
    from .tasks import deliver_webhook

    try:
        task = deliver_webhook
        if at is not None and at > timezone.now():
            if not task.get_backend().supports_defer:
                return False
            task = task.using(run_after=at)
        task.enqueue(delivery_pk)
    except Exception:
        logger.exception("could not queue webhook delivery %s", delivery_pk)
        return False
    return True


def retry_due(now: datetime.datetime | None = None) -> int:
    """Queue every delivery whose attempt is due, including claims lost with a crashed worker."""
    now = now or timezone.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, next_attempt_at__lte=now).update(
        status=DeliveryStatus.RETRYING, next_attempt_at=now
    )
    due = list(
        Delivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in due:
        enqueue(pk)
    return len(due)


# --- one attempt --------------------------------------------------------------------------------------
def _claim(delivery_pk: int, now: datetime.datetime) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=delivery_pk,
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
            next_attempt_at__lte=now + CLAIM_SLACK,
        ).update(status=DeliveryStatus.SENDING, next_attempt_at=now + STUCK_AFTER)
    )


def _send(webhook: Webhook, delivery: Delivery) -> tuple[bool, int | None, str, str, int, bool]:
    """POST once: (delivered, status code, error, response excerpt, duration ms, worth retrying)."""
    body = delivery.body.encode()
    secret, extra = webhook.signing_secrets()
    headers = webhook_headers(
        secret, body, delivery_id=str(delivery.delivery_id), event=delivery.event, extra_secrets=extra
    )
    started = time.monotonic()
    try:
        response = post_json(
            webhook.url, body, headers, allow=allow_list(), timeout=timeout(), resolve=resolve
        )
    except DeliveryError as exc:
        duration = round((time.monotonic() - started) * 1000)
        return False, None, exc.message[:500], "", duration, exc.retryable
    except ValueError as exc:  # a header the client refuses: not going to get better
        duration = round((time.monotonic() - started) * 1000)
        return False, None, str(exc)[:500], "", duration, False
    excerpt = response.body_excerpt[:EXCERPT_CHARS]
    if response.ok:
        return True, response.status, "", excerpt, response.duration_ms, False
    error = f"HTTP {response.status} {response.reason}".strip()
    return False, response.status, error[:500], excerpt, response.duration_ms, True


def attempt(delivery_pk: int) -> str:
    """Make one attempt at a delivery if it is due (or was just resent); returns the resulting status,
    or "skipped" when the delivery is not due, already being sent, or finished.

    A resend (an administrator's) is one attempt, made even while the subscription is paused, and is not
    retried nor counted towards pausing."""
    now = timezone.now()
    if not _claim(delivery_pk, now):
        return "skipped"
    delivery = Delivery.objects.select_related("webhook", "resend_by").get(pk=delivery_pk)
    webhook = delivery.webhook
    manual_actor = delivery.resend_by
    manual = delivery.resend_by_id is not None
    number = delivery.attempts + 1
    if not webhook.receives and not manual:
        reason = _g("The webhook is paused.") if webhook.is_paused else _g("The webhook is switched off.")
        DeliveryAttempt.objects.create(
            delivery=delivery, number=number, started_at=now, error=reason[:500], manual=False
        )
        _finish(delivery, DeliveryStatus.FAILED, attempts=number, error=reason, code=None, now=now)
        return DeliveryStatus.FAILED
    delivered, code, error, excerpt, duration, retryable = _send(webhook, delivery)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=now,
        duration_ms=duration,
        status_code=code,
        success=delivered,
        error=error,
        response_excerpt=excerpt,
        manual=manual,
        actor=manual_actor,
    )
    finished_at = timezone.now()
    if delivered:
        _finish(delivery, DeliveryStatus.DELIVERED, attempts=number, error="", code=code, now=finished_at)
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0, last_success_at=finished_at)
        return DeliveryStatus.DELIVERED
    unsafe = error and not retryable and code is None
    retry_number = number  # the first attempt is not a retry: attempt n+1 is retry n
    if retryable and not manual and retry_number <= retries():
        at = finished_at + backoff(retry_number)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.RETRYING,
            attempts=number,
            next_attempt_at=at,
            last_status_code=code,
            last_error=error,
        )
        enqueue(delivery.pk, at)
        return DeliveryStatus.RETRYING
    _finish(delivery, DeliveryStatus.FAILED, attempts=number, error=error, code=code, now=finished_at)
    if not manual:
        _count_failure(webhook, finished_at, error, refused=bool(unsafe))
    return DeliveryStatus.FAILED


def _finish(
    delivery: Delivery,
    status: str,
    *,
    attempts: int,
    error: str,
    code: int | None,
    now: datetime.datetime,
) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=attempts,
        next_attempt_at=None,
        finished_at=now,
        last_status_code=code,
        last_error=error[:500],
        resend_by=None,
    )


def _count_failure(webhook: Webhook, now: datetime.datetime, error: str, *, refused: bool) -> None:
    Webhook.objects.filter(pk=webhook.pk).update(
        consecutive_failures=F("consecutive_failures") + 1, last_failure_at=now
    )
    failures = (
        Webhook.objects.filter(pk=webhook.pk).values_list("consecutive_failures", flat=True).first() or 0
    )
    if refused:
        reason = _g("The address was refused: %(error)s") % {"error": error}
    elif failures >= pause_after():
        reason = _g("%(count)s deliveries in a row failed; the last one: %(error)s") % {
            "count": failures,
            "error": error,
        }
    else:
        return
    from .services import pause_for_failures

    pause_for_failures(webhook_pk=webhook.pk, reason=reason[:500], now=now)


__all__ = [
    "DeliveryErrorKind",
    "allow_list",
    "attempt",
    "backoff",
    "build_body",
    "check_destination",
    "enqueue",
    "matches",
    "on_event",
    "retry_due",
    "schedule",
]
