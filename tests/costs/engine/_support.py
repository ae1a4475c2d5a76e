"""Shared helpers for the engine tests (a plain module, not a conftest, so that the tests also run
with ``--noconftest`` and without Django)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

EXAMPLE_YAML = """\
name: Zoho CRM Professional for the sales team
currency: CNY
years: 3
discount_rate: 0.10
seats: [50, 60, 70]          # per year 1..N; a single number means every year
exchange_rates: {USD: 7.1}   # optional: 1 USD = 7.1 CNY, for catalogue prices in other currencies
costs:
  - {category: subscription, name: Zoho CRM Professional, per_seat_month: 160, escalation: 0.05}
  - {category: implementation, name: Partner set-up, initial: 120000}
  - {category: internal, name: Admin time, hours: [400, 200, 200], rate: 150, risk: 0.10}
  - {category: maintenance, name: Priority support, yearly: [20000, 20000, 25000]}
benefits:
  - {name: Sales uplift, yearly: [300000, 500000, 600000], risk: 0.20}
"""


def make(costs: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    """A scenario dict with sensible defaults: CNY, 3 years, no discounting."""
    data: dict[str, Any] = {"name": "Test", "currency": "CNY", "years": 3, "discount_rate": 0}
    data.update(top)
    data["costs"] = costs
    return data


def close(value: Decimal, expected: Fraction | int | str, tolerance: str = "1e-18") -> bool:
    """``value`` equals the exact ``expected`` to within ``tolerance`` (Decimal keeps 28 digits)."""
    exact = Fraction(expected) if not isinstance(expected, Fraction) else expected
    return abs(Fraction(value) - exact) < Fraction(tolerance)
