"""Reads on cost records, always through visibility: scenarios as engine scenarios and results, the
effective price catalogue, budget against actual, and the actual payback against a scenario's plan."""

from __future__ import annotations

import calendar
import datetime
import importlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, Max, Min, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from . import engine
from .choices import Category, PricePeriod
from .models import (
    Budget,
    Expense,
    PaybackSettings,
    PricePlan,
    Scenario,
    TimeEntry,
    TimeSaving,
    reporting_currency,
)

logger = logging.getLogger(__name__)
ZERO = Decimal(0)


# --- querysets ----------------------------------------------------------------------------------


def scenarios_for(user: Any) -> QuerySet[Scenario]:
    return Scenario.objects.visible_to(user).select_related("owner")


def expenses_for(user: Any) -> QuerySet[Expense]:
    return Expense.objects.visible_to(user)


def time_entries_for(user: Any) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.visible_to(user)


def budgets_for(user: Any) -> QuerySet[Budget]:
    return Budget.objects.visible_to(user)


def time_savings_for(user: Any) -> QuerySet[TimeSaving]:
    return TimeSaving.objects.visible_to(user)


# --- money -------------------------------------------------------------------------------------

Converter = Callable[[Decimal, str, "datetime.date | None"], "Decimal | None"]


def currency_converter() -> Converter | None:
    """Converts an amount to the reporting currency with the sales app's exchange rates (loaded once), or
    None when the sales app is not installed. The converter answers None when a currency has no rate."""
    if not apps.is_installed("guanxi.sales"):
        return None
    money = importlib.import_module("guanxi.sales.money")
    table_class = getattr(money, "RateTable", None)
    if table_class is not None:
        converter: Converter = table_class().convert
        return converter
    function: Converter = money.to_reporting
    return function


def exchange_rate(currency: str, on_date: datetime.date) -> Decimal | None:
    """Units of the reporting currency one unit of `currency` was worth on `on_date`, from the sales
    app's exchange rates; None without the sales app or without a rate."""
    if currency == reporting_currency():
        return Decimal(1)
    if not apps.is_installed("guanxi.sales"):
        return None
    money = importlib.import_module("guanxi.sales.money")
    table_class = getattr(money, "RateTable", None)
    if table_class is not None:
        rate = table_class().rate(currency, on_date)
        return None if rate is None else Decimal(rate)
    converted = money.to_reporting(Decimal(1), currency, on_date)
    return None if converted is None else Decimal(converted)


# --- the price catalogue ------------------------------------------------------------------------


def price_plan_entry(plan: PricePlan) -> dict[str, Any]:
    """A stored price in the catalogue file's shape."""
    entry: dict[str, Any] = {"edition": plan.edition, "currency": plan.currency, "billing": plan.billing}
    key = "price_per_user_year" if plan.price_period == PricePeriod.YEAR else "price_per_user_month"
    entry[key] = engine.errors.to_decimal(plan.price)
    for name in ("source", "read_on", "via", "note"):
        value = getattr(plan, name)
        if value not in (None, ""):
            entry[name] = value
    return entry


_catalog_cache: dict[str, Any] = {}  # {"key": change stamp, "value": Catalog}


def effective_catalog() -> engine.Catalog:
    """The packaged catalogue (costs/data/catalog.yaml) with the prices edited or added here on top.

    The catalogue is reference data every scenario is priced from, so it is read whole rather than
    through a user's visibility: two people looking at one scenario must see the same figures."""
    stamp = PricePlan.objects.aggregate(count=Count("id"), changed=Max("updated_at"), last=Max("id"))
    key = repr(sorted(stamp.items()))
    cached: engine.Catalog | None = _catalog_cache.get("value")
    if cached is not None and _catalog_cache.get("key") == key:
        return cached
    catalog = engine.default_catalog()
    if stamp["count"]:
        data = engine.catalog_to_dict(catalog)
        vendors = data["vendors"]
        for plan in PricePlan.objects.order_by("vendor", "plan"):
            vendor = vendors.setdefault(plan.vendor, {"name": plan.vendor_name, "plans": {}})
            vendor["name"] = plan.vendor_name
            vendor["plans"][plan.plan] = price_plan_entry(plan)
        try:
            catalog = engine.catalog_from_dict(data)
        except engine.CatalogError:
            logger.exception("the edited price catalogue is invalid; using the packaged one")
    _catalog_cache.update(key=key, value=catalog)
    return catalog


