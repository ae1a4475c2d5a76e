"""The home dashboard's figures, each over the deals and tasks the user may see, in the reporting currency."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from guanxi.activities.models import Activity, Kind
from guanxi.sales.choices import StageKind
from guanxi.sales.models import Deal
from guanxi.sales.money import RateTable, reporting_currency

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


def dashboard(user: Any, *, today: datetime.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    rates = RateTable()
    result = Dashboard(currency=reporting_currency())
    deals = Deal.objects.visible_to(user).order_by()
    missing: set[str] = set()

    open_deals = deals.filter(stage__kind=StageKind.OPEN)
    stage_rows: dict[int, dict[str, Any]] = {}
    for row in open_deals.values(
        "stage_id", "stage__name", "stage__order", "pipeline__name", "pipeline_id", "currency"
    ).annotate(n=Count("id"), total=Sum("amount")):
        entry = stage_rows.setdefault(
            row["stage_id"],
            {
                "stage_id": row["stage_id"],
                "stage": row["stage__name"],
                "pipeline": row["pipeline__name"],
                "pipeline_id": row["pipeline_id"],
                "order": row["stage__order"],
                "count": 0,
                "amounts": [],
            },
        )
        entry["count"] += row["n"]
        entry["amounts"].append((row["currency"], row["total"]))
    for entry in stage_rows.values():
        entry["total"], gaps = rates.total(entry.pop("amounts"))
        missing.update(gaps)
    result.by_stage = sorted(stage_rows.values(), key=lambda e: (e["pipeline"], e["order"]))

    this_month = month_start(today)
    horizon = add_months(this_month, FORECAST_MONTHS)
    buckets: dict[datetime.date, dict[str, Any]] = {
        add_months(this_month, i): {
            "month": add_months(this_month, i),
            "total": Decimal("0"),
            "weighted": Decimal("0"),
        }
        for i in range(FORECAST_MONTHS)
    }
    forecast_rows = (
        open_deals.filter(expected_close_date__gte=this_month, expected_close_date__lt=horizon)
        .annotate(month=TruncMonth("expected_close_date"))
        .values("month", "stage__probability", "currency")
        .annotate(total=Sum("amount"))
    )
    for row in forecast_rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        converted = rates.convert(row["total"] or Decimal("0"), row["currency"])
        if converted is None:
            missing.add(row["currency"])
            continue
        bucket = buckets[month]
        bucket["total"] += converted
        bucket["weighted"] += (converted * row["stage__probability"] / Decimal(100)).quantize(Decimal("0.01"))
    result.forecast = list(buckets.values())

    last_month = add_months(this_month, -1)
    next_month = add_months(this_month, 1)
    won = deals.filter(stage__kind=StageKind.WON)
    result.month_bounds = {"this": this_month, "next": next_month, "last": last_month}
    for bounds, attr in (
        ((this_month, next_month), "won_this_month"),
        ((last_month, this_month), "won_last_month"),
    ):
        rows = (
            won.filter(closed_at__date__gte=bounds[0], closed_at__date__lt=bounds[1])
            .values("currency")
            .annotate(total=Sum("amount"), n=Count("id"))
        )
        amounts = [(r["currency"], r["total"]) for r in rows]
        total, gaps = rates.total(amounts)
        missing.update(gaps)
        setattr(result, attr, total)
        if attr == "won_this_month":
            result.won_count_this_month = sum(r["n"] for r in rows)

    since = today - datetime.timedelta(days=WINDOW_DAYS)
    closed = deals.filter(closed_at__date__gte=since, stage__kind__in=[StageKind.WON, StageKind.LOST])
    counts = dict(closed.values_list("stage__kind").annotate(n=Count("id")))
    result.closed_in_window = sum(counts.values())
    if result.closed_in_window:
        result.win_rate = counts.get(StageKind.WON, 0) / result.closed_in_window
    cycle = closed.filter(stage__kind=StageKind.WON).aggregate(
        avg=Avg(ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField()))
    )["avg"]
    if cycle is not None:
        result.average_cycle_days = round(cycle.total_seconds() / 86400, 1)

    tasks = Activity.objects.visible_to(user).filter(owner=user, kind=Kind.TASK, done=False)
    result.open_task_count = tasks.count()
    result.open_tasks = list(tasks.order_by(F("due_at").asc(nulls_last=True), "id")[:8])
    result.missing_rates = sorted(missing)
    return result
