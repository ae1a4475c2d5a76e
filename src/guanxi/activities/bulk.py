"""Batched writes of activities (tasks, calls, meetings, notes), for imports: the rules of
`activity_create` / `activity_update` — `prepare_activity`, and an activity only linked to records its
author can see — applied to many rows at once (the life cycle is `guanxi.transfer.bulk`). Activities
match stored ones only on their source-system id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _g

from guanxi.transfer.bulk import BulkResult, BulkRow, BulkSpec, Upserter, upsert_many

from .models import Activity
from .services import LINKS, prepare_activity


def _visible_links(actor: Any, rows: list[BulkRow]) -> None:
    """One query per kind of link for the batch instead of one per row (`_check_links`)."""
    for link in LINKS:
        field = Activity._meta.get_field(link)
        ids = {getattr(r.instance, f"{link}_id") for r in rows} - {None}
        if not ids:
            continue
        model = field.related_model
        visible = set(model.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))  # type: ignore[union-attr]
        for row in rows:
            target = getattr(row.instance, f"{link}_id")
            if target is not None and target not in visible:
                row.fail(link, _g("no such %(type)s") % {"type": field.related_model._meta.verbose_name})  # type: ignore[union-attr]


ACTIVITY = BulkSpec(
    key="activity",
    prepare=prepare_activity,
    select_related=("contact", "deal"),
    check=_visible_links,
)


def activities_upsert_many(
    *,
    actor: Any,
    rows: Sequence[BulkRow],
    on_duplicate: str = "skip",
    system: str = "",
    upserter: Upserter | None = None,
) -> BulkResult:
    """Create (or update) activities; see `guanxi.transfer.bulk.upsert_many`."""
    return upsert_many(
        ACTIVITY, actor=actor, rows=rows, on_duplicate=on_duplicate, system=system, upserter=upserter
    )