@dataclass(frozen=True)
class CatalogRow:
    plan: engine.CatalogPlan
    origin: str  # "packaged", "edited" or "added"
    record: PricePlan | None
    packaged: engine.CatalogPlan | None


def catalog_rows() -> list[CatalogRow]:
    """Every plan of the effective catalogue, grouped by vendor, with where its price comes from."""
    catalog = effective_catalog()
    packaged = engine.default_catalog()
    records = {p.plan_id: p for p in PricePlan.objects.all()}
    rows = []
    for plan_id, plan in catalog.plans.items():
        record = records.get(plan_id)
        original = packaged.get(plan_id)
        origin = "packaged" if record is None else "edited" if original is not None else "added"
        rows.append(CatalogRow(plan=plan, origin=origin, record=record, packaged=original))
    return rows


# --- scenarios and the engine -------------------------------------------------------------------


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """The stored scenario in the engine's (YAML) shape, ready for `engine.load_scenario`."""
    data: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        data["description"] = scenario.description
    data.update(currency=scenario.currency, years=scenario.years, discount_rate=scenario.discount_rate)
    if scenario.seats not in (None, "", []):
        data["seats"] = scenario.seats
    if scenario.exchange_rates not in (None, {}, []):
        data["exchange_rates"] = scenario.exchange_rates
    data["costs"] = scenario.costs
    if scenario.benefits not in (None, []):
        data["benefits"] = scenario.benefits
    return data


def scenario_engine(scenario: Scenario, catalog: engine.Catalog | None = None) -> engine.Scenario:
    """The engine's scenario (raises `engine.ScenarioError` if, say, a plan it uses has left the
    catalogue since it was saved)."""
    return engine.load_scenario(scenario_data(scenario), catalog or effective_catalog())


def scenario_result(
    scenario: Scenario,
    catalog: engine.Catalog | None = None,
    sensitivity: Decimal = engine.DEFAULT_SENSITIVITY,
) -> engine.Result:
    return engine.compute(scenario_engine(scenario, catalog), sensitivity_delta=sensitivity)


def scenario_results(
    scenarios: Iterable[Scenario],
) -> list[tuple[Scenario, engine.Result | None, list[str]]]:
    """(scenario, result or None, problems) for each scenario, with one catalogue read."""
    catalog = effective_catalog()
    out: list[tuple[Scenario, engine.Result | None, list[str]]] = []
    for scenario in scenarios:
        try:
            out.append((scenario, scenario_result(scenario, catalog), []))
        except engine.ScenarioError as exc:
            out.append((scenario, None, exc.messages()))
    return out


