"""Reads: a record's timeline (activities, changes, stage moves, events) and the "my work" lists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from guanxi.core.audit import Action, ObjectChange
from guanxi.core.registry import registry
from guanxi.core.views import describe_changes

from .models import Activity, Kind, TimelineEvent

LINK_FIELD = {"lead": "lead", "contact": "contact", "company": "company", "deal": "deal"}


@dataclass
class Entry:
    kind: str  # activity | change | stage | event
    time: datetime.datetime
    item: Any
    rows: list[Any] | None = None


def activities_for(user: Any) -> QuerySet[Activity]:
    return Activity.objects.visible_to(user).select_related("owner", "contact", "company", "deal", "lead")


def timeline(
    user: Any, object_type: str, obj: Model, *, before: datetime.datetime | None = None, limit: int = 30
) -> tuple[list[Entry], datetime.datetime | None]:
    """Newest first: the record's activities the user may see, its audited changes, its stage moves and its
    events. Returns the entries and the time to pass as `before` for the next page (None at the end).

    Each source gives at most `limit` rows through its (record, time) index; the activities carry only their
    owner (the one relation an entry shows), and only the changes that make the page and show their rows
    (not creations) are described (field labels, names of related records), which is what costs queries."""
    entries: list[Entry] = []
    link = LINK_FIELD.get(object_type)
    if link is not None:
        activities = Activity.objects.visible_to(user).select_related("owner").filter(**{link: obj})
        if before is not None:
            activities = activities.filter(occurred_at__lt=before)
        entries += [
            Entry("activity", a.occurred_at, a) for a in activities.order_by("-occurred_at", "-id")[:limit]
        ]
    changes = ObjectChange.objects.filter(object_type=object_type, object_id=obj.pk).select_related("actor")
    if before is not None:
        changes = changes.filter(time__lt=before)
    entries += [Entry("change", c.time, c) for c in changes.order_by("-time", "-id")[:limit]]
    if object_type == "deal":
        from guanxi.sales.models import StageChange

        moves = StageChange.objects.filter(deal_id=obj.pk).select_related("from_stage", "to_stage", "actor")
        if before is not None:
            moves = moves.filter(time__lt=before)
        entries += [Entry("stage", m.time, m) for m in moves.order_by("-time", "-id")[:limit]]
    events = TimelineEvent.objects.filter(object_type=object_type, object_id=obj.pk).select_related("actor")
    if before is not None:
        events = events.filter(time__lt=before)
    entries += [Entry("event", e.time, e) for e in events.order_by("-time", "-id")[:limit]]
    entries.sort(key=lambda e: e.time, reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    # A creation shows no rows (activities/timeline_entries.html): naming its related records would cost a
    # query per relation the record was created with.
    shown = [e for e in page if e.kind == "change" and e.item.action != Action.CREATE]
    if shown:
        described = describe_changes([e.item for e in shown], registry.get(object_type), user)
        for entry, description in zip(shown, described, strict=True):
            entry.rows = description["rows"]
    return page, (page[-1].time if more and page else None)


def my_work(user: Any) -> dict[str, Any]:
    """Overdue tasks, today's tasks and meetings, reminders due, and deals closing this month."""
    now = timezone.localtime()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + datetime.timedelta(days=1)
    mine = activities_for(user).filter(Q(owner=user) | Q(colleagues=user)).distinct()
    open_tasks = mine.filter(kind=Kind.TASK, done=False)
    from guanxi.sales.models import Deal

    month_start = start.date().replace(day=1)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    deals = (
        Deal.objects.visible_to(user)
        .filter(
            owner=user,
            stage__kind="open",
            expected_close_date__gte=month_start,
            expected_close_date__lt=next_month,
        )
        .select_related("stage", "company")
        .order_by("expected_close_date", "id")
    )
    return {
        "overdue": list(open_tasks.filter(due_at__lt=start).order_by("due_at", "id")[:100]),
        "today_tasks": list(
            open_tasks.filter(due_at__gte=start, due_at__lt=end).order_by("due_at", "id")[:100]
        ),
        "meetings": list(
            mine.filter(kind=Kind.MEETING, start_at__gte=start, start_at__lt=end).order_by("start_at", "id")[
                :100
            ]
        ),
        "reminders": list(
            open_tasks.filter(reminder_at__lte=now)
            .exclude(due_at__lt=start)
            .order_by("reminder_at", "id")[:50]
        ),
        "upcoming": list(
            open_tasks.filter(due_at__gte=end, due_at__lt=end + datetime.timedelta(days=7)).order_by(
                "due_at", "id"
            )[:50]
        ),
        "deals": list(deals[:100]),
    }
