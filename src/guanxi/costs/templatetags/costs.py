"""Money, percentages and months as the cost pages show them, in the active locale."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _g

register = template.Library()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


@register.filter
def money(value: Any, places: int = 2) -> str:
    """1234567.891 → "1,234,567.89" (grouped as the locale groups); "—" for nothing."""
    number = _decimal(value)
    if number is None:
        return "—"
    quantum = Decimal(1).scaleb(-int(places))
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return number_format(rounded, int(places), force_grouping=True)


@register.filter
def money0(value: Any) -> str:
    return money(value, 0)


@register.filter
def percent(value: Any, places: int = 1) -> str:
    """A ratio as a percentage: 0.5623 → "56.2%"."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{money(number * 100, places)}%"


@register.filter
def months(value: Any) -> str:
    number = _decimal(value)
    if number is None:
        return _g("not within the horizon")
    return _g("%(months)s months") % {"months": money(number, 1)}


@register.filter
def signed_class(value: Any) -> str:
    number = _decimal(value)
    if number is None or number == 0:
        return ""
    return "text-success" if number > 0 else "text-danger"
