"""The TCO / ROI maths: per-period amounts, present values, NPV, ROI, payback and sensitivity.

Everything is Decimal at 28 significant digits; nothing is rounded here (rounding to cents
happens only when a result is rendered).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from types import MappingProxyType
from typing import Literal

from guanxi.costs.engine.errors import to_decimal
from guanxi.costs.engine.scenario import CATEGORIES, CostLine, Line, Scenario

__all__ = ["DEFAULT_SENSITIVITY", "LineResult", "Result", "SensitivityEntry", "compute"]

DEFAULT_SENSITIVITY = Decimal("0.2")
_ZERO = Decimal(0)
_ONE = Decimal(1)
_TWELVE = Decimal(12)
_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

Kind = Literal["cost", "benefit"]


@dataclass(frozen=True, kw_only=True, slots=True)
class LineResult:
    """One line's risk-adjusted amounts per period (0..N), their total and present value."""

    name: str
    kind: Kind
    category: str | None
    """The cost category; None for a benefit."""
    amounts: tuple[Decimal, ...]
    total: Decimal
    pv: Decimal


@dataclass(frozen=True, kw_only=True, slots=True)
class SensitivityEntry:
    """How NPV moves when one line's amounts are scaled by (1 - delta) and (1 + delta).

    ``low`` is the NPV change with the line lowered by delta, ``high`` with it raised;
    ``swing`` = |high - low| = 2 x delta x PV(line). For a cost ``low`` is positive (a cheaper
    line raises NPV); for a benefit ``high`` is.
    """

    line: str
    kind: Kind
    category: str | None
    low: Decimal
    high: Decimal
    swing: Decimal


@dataclass(frozen=True, kw_only=True, slots=True)
class Result:
    """Everything :func:`compute` works out for one scenario. Lists run over periods 0..N."""

    scenario: str
    currency: str
    years: int
    discount_rate: Decimal
    periods: tuple[str | int, ...]
    """``("initial", 1, 2, …, N)``."""
    lines: tuple[LineResult, ...]
    """Costs then benefits, in scenario order."""
    costs_by_category: Mapping[str, tuple[Decimal, ...]]
    """All ten categories, in :data:`CATEGORIES` order (zeros for unused ones)."""
    total_costs: tuple[Decimal, ...]
    total_benefits: tuple[Decimal, ...]
    net: tuple[Decimal, ...]
    """Benefits minus costs, undiscounted."""
    cumulative: tuple[Decimal, ...]
    """Running sum of ``net``."""
    discounted_net: tuple[Decimal, ...]
    """``net`` divided by (1 + discount_rate)^period; ``npv`` is their sum."""
    pv_costs: Decimal
    pv_benefits: Decimal
    npv: Decimal
    """PV(benefits) - PV(costs), computed as the sum of ``discounted_net``."""
    roi: Decimal | None
    """NPV / PV(costs) as a ratio (3.29 means 329%); None when PV(costs) is zero."""
    payback_months: Decimal | None
    """First month the undiscounted cumulative net reaches zero; None if never."""
    tco: Decimal
    """Undiscounted sum of all costs."""
    total_benefits_sum: Decimal
    sensitivity_delta: Decimal
    sensitivity: tuple[SensitivityEntry, ...]
    """Largest swing first."""


def _yearly_base(line: Line, year: int, seats: tuple[int, ...]) -> tuple[Decimal, bool]:
    """The un-escalated amount of ``line`` in ``year`` (1-based) and whether it may escalate."""
    if line.yearly is not None:
        if isinstance(line.yearly, tuple):
            return line.yearly[year - 1], False
        return line.yearly, True
    if line.monthly is not None:
        return _TWELVE * line.monthly, True
    if line.per_seat_month is not None:
        return _TWELVE * line.per_seat_month * seats[year - 1], True
    if line.per_seat_year is not None:
        return line.per_seat_year * seats[year - 1], True
    if line.hours is not None:
        rate = line.rate if line.rate is not None else _ZERO
        if isinstance(line.hours, tuple):
            return line.hours[year - 1] * rate, False
        return line.hours * rate, True
    return _ZERO, False


def line_amounts(line: Line, scenario: Scenario, *, benefit: bool) -> tuple[Decimal, ...]:
    """Risk-adjusted amounts of one line for periods 0..N (must run in the engine context)."""
    amounts = [line.initial if line.initial is not None else _ZERO]
    if line.form is None:
        amounts.extend([_ZERO] * scenario.years)
    else:
        growth = _ONE + line.escalation
        factor = _ONE
        for year in range(1, scenario.years + 1):
            base, escalates = _yearly_base(line, year, scenario.seats)
            amounts.append(base * factor if escalates else base)
            factor *= growth
    if line.risk:
        adjust = (_ONE - line.risk) if benefit else (_ONE + line.risk)
        amounts = [a * adjust for a in amounts]
    return tuple(amounts)


