"""The home dashboard's figures, each over the deals and tasks the user may see, in the reporting currency."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    QuerySet,
    Sum,
)
from django.utils import timezone

from guanxi.activities.models import Activity, Kind
from guanxi.sales.choices import StageKind
from guanxi.sales.models import Deal, Pipeline, Stage
from guanxi.sales.money import RateTable, reporting_currency
from guanxi.sales.selectors import cents, deal_totals_for

WINDOW_DAYS = 90
FORECAST_MONTHS = 6


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


@dataclass
class Dashboard:
    currency: str
    by_stage: list[dict[str, Any]] = field(default_factory=list)
    forecast: list[dict[str, Any]] = field(default_factory=list)
    won_this_month: Decimal = Decimal("0")
    won_last_month: Decimal = Decimal("0")
    won_count_this_month: int = 0
    win_rate: float | None = None
    closed_in_window: int = 0
    average_cycle_days: float | None = None
    open_tasks: list[Activity] = field(default_factory=list)
    open_task_count: int = 0
    missing_rates: list[str] = field(default_factory=list)
    month_bounds: dict[str, datetime.date] = field(default_factory=dict)


class _EpochMicroseconds(Func):
    """SQLite only: a datetime column, stored by Django as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC, as the
    exact integer number of microseconds since 1970 — the value Django's per-row Python function for
    datetime subtraction computes, in SQLite's own code. For a column (it appears twice in the SQL)."""

    output_field = IntegerField()
    template = (
        "(CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER) * 1000000"
        " + CAST(substr(substr(%(expressions)s, 21) || '000000', 1, 6) AS INTEGER))"
    )


def _average_cycle(won: QuerySet[Deal]) -> datetime.timedelta | None:
    """Average of closed_at - created_at. On SQLite, AVG of the exact microsecond differences computed in
    SQL: the same doubles Django's `AVG(django_timestamp_diff(...))` yields, without a Python call per
    deal; elsewhere the database subtracts the timestamps itself."""
    if connections[won.db].vendor == "sqlite":
        micros = won.aggregate(
            avg=Avg(
                _EpochMicroseconds("closed_at") - _EpochMicroseconds("created_at"), output_field=FloatField()
            )
        )["avg"]
        return None if micros is None else datetime.timedelta(0, 0, micros)
    average: datetime.timedelta | None = won.aggregate(
        avg=Avg(ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField()))
    )["avg"]
    return average


