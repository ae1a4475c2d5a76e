"""Domain events: services emit them inside their transaction; subscribers (webhooks, the timeline, caches)
receive them only after the transaction commits, and never for a write that rolled back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .context import current_request_id

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str
    object_type: str
    object_id: Any
    actor_id: int | None
    actor_name: str
    time: Any
    request_id: str
    data: dict[str, Any] = field(default_factory=dict)
    changes: tuple[dict[str, Any], dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], None]
_subscribers: list[Subscriber] = []
_domain_events: dict[str, Any] = {}


def declare(name: str, label: Any) -> None:
    """Declare a domain event ("deal.stage_changed") that subscribers such as webhooks can offer; the
    created/updated/deleted events of every registered object type exist without declaring."""
    _domain_events[name] = label


def domain_events() -> dict[str, Any]:
    return dict(_domain_events)


def subscribe(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def emit(
    name: str,
    *,
    instance: models.Model,
    actor: Any,
    data: dict[str, Any] | None = None,
    changes: tuple[dict[str, Any], dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> Event:
    object_type = name.rsplit(".", 1)[0]
    event = Event(
        name=name,
        object_type=object_type,
        object_id=instance.pk,
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") or "",
        time=timezone.now(),
        request_id=current_request_id(),
        data=data or {},
        changes=changes,
        extra=extra or {},
    )
    transaction.on_commit(lambda: dispatch(event))
    return event


def dispatch(event: Event) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(event)
        except Exception:
            # One subscriber failing must not stop the others nor the request that already committed.
            logger.exception("event subscriber %r failed for %s", subscriber, event.name)