def _payback(net: tuple[Decimal, ...], cumulative: tuple[Decimal, ...]) -> Decimal | None:
    """Months until the undiscounted cumulative net first reaches zero.

    Period 0 sits at month 0; year y's net accrues evenly over months 12(y-1)..12y, so the
    cumulative is linear within a year and the crossing is interpolated exactly. A cumulative
    already >= 0 at month 0 pays back at 0 (nothing to recover).
    """
    if cumulative[0] >= 0:
        return _ZERO
    for year in range(1, len(net)):
        if cumulative[year] >= 0:
            # cumulative[year - 1] < 0 <= cumulative[year], so net[year] > 0.
            return _TWELVE * (year - 1) + _TWELVE * (-cumulative[year - 1]) / net[year]
    return None


def compute(scenario: Scenario, sensitivity_delta: Decimal = DEFAULT_SENSITIVITY) -> Result:
    """Compute costs, benefits, PV, NPV, ROI, payback, TCO and sensitivity for a scenario.

    ``sensitivity_delta`` (0..1) is how far each line is moved up and down (0.2 = ±20%).
    The scenario must be valid (from :func:`load_scenario` or :func:`validate_scenario`).
    """
    delta = to_decimal(sensitivity_delta)
    if delta is None or not _ZERO <= delta <= _ONE:
        raise ValueError(f"sensitivity_delta must be a number from 0 to 1, got {sensitivity_delta!r}")
    periods = scenario.years + 1
    with localcontext(_CONTEXT):
        denominators = [(_ONE + scenario.discount_rate) ** p for p in range(periods)]
        line_results: list[LineResult] = []
        by_category = {key: [_ZERO] * periods for key in CATEGORIES}
        total_costs = [_ZERO] * periods
        total_benefits = [_ZERO] * periods
        for line in scenario.lines:
            is_cost = isinstance(line, CostLine)
            amounts = line_amounts(line, scenario, benefit=not is_cost)
            if is_cost:
                assert isinstance(line, CostLine)
                bucket = by_category[line.category]
                for p, value in enumerate(amounts):
                    bucket[p] += value
                    total_costs[p] += value
            else:
                for p, value in enumerate(amounts):
                    total_benefits[p] += value
            line_results.append(
                LineResult(
                    name=line.name,
                    kind="cost" if is_cost else "benefit",
                    category=line.category if isinstance(line, CostLine) else None,
                    amounts=amounts,
                    total=sum(amounts, _ZERO),
                    pv=amounts[0]
                    + sum((a / d for a, d in zip(amounts[1:], denominators[1:], strict=True)), _ZERO),
                )
            )

        net = [b - c for b, c in zip(total_benefits, total_costs, strict=True)]
        cumulative: list[Decimal] = []
        running = _ZERO
        for value in net:
            running += value
            cumulative.append(running)
        discounted_net = [n / d for n, d in zip(net, denominators, strict=True)]
        pv_costs = sum((c / d for c, d in zip(total_costs, denominators, strict=True)), _ZERO)
        pv_benefits = sum((b / d for b, d in zip(total_benefits, denominators, strict=True)), _ZERO)
        # NPV as the sum of the discounted net flows: equal to PV(benefits) - PV(costs), but the
        # costs and benefits of a period cancel before discounting, so it is exactly monotone in
        # the discount rate when every yearly net is >= 0.
        npv = sum(discounted_net, _ZERO)
        roi = npv / pv_costs if pv_costs != 0 else None
        payback = _payback(tuple(net), tuple(cumulative))

        entries: list[SensitivityEntry] = []
        for lr in line_results:
            change = delta * lr.pv
            low, high = (change, -change) if lr.kind == "cost" else (-change, change)
            entries.append(
                SensitivityEntry(
                    line=lr.name,
                    kind=lr.kind,
                    category=lr.category,
                    low=low,
                    high=high,
                    swing=abs(high - low),
                )
            )
        entries.sort(key=lambda e: e.swing, reverse=True)  # stable: ties keep scenario order

        return Result(
            scenario=scenario.name,
            currency=scenario.currency,
            years=scenario.years,
            discount_rate=scenario.discount_rate,
            periods=("initial", *range(1, periods)),
            lines=tuple(line_results),
            costs_by_category=MappingProxyType({k: tuple(v) for k, v in by_category.items()}),
            total_costs=tuple(total_costs),
            total_benefits=tuple(total_benefits),
            net=tuple(net),
            cumulative=tuple(cumulative),
            discounted_net=tuple(discounted_net),
            pv_costs=pv_costs,
            pv_benefits=pv_benefits,
            npv=npv,
            roi=roi,
            payback_months=payback,
            tco=sum(total_costs, _ZERO),
            total_benefits_sum=sum(total_benefits, _ZERO),
            sensitivity_delta=delta,
            sensitivity=tuple(entries),
        )
