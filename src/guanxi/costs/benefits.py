"""Benefit measured from the CRM's own data: won revenue per month, win rate, average sales cycle and
deals per representative before and after go-live, and the revenue uplift attributed to the CRM.

The deals come from the sales app (`guanxi.sales`: Deal with `amount`, `currency`, `stage.kind` in
open/won/lost, `closed_at`, `created_at`, `owner`; `guanxi.sales.money.to_reporting`). Everything here
works without it: `measure` then answers "not available". The arithmetic is the pure function
`summarise`, fed with `DealFact`s, so it is tested without a database.

Definitions (shown on the payback page as they are):

- the *baseline* window is the `baseline_months` before go-live; the *after* window runs from go-live
  to the start of the current month (a month still running is not compared with whole months);
- *won revenue per month* = revenue of deals won in the window ÷ the window's length in months;
- *win rate* = won ÷ (won + lost) among deals closed in the window;
- *sales cycle* = average days from a won deal's creation to its close;
- *deals per representative* = deals won per representative (owners of deals closed in the window)
  per month;
- *uplift* of a month after go-live = its won revenue − the baseline's won revenue per month (for the
  go-live month, the baseline is prorated to the days after go-live); it may be negative;
- *attributed benefit* = uplift × the share the user attributes to the CRM (default 100%).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _g

ZERO = Decimal(0)


@dataclass(frozen=True)
class DealFact:
    """One closed deal, reduced to what the measurement needs; `amount` is in the reporting currency."""

    amount: Decimal
    won: bool
    created: datetime.date
    closed: datetime.date
    owner_id: int | None


@dataclass(frozen=True)
class WindowFigures:
    start: datetime.date
    end: datetime.date
    """Exclusive."""
    months: Decimal
    won_revenue: Decimal
    won: int
    lost: int
    reps: int
    cycle_days: Decimal

    @property
    def revenue_per_month(self) -> Decimal | None:
        return self.won_revenue / self.months if self.months else None

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.won + self.lost
        return Decimal(self.won) / closed if closed else None

    @property
    def average_cycle_days(self) -> Decimal | None:
        return self.cycle_days / self.won if self.won else None

    @property
    def deals_per_rep(self) -> Decimal | None:
        """Deals won per representative and month."""
        if not self.reps or not self.months:
            return None
        return Decimal(self.won) / self.reps / self.months


@dataclass
class Measurement:
    available: bool
    reason: str = ""
    go_live: datetime.date | None = None
    attribution: Decimal = Decimal(1)
    before: WindowFigures | None = None
    after: WindowFigures | None = None
    revenue_by_month: dict[datetime.date, Decimal] = field(default_factory=dict)
    expected_by_month: dict[datetime.date, Decimal] = field(default_factory=dict)
    uplift_by_month: dict[datetime.date, Decimal] = field(default_factory=dict)
    attributed_by_month: dict[datetime.date, Decimal] = field(default_factory=dict)
    unconverted: int = 0
    """Deals left out because their currency could not be converted."""

    @property
    def uplift_total(self) -> Decimal:
        return sum(self.uplift_by_month.values(), ZERO)

    @property
    def attributed_total(self) -> Decimal:
        return sum(self.attributed_by_month.values(), ZERO)

    def comparisons(self) -> list[dict[str, Any]]:
        """Before / after / change rows for the page."""
        if self.before is None or self.after is None:
            return []
        rows = []
        for key, label, kind in (
            ("revenue_per_month", _g("Won revenue per month"), "money"),
            ("win_rate", _g("Win rate"), "percent"),
            ("average_cycle_days", _g("Average sales cycle (days)"), "number"),
            ("deals_per_rep", _g("Deals won per representative and month"), "number"),
        ):
            before, after = getattr(self.before, key), getattr(self.after, key)
            change = (after - before) / before if before and after is not None else None
            rows.append(
                {"key": key, "label": label, "kind": kind, "before": before, "after": after, "change": change}
            )
        return rows


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_fraction(month: datetime.date, start: datetime.date, end: datetime.date) -> Decimal:
    """The share of calendar `month` that lies in [start, end)."""
    first, following = _month_start(month), _next_month(month)
    low, high = max(first, start), min(following, end)
    if high <= low:
        return ZERO
    return Decimal((high - low).days) / Decimal((following - first).days)


def window_months(start: datetime.date, end: datetime.date) -> Decimal:
    """The length of [start, end) in months, partial months counted by their days."""
    total, month = ZERO, _month_start(start)
    while month < end:
        total += month_fraction(month, start, end)
        month = _next_month(month)
    return total


def _window(facts: list[DealFact], start: datetime.date, end: datetime.date) -> WindowFigures:
    inside = [f for f in facts if start <= f.closed < end]
    won = [f for f in inside if f.won]
    return WindowFigures(
        start=start,
        end=end,
        months=window_months(start, end),
        won_revenue=sum((f.amount for f in won), ZERO),
        won=len(won),
        lost=len(inside) - len(won),
        reps=len({f.owner_id for f in inside if f.owner_id is not None}),
        cycle_days=sum((Decimal((f.closed - f.created).days) for f in won), ZERO),
    )


def summarise(
    facts: Iterable[DealFact],
    *,
    go_live: datetime.date,
    baseline_months: int,
    attribution: Decimal,
    until: datetime.date,
) -> Measurement:
    """The measurement from closed deals: `until` is the exclusive end of the after window (the first
    day of the current month)."""
    facts = list(facts)
    baseline_start = _add_months(go_live, -baseline_months)
    end = max(until, go_live)
    before = _window(facts, baseline_start, go_live)
    after = _window(facts, go_live, end)
    revenue: dict[datetime.date, Decimal] = {}
    after_revenue: dict[datetime.date, Decimal] = {}
    month = _month_start(baseline_start)
    while month < end:
        revenue[month] = ZERO
        month = _next_month(month)
    for fact in facts:
        if fact.won and baseline_start <= fact.closed < end:
            key = _month_start(fact.closed)
            revenue[key] = revenue.get(key, ZERO) + fact.amount
            if fact.closed >= go_live:
                after_revenue[key] = after_revenue.get(key, ZERO) + fact.amount
    per_month = before.revenue_per_month or ZERO
    expected: dict[datetime.date, Decimal] = {}
    uplift: dict[datetime.date, Decimal] = {}
    attributed: dict[datetime.date, Decimal] = {}
    month = _month_start(go_live)
    while month < end:
        share = month_fraction(month, go_live, end)
        expected[month] = per_month * share
        uplift[month] = after_revenue.get(month, ZERO) - expected[month]
        attributed[month] = uplift[month] * attribution
        month = _next_month(month)
    return Measurement(
        available=True,
        go_live=go_live,
        attribution=attribution,
        before=before,
        after=after,
        revenue_by_month=revenue,
        expected_by_month=expected,
        uplift_by_month=uplift,
        attributed_by_month=attributed,
    )


def _local_date(value: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def deal_facts(user: Any, start: datetime.date, end: datetime.date) -> tuple[list[DealFact], int]:
    """Deals won or lost in [start, end) among those the user may see, in the reporting currency;
    and how many were left out because their amount could not be converted."""
    from guanxi.sales.models import Deal  # type: ignore[import-not-found,unused-ignore]

    from .selectors import currency_converter

    convert = currency_converter()
    rows = (
        Deal.objects.visible_to(user)
        .filter(stage__kind__in=("won", "lost"), closed_at__gte=_aware(start), closed_at__lt=_aware(end))
        .values_list("amount", "currency", "stage__kind", "created_at", "closed_at", "owner_id")
        .order_by()
    )
    facts: list[DealFact] = []
    unconverted = 0
    for amount, currency, kind, created_at, closed_at, owner_id in rows.iterator(chunk_size=2000):
        if closed_at is None:
            continue
        closed = _local_date(closed_at)
        value: Decimal | None = Decimal(amount or 0)
        if value and convert is not None:
            try:
                value = convert(Decimal(value), currency, closed)
            except (LookupError, ValueError, ArithmeticError):
                value = None
        if value is None:
            unconverted += 1
            continue
        facts.append(
            DealFact(
                amount=Decimal(value),
                won=kind == "won",
                created=_local_date(created_at),
                closed=closed,
                owner_id=owner_id,
            )
        )
    return facts, unconverted


def sales_installed() -> bool:
    return apps.is_installed("guanxi.sales")


def measure(
    user: Any,
    *,
    go_live: datetime.date,
    baseline_months: int,
    attribution: Decimal,
    on: datetime.date | None = None,
) -> Measurement:
    """The measurement over the deals `user` may see, up to the start of the month of `on` (today)."""
    if not sales_installed():
        return Measurement(
            available=False,
            go_live=go_live,
            attribution=attribution,
            reason=_g("The sales app is not installed, so no revenue can be measured."),
        )
    on = on or timezone.localdate()
    until = _month_start(on)
    facts, unconverted = deal_facts(user, _add_months(go_live, -baseline_months), max(until, go_live))
    result = summarise(
        facts, go_live=go_live, baseline_months=baseline_months, attribution=attribution, until=until
    )
    result.unconverted = unconverted
    return result
