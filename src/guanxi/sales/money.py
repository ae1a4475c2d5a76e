"""Money in the reporting currency: amounts are stored with their own currency and converted with the
exchange-rate table (rates are data) when totals are made."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from .models import ExchangeRate

CENT = Decimal("0.01")


def reporting_currency() -> str:
    return str(settings.GUANXI_DEFAULT_CURRENCY)


class RateTable:
    """Rates loaded once, looked up many times (a dashboard converts per currency, not per deal)."""

    def __init__(self) -> None:
        self._rates: dict[str, list[tuple[datetime.date, Decimal]]] = {}
        rows = ExchangeRate.objects.order_by("currency", "-valid_from").values_list(
            "currency", "valid_from", "rate"
        )
        for currency, valid_from, rate in rows:
            self._rates.setdefault(currency, []).append((valid_from, rate))

    def rate(self, currency: str, on_date: datetime.date | None = None) -> Decimal | None:
        if currency == reporting_currency():
            return Decimal("1")
        day = on_date or timezone.localdate()
        for valid_from, rate in self._rates.get(currency, []):
            if valid_from <= day:
                return rate
        history = self._rates.get(currency)
        return history[-1][1] if history else None

    def convert(self, amount: Decimal, currency: str, on_date: datetime.date | None = None) -> Decimal | None:
        rate = self.rate(currency, on_date)
        return None if rate is None else (amount * rate).quantize(CENT)

    def total(
        self, amounts: Iterable[tuple[str, Decimal | None]], on_date: datetime.date | None = None
    ) -> tuple[Decimal, list[str]]:
        """Sum of (currency, amount) pairs in the reporting currency, and the currencies without a rate."""
        total = Decimal("0")
        missing: list[str] = []
        for currency, amount in amounts:
            converted = self.convert(amount or Decimal("0"), currency, on_date)
            if converted is None:
                if currency not in missing:
                    missing.append(currency)
                continue
            total += converted
        return total.quantize(CENT), missing


def to_reporting(amount: Decimal, currency: str, on_date: datetime.date | None = None) -> Decimal | None:
    """One amount in the reporting currency, or None when there is no rate for its currency."""
    return RateTable().convert(amount, currency, on_date)
