"""Reads on sales records, always through visibility: the board, stage durations, conversion matches."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from .choices import StageKind
from .models import Deal, Lead, Pipeline, Stage, StageChange
from .money import RateTable


def deals_for(user: Any) -> QuerySet[Deal]:
    return Deal.objects.visible_to(user).select_related("stage", "pipeline", "company", "owner")


def leads_for(user: Any) -> QuerySet[Lead]:
    return Lead.objects.visible_to(user).select_related("status", "source", "owner")


def pipelines() -> QuerySet[Pipeline]:
    return Pipeline.objects.filter(active=True).prefetch_related("stages").order_by("order", "id")


@dataclass
class BoardColumn:
    stage: Stage
    cards: list[Deal] = field(default_factory=list)
    count: int = 0
    total: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")
    missing_rates: list[str] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)


def board_queryset(
    user: Any,
    pipeline: Pipeline,
    *,
    owner: Any = None,
    team: Any = None,
    close_month: datetime.date | None = None,
) -> QuerySet[Deal]:
    deals = Deal.objects.visible_to(user).filter(pipeline=pipeline, stage__kind=StageKind.OPEN)
    if owner is not None:
        deals = deals.filter(owner=owner)
    if team is not None:
        deals = deals.filter(team=team)
    if close_month is not None:
        start = close_month.replace(day=1)
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        deals = deals.filter(expected_close_date__gte=start, expected_close_date__lt=end)
    return deals


def board(user: Any, pipeline: Pipeline, *, per_stage: int = 50, **filters: Any) -> list[BoardColumn]:
    """The open stages of a pipeline with the newest `per_stage` cards each, and per stage the count, the
    total and the probability-weighted total in the reporting currency."""
    deals = board_queryset(user, pipeline, **filters)
    stages = [s for s in pipeline.stages.all() if s.kind == StageKind.OPEN]
    columns = {s.pk: BoardColumn(stage=s) for s in stages}
    rates = RateTable()
    sums: dict[int, list[tuple[str, Decimal]]] = {}
    for row in deals.order_by().values("stage_id", "currency").annotate(n=Count("id"), total=Sum("amount")):
        column = columns.get(row["stage_id"])
        if column is None:
            continue
        column.count += row["n"]
        sums.setdefault(row["stage_id"], []).append((row["currency"], row["total"]))
    for stage_id, amounts in sums.items():
        column = columns[stage_id]
        column.total, column.missing_rates = rates.total(amounts)
        column.weighted = (column.total * column.stage.probability / Decimal(100)).quantize(Decimal("0.01"))
    base = deals.select_related("company", "owner").order_by("-id")
    for column in columns.values():
        if column.count:
            column.cards = list(base.filter(stage=column.stage)[:per_stage])
    return [columns[s.pk] for s in stages]


def stage_durations(
    deal: Deal, now: datetime.datetime | None = None
) -> list[tuple[Stage, datetime.timedelta]]:
    """Time the deal spent in each stage, in the order it entered them (derived from its stage changes)."""
    from django.utils import timezone

    moves = list(StageChange.objects.filter(deal=deal).select_related("to_stage").order_by("time", "id"))
    end_of_life = deal.closed_at or now or timezone.now()
    totals: dict[int, datetime.timedelta] = {}
    order: list[Stage] = []
    for index, move in enumerate(moves):
        until = moves[index + 1].time if index + 1 < len(moves) else end_of_life
        if move.to_stage_id not in totals:
            totals[move.to_stage_id] = datetime.timedelta(0)
            order.append(move.to_stage)
        if move.to_stage.kind == StageKind.OPEN or index + 1 < len(moves):
            totals[move.to_stage_id] += max(until - move.time, datetime.timedelta(0))
    return [(stage, totals[stage.pk]) for stage in order]