def _day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of `day` in the current time zone: `closed_at >= _day_start(d)` selects what
    `closed_at__date >= d` selects, as a range on the column that an index can answer."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def dashboard(user: Any, *, today: datetime.date | None = None) -> Dashboard:
    """The figures over the deals `user` may see.

    Deals are selected by the ids of the stages of each kind (read once) instead of a join on the stage's
    kind. The open pipeline and the forecast come from `DealTotal` (per stage, owner, team, currency and
    closing month, under the same visibility condition as the deals). Won amounts, the win rate and the
    sales cycle select closing times by instant ranges (not the date of every row in the local time zone),
    ranges of the covering index `deal_closed_totals` (stage, closed, currency, amount, owner, team,
    created)."""
    today = today or timezone.localdate()
    rates = RateTable()
    result = Dashboard(currency=reporting_currency())
    deals = Deal.objects.visible_to(user).order_by()
    missing: set[str] = set()
    stages = {s.pk: s for s in Stage.objects.all()}
    kinds: dict[str, list[int]] = {kind: [] for kind in StageKind.values}
    for stage in stages.values():
        kinds.setdefault(stage.kind, []).append(stage.pk)

    this_month = month_start(today)
    open_totals = deal_totals_for(user).filter(stage_id__in=kinds[StageKind.OPEN])
    open_rows = [
        row
        for row in open_totals.values("stage_id", "pipeline_id", "currency")
        .annotate(n=Sum("deals"), total=Sum("amount_cents"))
        .order_by("stage_id", "pipeline_id", "currency")
        if row["n"]  # rows that no deal is in any more count for nothing
    ]
    pipeline_names = dict(
        Pipeline.objects.filter(pk__in={r["pipeline_id"] for r in open_rows}).values_list("pk", "name")
    )
    stage_rows: dict[int, dict[str, Any]] = {}
    for row in open_rows:
        stage = stages[row["stage_id"]]
        entry = stage_rows.setdefault(
            row["stage_id"],
            {
                "stage_id": row["stage_id"],
                "stage": stage.name,
                "pipeline": pipeline_names[row["pipeline_id"]],
                "pipeline_id": row["pipeline_id"],
                "order": stage.order,
                "count": 0,
                "amounts": [],
            },
        )
        entry["count"] += int(row["n"])
        entry["amounts"].append((row["currency"], cents(row["total"])))
    for entry in stage_rows.values():
        entry["total"], gaps = rates.total(entry.pop("amounts"))
        missing.update(gaps)
    result.by_stage = sorted(stage_rows.values(), key=lambda e: (e["pipeline"], e["order"]))

    months = [add_months(this_month, i) for i in range(FORECAST_MONTHS)]
    buckets: dict[str, dict[str, Any]] = {
        f"{month:%Y-%m}": {"month": month, "total": Decimal("0"), "weighted": Decimal("0")}
        for month in months
    }
    # amounts per month, probability and currency: the grain at which the forecast converts and rounds
    sums: dict[tuple[str, int, str], Decimal] = {}
    forecast_rows = (
        open_totals.filter(close_month__in=list(buckets))
        .values("stage_id", "currency", "close_month")
        .annotate(n=Sum("deals"), total=Sum("amount_cents"))
        .order_by("close_month", "stage_id", "currency")
    )
    for month_row in forecast_rows:
        if month_row["n"]:
            key = (month_row["close_month"], stages[month_row["stage_id"]].probability, month_row["currency"])
            sums[key] = sums.get(key, Decimal("0")) + cents(month_row["total"])
    for (month, probability, currency), amount in sums.items():
        converted = rates.convert(amount, currency)
        if converted is None:
            missing.add(currency)
            continue
        bucket = buckets[month]
        bucket["total"] += converted
        bucket["weighted"] += (converted * probability / Decimal(100)).quantize(Decimal("0.01"))
    result.forecast = list(buckets.values())

    last_month = add_months(this_month, -1)
    next_month = add_months(this_month, 1)
    won = deals.filter(stage_id__in=kinds[StageKind.WON])
    result.month_bounds = {"this": this_month, "next": next_month, "last": last_month}
    for bounds, attr in (
        ((this_month, next_month), "won_this_month"),
        ((last_month, this_month), "won_last_month"),
    ):
        rows = list(
            won.filter(closed_at__gte=_day_start(bounds[0]), closed_at__lt=_day_start(bounds[1]))
            .values("currency")
            .annotate(total=Sum("amount"), n=Count("*"))
        )
        amounts = [(r["currency"], r["total"]) for r in rows]
        total, gaps = rates.total(amounts)
        missing.update(gaps)
        setattr(result, attr, total)
        if attr == "won_this_month":
            result.won_count_this_month = sum(r["n"] for r in rows)

    since = _day_start(today - datetime.timedelta(days=WINDOW_DAYS))
    closed = deals.filter(closed_at__gte=since, stage_id__in=kinds[StageKind.WON] + kinds[StageKind.LOST])
    counts: dict[str, int] = {}
    for stage_id, n in closed.values_list("stage_id").annotate(n=Count("*")):
        kind = stages[stage_id].kind
        counts[kind] = counts.get(kind, 0) + n
    result.closed_in_window = sum(counts.values())
    if result.closed_in_window:
        result.win_rate = counts.get(StageKind.WON, 0) / result.closed_in_window
    cycle = _average_cycle(closed.filter(stage_id__in=kinds[StageKind.WON]))
    if cycle is not None:
        result.average_cycle_days = round(cycle.total_seconds() / 86400, 1)

    tasks = Activity.objects.visible_to(user).filter(owner=user, kind=Kind.TASK, done=False)
    result.open_task_count = tasks.count()
    result.open_tasks = list(tasks.order_by(F("due_at").asc(nulls_last=True), "id")[:8])
    result.missing_rates = sorted(missing)
    return result