def plan_cumulative_at(result: engine.Result, month: Decimal) -> Decimal:
    """The plan's undiscounted cumulative net `month` months after go-live, as the engine counts it for
    payback: period 0 at month 0, each year's net spread evenly over its 12 months."""
    if month <= 0:
        return result.cumulative[0]
    years = len(result.net) - 1
    year = min(int((month - 1) // 12) + 1, years) if month <= 12 * years else years
    if month > 12 * years:
        return result.cumulative[-1]
    within = month - 12 * (year - 1)
    return result.cumulative[year - 1] + result.net[year] * within / 12


# --- months -------------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """First days of the months from `first`'s month to `last`'s month, inclusive."""
    months = []
    current = month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def today() -> datetime.date:
    return timezone.localdate()


# --- the ledger ---------------------------------------------------------------------------------


def ledger_by_month(
    user: Any, start: datetime.date, end: datetime.date
) -> dict[tuple[datetime.date, str], Decimal]:
    """Actual spending (expenses in the reporting currency plus internal time) per (month, category),
    for dates from `start` to `end` inclusive, among the records the user may see."""
    totals: dict[tuple[datetime.date, str], Decimal] = {}
    sources = (
        (expenses_for(user), "amount_reporting"),
        (time_entries_for(user), "cost"),
    )
    for queryset, amount in sources:
        rows = (
            queryset.filter(date__gte=start, date__lte=end)
            .annotate(month=TruncMonth("date"))
            .values("month", "category")
            .annotate(total=Sum(amount))
            .order_by()
        )
        for row in rows:
            month = row["month"]
            if isinstance(month, datetime.datetime):
                month = month.date()
            key = (month, row["category"])
            totals[key] = totals.get(key, ZERO) + (row["total"] or ZERO)
    return totals


def savings_by_month(user: Any, start: datetime.date, end: datetime.date) -> dict[datetime.date, Decimal]:
    rows = (
        time_savings_for(user)
        .filter(date__gte=start, date__lte=end)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(total=Sum("value"))
        .order_by()
    )
    out: dict[datetime.date, Decimal] = {}
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        out[month] = out.get(month, ZERO) + (row["total"] or ZERO)
    return out


def ledger_span(user: Any) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last dates in the user's visible ledger."""
    lows: list[datetime.date] = []
    highs: list[datetime.date] = []
    for queryset in (expenses_for(user), time_entries_for(user)):
        span = queryset.aggregate(low=Min("date"), high=Max("date"))
        if span["low"] is not None:
            lows.append(span["low"])
            highs.append(span["high"])
    return (min(lows) if lows else None), (max(highs) if highs else None)


# --- budget against actual ----------------------------------------------------------------------


@dataclass
class BudgetLine:
    category: str
    label: Any
    budget: Decimal | None
    months: list[Decimal]
    actual: Decimal
    budget_to_date: Decimal | None
    status: str  # "ok", "ahead" (spending faster than the budget allows), "over", "unbudgeted"
    record: Budget | None = None

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.actual

    @property
    def used(self) -> Decimal | None:
        """Share of the budget spent (1 = all of it); None without a budget."""
        if not self.budget:
            return None
        return self.actual / self.budget

    @property
    def monthly_budget(self) -> Decimal | None:
        return None if self.budget is None else self.budget / 12

    @property
    def month_cells(self) -> list[tuple[Decimal, bool]]:
        """(actual, marked) per month: a month with spending is marked once the year's spending so far
        has passed the budget (the month the category ran over, and spending after it)."""
        cells, total = [], ZERO
        for amount in self.months:
            total += amount
            cells.append((amount, bool(amount) and self.budget is not None and total > self.budget))
        return cells


@dataclass
class BudgetReport:
    year: int
    currency: str
    elapsed_months: int
    lines: list[BudgetLine]
    month_totals: list[Decimal]
    budget_total: Decimal
    actual_total: Decimal
    years: list[int] = field(default_factory=list)

    @property
    def warnings(self) -> list[BudgetLine]:
        return [line for line in self.lines if line.status in ("over", "ahead", "unbudgeted")]

    @property
    def months(self) -> list[datetime.date]:
        return [datetime.date(self.year, m, 1) for m in range(1, 13)]

    @property
    def remaining_total(self) -> Decimal:
        return self.budget_total - self.actual_total


def elapsed_months(year: int, on: datetime.date) -> int:
    """How many months of `year` have begun by `on` (0 for a future year, 12 for a past one)."""
    if on.year > year:
        return 12
    if on.year < year:
        return 0
    return on.month


def budget_status(budget: Decimal | None, actual: Decimal, elapsed: int) -> tuple[str, Decimal | None]:
    """("over" | "ahead" | "ok" | "unbudgeted", the budget for the months begun so far).

    Over: more spent than the whole year's budget. Ahead: more spent than the budget of the months begun
    so far (the year's budget spread evenly), i.e. on course to run over. Unbudgeted: spending in a
    category with no budget."""
    if budget is None:
        return ("unbudgeted" if actual > 0 else "ok"), None
    to_date = budget * elapsed / 12
    if actual > budget:
        return "over", to_date
    if elapsed and actual > to_date:
        return "ahead", to_date
    return "ok", to_date


def budget_report(user: Any, year: int, on: datetime.date | None = None) -> BudgetReport:
    on = on or today()
    budgets = {b.category: b for b in budgets_for(user).filter(year=year)}
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    actual = ledger_by_month(user, start, end)
    elapsed = elapsed_months(year, on)
    lines: list[BudgetLine] = []
    for category in Category:
        months = [actual.get((datetime.date(year, m, 1), category.value), ZERO) for m in range(1, 13)]
        spent = sum(months, ZERO)
        record = budgets.get(category.value)
        amount = record.amount if record is not None else None
        status, to_date = budget_status(amount, spent, elapsed)
        lines.append(
            BudgetLine(
                category=category.value,
                label=category.label,
                budget=amount,
                months=months,
                actual=spent,
                budget_to_date=to_date,
                status=status,
                record=record,
            )
        )
    month_totals = [sum((line.months[m] for line in lines), ZERO) for m in range(12)]
    years = sorted(
        set(budgets_for(user).values_list("year", flat=True).distinct()) | {year, on.year}, reverse=True
    )
    return BudgetReport(
        year=year,
        currency=reporting_currency(),
        elapsed_months=elapsed,
        lines=lines,
        month_totals=month_totals,
        budget_total=sum((line.budget or ZERO for line in lines), ZERO),
        actual_total=sum((line.actual for line in lines), ZERO),
        years=years,
    )


def budget_line_for(user: Any, category: str, on: datetime.date) -> BudgetLine:
    report = budget_report(user, on.year, on)
    return next(line for line in report.lines if line.category == category)


# --- payback to date ----------------------------------------------------------------------------


def payback_settings() -> PaybackSettings:
    """The installation's settings, or unsaved defaults before anyone saved them."""
    return PaybackSettings.objects.select_related("plan").filter(key="default").first() or PaybackSettings()


@dataclass
class PaybackMonth:
    month: datetime.date
    costs: Decimal
    benefits: Decimal
    uplift: Decimal
    savings: Decimal
    cumulative: Decimal
    plan: Decimal | None

    @property
    def net(self) -> Decimal:
        return self.benefits - self.costs


@dataclass
class PaybackReport:
    currency: str
    settings: PaybackSettings
    months: list[PaybackMonth]
    costs_to_date: Decimal
    benefits_to_date: Decimal
    uplift_to_date: Decimal
    savings_to_date: Decimal
    net_to_date: Decimal
    roi_to_date: Decimal | None
    payback_month: datetime.date | None
    projected_payback_month: datetime.date | None
    run_rate: Decimal | None
    costs_by_category: dict[str, Decimal]
    measurement: Any
    plan: Scenario | None
    plan_result: engine.Result | None
    plan_problems: list[str]
    plan_payback_month: datetime.date | None
    plan_to_date: Decimal | None
    plan_currency_differs: bool

    @property
    def has_data(self) -> bool:
        return bool(self.months)


RUN_RATE_MONTHS = 3


def payback_report(
    user: Any,
    *,
    plan: Scenario | None = None,
    on: datetime.date | None = None,
    settings: PaybackSettings | None = None,
) -> PaybackReport:
    """Actual costs (the ledger) against benefits measured since go-live (won-revenue uplift × the share
    attributed to the CRM, plus hours saved), month by month, beside the plan's cumulative net.

    The current month counts for costs and hours saved but not for the revenue uplift, which is only
    measured over whole months (see `benefits.measure`)."""
    from . import benefits

    on = on or today()
    settings = settings or payback_settings()
    currency = reporting_currency()
    first, _last = ledger_span(user)
    go_live = settings.go_live
    starts = [d for d in (first, go_live) if d is not None]
    months = months_between(min(starts), on) if starts else []
    ledger = ledger_by_month(user, months[0], on) if months else {}
    savings = savings_by_month(user, months[0], on) if months else {}
    measurement = (
        benefits.measure(
            user,
            go_live=go_live,
            baseline_months=settings.baseline_months,
            attribution=settings.attribution,
            on=on,
        )
        if go_live is not None
        else None
    )
    uplift = measurement.attributed_by_month if measurement is not None and measurement.available else {}

    plan_result: engine.Result | None = None
    plan_problems: list[str] = []
    if plan is not None:
        try:
            plan_result = scenario_result(plan)
        except engine.ScenarioError as exc:
            plan_problems = exc.messages()

    costs_by_category: dict[str, Decimal] = {c.value: ZERO for c in Category}
    for (_month, category), amount in ledger.items():
        costs_by_category[category] = costs_by_category.get(category, ZERO) + amount

    rows: list[PaybackMonth] = []
    cumulative = ZERO
    payback_month: datetime.date | None = None
    was_negative = False
    for month in months:
        cost = sum((amount for (m, _c), amount in ledger.items() if m == month), ZERO)
        gain_uplift = uplift.get(month, ZERO)
        gain_savings = savings.get(month, ZERO)
        cumulative += gain_uplift + gain_savings - cost
        if cumulative < 0:
            was_negative = True
        elif was_negative and payback_month is None:
            payback_month = month
        plan_value = None
        if plan_result is not None and go_live is not None:
            offset = (month.year - go_live.year) * 12 + month.month - go_live.month
            if offset >= -1:
                plan_value = plan_cumulative_at(plan_result, Decimal(offset + 1))
        rows.append(
            PaybackMonth(
                month=month,
                costs=cost,
                benefits=gain_uplift + gain_savings,
                uplift=gain_uplift,
                savings=gain_savings,
                cumulative=cumulative,
                plan=plan_value,
            )
        )

    costs_to_date = sum((r.costs for r in rows), ZERO)
    uplift_to_date = sum((r.uplift for r in rows), ZERO)
    savings_to_date = sum((r.savings for r in rows), ZERO)
    benefits_to_date = uplift_to_date + savings_to_date
    net = benefits_to_date - costs_to_date

    run_rate: Decimal | None = None
    projected: datetime.date | None = None
    after = [
        r
        for r in rows
        if go_live is not None and r.month >= month_start(go_live) and r.month < month_start(on)
    ]
    if after:
        recent = after[-RUN_RATE_MONTHS:]
        run_rate = sum((r.benefits - r.costs for r in recent), ZERO) / len(recent)
    if payback_month is None and net < 0 and run_rate is not None and run_rate > 0:
        needed = int((-net / run_rate).to_integral_value(rounding="ROUND_CEILING"))
        projected = add_months(month_start(on), needed)

    plan_payback: datetime.date | None = None
    plan_to_date: Decimal | None = None
    if plan_result is not None and go_live is not None:
        if plan_result.payback_months is not None:
            whole = int(plan_result.payback_months.to_integral_value(rounding="ROUND_CEILING"))
            plan_payback = add_months(month_start(go_live), max(whole - 1, 0))
        plan_to_date = rows[-1].plan if rows else None

    return PaybackReport(
        currency=currency,
        settings=settings,
        months=rows,
        costs_to_date=costs_to_date,
        benefits_to_date=benefits_to_date,
        uplift_to_date=uplift_to_date,
        savings_to_date=savings_to_date,
        net_to_date=net,
        roi_to_date=(net / costs_to_date) if costs_to_date else None,
        payback_month=payback_month,
        projected_payback_month=projected,
        run_rate=run_rate,
        costs_by_category=costs_by_category,
        measurement=measurement,
        plan=plan,
        plan_result=plan_result,
        plan_problems=plan_problems,
        plan_payback_month=plan_payback,
        plan_to_date=plan_to_date,
        plan_currency_differs=plan is not None and plan.currency != currency,
    )


def chart_number(value: Decimal | None) -> float | None:
    """A figure for a chart (display only; every sum above stays Decimal)."""
    return None if value is None else float(round(value, 2))


def category_labels() -> Mapping[str, Any]:
    return dict(Category.choices)
