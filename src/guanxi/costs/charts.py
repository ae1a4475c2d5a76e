"""Chart.js configurations as plain JSON data: the page puts them in a `json_script` block and
`static/costs/charts.js` draws them (the CSP allows no inline script). Numbers here are floats for
drawing only; every figure shown as text comes from the Decimal results."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _g

from . import engine
from .choices import Category

PALETTE = [
    "#206bc4",
    "#f76707",
    "#2fb344",
    "#ae3ec9",
    "#d63939",
    "#0ca678",
    "#f59f00",
    "#4263eb",
    "#74b816",
    "#d6336c",
    "#17a2b8",
    "#667382",
]
CATEGORY_COLOURS = {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(engine.CATEGORIES)}


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 2))


def running(values: Sequence[Decimal]) -> list[Decimal]:
    total, out = Decimal(0), []
    for value in values:
        total += value
        out.append(total)
    return out


def period_labels(result: engine.Result) -> list[str]:
    return [_g("Initial") if p == "initial" else _g("Year %(n)s") % {"n": p} for p in result.periods]


def _money_axis(currency: str, *, stacked: bool = False, horizontal: bool = False) -> dict[str, Any]:
    value_axis = {
        "stacked": stacked,
        "ticks": {"format": "money"},
        "title": {"display": True, "text": currency},
    }
    other_axis = {"stacked": stacked}
    scales = {"x": other_axis, "y": value_axis} if not horizontal else {"x": value_axis, "y": other_axis}
    return {
        "responsive": True,
        "maintainAspectRatio": False,
        "interaction": {"mode": "index", "intersect": False},
        "plugins": {"legend": {"position": "bottom"}, "tooltip": {"format": "money"}},
        "scales": scales,
    }


def cumulative_chart(result: engine.Result) -> dict[str, Any]:
    """Cumulative cost against cumulative benefit, period by period."""
    return {
        "type": "line",
        "data": {
            "labels": period_labels(result),
            "datasets": [
                {
                    "label": _g("Cumulative cost"),
                    "data": [number(v) for v in running(result.total_costs)],
                    "borderColor": "#d63939",
                    "backgroundColor": "#d63939",
                },
                {
                    "label": _g("Cumulative benefit"),
                    "data": [number(v) for v in running(result.total_benefits)],
                    "borderColor": "#2fb344",
                    "backgroundColor": "#2fb344",
                },
                {
                    "label": _g("Cumulative net"),
                    "data": [number(v) for v in result.cumulative],
                    "borderColor": "#206bc4",
                    "backgroundColor": "#206bc4",
                    "borderDash": [6, 4],
                },
            ],
        },
        "options": _money_axis(result.currency),
    }


def categories_chart(result: engine.Result) -> dict[str, Any]:
    """Cost by category per period, stacked."""
    labels = dict(Category.choices)
    datasets = [
        {
            "label": str(labels[key]),
            "data": [number(v) for v in amounts],
            "backgroundColor": CATEGORY_COLOURS[key],
        }
        for key, amounts in result.costs_by_category.items()
        if any(amounts)
    ]
    return {
        "type": "bar",
        "data": {"labels": period_labels(result), "datasets": datasets},
        "options": _money_axis(result.currency, stacked=True),
    }


def tornado_chart(result: engine.Result, top: int = 12) -> dict[str, Any]:
    """The sensitivity tornado: NPV change with each line lowered and raised by the sensitivity delta,
    largest swing on top."""
    entries = result.sensitivity[:top]
    delta = f"{(result.sensitivity_delta * 100).normalize():f}"
    options = _money_axis(result.currency, stacked=True, horizontal=True)
    options["indexAxis"] = "y"
    options["scales"]["x"]["title"]["text"] = _g("Change in NPV (%(currency)s)") % {
        "currency": result.currency
    }
    return {
        "type": "bar",
        "data": {
            "labels": [e.line for e in entries],
            "datasets": [
                {
                    "label": _g("Line −%(delta)s%%") % {"delta": delta},
                    "data": [number(e.low) for e in entries],
                    "backgroundColor": "#4299e1",
                },
                {
                    "label": _g("Line +%(delta)s%%") % {"delta": delta},
                    "data": [number(e.high) for e in entries],
                    "backgroundColor": "#f59f00",
                },
            ],
        },
        "options": options,
    }


def compare_cumulative_chart(results: Sequence[engine.Result]) -> dict[str, Any]:
    longest = max(results, key=lambda r: len(r.periods))
    return {
        "type": "line",
        "data": {
            "labels": period_labels(longest),
            "datasets": [
                {
                    "label": r.scenario,
                    "data": [number(v) for v in r.cumulative],
                    "borderColor": PALETTE[i % len(PALETTE)],
                    "backgroundColor": PALETTE[i % len(PALETTE)],
                }
                for i, r in enumerate(results)
            ],
        },
        "options": _money_axis(results[0].currency if results else ""),
    }


def compare_categories_chart(results: Sequence[engine.Result]) -> dict[str, Any]:
    """Total cost over the horizon by category, one stacked bar per scenario."""
    labels = dict(Category.choices)
    keys = [k for k in engine.CATEGORIES if any(any(r.costs_by_category[k]) for r in results)]
    return {
        "type": "bar",
        "data": {
            "labels": [r.scenario for r in results],
            "datasets": [
                {
                    "label": str(labels[key]),
                    "data": [number(sum(r.costs_by_category[key], Decimal(0))) for r in results],
                    "backgroundColor": CATEGORY_COLOURS[key],
                }
                for key in keys
            ],
        },
        "options": _money_axis(results[0].currency if results else "", stacked=True),
    }


def payback_chart(report: Any) -> dict[str, Any]:
    """Actual cumulative net by month against the plan's, with the monthly costs and benefits as bars."""
    labels = [date_format(m.month, "YEAR_MONTH_FORMAT") for m in report.months]
    datasets: list[dict[str, Any]] = [
        {
            "type": "line",
            "label": _g("Actual cumulative net"),
            "data": [number(m.cumulative) for m in report.months],
            "borderColor": "#206bc4",
            "backgroundColor": "#206bc4",
            "yAxisID": "y",
            "order": 0,
        }
    ]
    if report.plan_result is not None:
        datasets.append(
            {
                "type": "line",
                "label": _g("Plan cumulative net: %(name)s") % {"name": report.plan.name},
                "data": [number(m.plan) for m in report.months],
                "borderColor": "#667382",
                "backgroundColor": "#667382",
                "borderDash": [6, 4],
                "spanGaps": False,
                "yAxisID": "y",
                "order": 1,
            }
        )
    datasets += [
        {
            "type": "bar",
            "label": _g("Costs in the month"),
            "data": [number(-m.costs) for m in report.months],
            "backgroundColor": "rgba(214, 57, 57, 0.35)",
            "yAxisID": "y",
            "order": 2,
        },
        {
            "type": "bar",
            "label": _g("Benefits in the month"),
            "data": [number(m.benefits) for m in report.months],
            "backgroundColor": "rgba(47, 179, 68, 0.35)",
            "yAxisID": "y",
            "order": 3,
        },
    ]
    return {
        "type": "bar",
        "data": {"labels": labels, "datasets": datasets},
        "options": _money_axis(report.currency),
    }


def budget_chart(report: Any) -> dict[str, Any]:
    lines = [line for line in report.lines if line.budget is not None or line.actual]
    options = _money_axis(report.currency)
    return {
        "type": "bar",
        "data": {
            "labels": [str(line.label) for line in lines],
            "datasets": [
                {
                    "label": _g("Budget"),
                    "data": [number(line.budget or Decimal(0)) for line in lines],
                    "backgroundColor": "#a6c7ef",
                },
                {
                    "label": _g("Actual"),
                    "data": [number(line.actual) for line in lines],
                    "backgroundColor": ["#d63939" if line.status == "over" else "#206bc4" for line in lines],
                },
            ],
        },
        "options": options,
    }
