"""Writes on activities (tasks, calls, meetings, notes) and timeline events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from guanxi.core import services as core
from guanxi.core.search import build_search_text

from .models import Activity, Kind, TimelineEvent
from .tasks import schedule

LINKS = ("lead", "contact", "company", "deal")


def record_timeline_event(
    *, actor: Any, object_type: str, object_id: int, name: str, data: dict[str, Any] | None = None
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        object_type=object_type,
        object_id=object_id,
        name=name,
        time=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") or "",
        data=data or {},
    )


def _check_links(actor: Any, activity: Activity) -> None:
    """An activity may only be attached to records its author can see."""
    for link in LINKS:
        target = getattr(activity, link)
        if target is None:
            continue
        if not target._meta.model.objects.visible_to(actor).filter(pk=target.pk).exists():
            raise PermissionDenied(_g("no such %(type)s") % {"type": target._meta.verbose_name})


def prepare_activity(activity: Activity) -> None:
    activity.subject = " ".join((activity.subject or "").split())
    now = timezone.now()
    if activity.contact_id and not activity.company_id:
        contact = activity.contact
        if contact is not None and contact.company_id:
            activity.company_id = contact.company_id
    if activity.deal_id and not activity.company_id:
        deal = activity.deal
        if deal is not None and deal.company_id:
            activity.company_id = deal.company_id
    if activity.kind == Kind.TASK:
        if activity.done and activity.done_at is None:
            activity.done_at = now
        if not activity.done:
            activity.done_at = None
        activity.occurred_at = activity.due_at or activity.occurred_at or now
    elif activity.kind == Kind.MEETING:
        if activity.start_at is None:
            raise ValidationError({"start_at": [_g("When does the meeting start?")]})
        if activity.end_at is not None and activity.end_at < activity.start_at:
            raise ValidationError({"end_at": [_g("The meeting cannot end before it starts.")]})
        activity.occurred_at = activity.start_at
    else:
        activity.occurred_at = activity.occurred_at or now
    if activity.kind != Kind.CALL:
        activity.direction, activity.outcome, activity.duration_minutes = "", "", None
    if not activity.subject and activity.kind == Kind.NOTE:
        activity.subject = (activity.body.strip().splitlines() or [""])[0][:200]
    activity.search_text = build_search_text(words=[activity.subject, activity.body[:2000]])


def activity_create(
    *,
    actor: Any,
    tags: Iterable[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    attendees: Iterable[Any] | None = None,
    colleagues: Iterable[Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    **fields: Any,
) -> Activity:
    activity = Activity(**fields)
    _check_links(actor, activity)
    with transaction.atomic():
        activity = core.create_record(
            actor=actor,
            instance=activity,
            custom_fields=custom_fields,
            prepare=prepare_activity,
            external_ref=external_ref,
        )
        if attendees:
            activity.attendees.set(attendees)
        if colleagues:
            activity.colleagues.set(colleagues)
        schedule(activity)
    return activity


def activity_update(
    *,
    actor: Any,
    instance: Activity,
    expected_version: int | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    tags: Iterable[str] | None = None,
    attendees: Iterable[Any] | None = None,
    colleagues: Iterable[Any] | None = None,
    **changes: Any,
) -> Activity:
    probe = Activity(**{link: changes[link] for link in LINKS if link in changes})
    _check_links(actor, probe)
    with transaction.atomic():
        reminder_before = instance.reminder_at
        activity = core.update_record(
            actor=actor,
            instance=instance,
            changes=changes,
            custom_fields=custom_fields,
            expected_version=expected_version,
            prepare=prepare_activity,
        )
        if activity.reminder_at != reminder_before:
            Activity.objects.filter(pk=activity.pk).update(reminded_at=None)
            activity.reminded_at = None
            schedule(activity)
        if attendees is not None:
            activity.attendees.set(attendees)
        if colleagues is not None:
            activity.colleagues.set(colleagues)
    return activity


def activity_complete(
    *, actor: Any, activity: Activity, done: bool = True, expected_version: int | None = None
) -> Activity:
    if activity.kind != Kind.TASK:
        raise ValidationError(_g("Only tasks are done or not done."))
    return activity_update(actor=actor, instance=activity, expected_version=expected_version, done=done)


def activity_delete(*, actor: Any, instance: Activity, expected_version: int | None = None) -> None:
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)
