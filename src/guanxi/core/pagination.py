"""Keyset pagination over any sortable column (plus the primary key as tie-breaker) and capped counts."""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime


class InvalidCursor(ValueError):
    pass


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return parse_datetime(value["dt"])
        if "d" in value:
            return parse_date(value["d"])
        if "dec" in value:
            return decimal.Decimal(value["dec"])
        raise InvalidCursor("bad cursor value")
    return value


def encode_cursor(values: tuple[Any, int], backwards: bool = False) -> str:
    payload = json.dumps([_encode_value(values[0]), values[1], int(backwards)], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, int, bool]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk, backwards = json.loads(raw)
        return _decode_value(value), int(pk), bool(backwards)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise InvalidCursor("invalid cursor") from exc


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool


def _after(field: str, descending: bool, value: Any, pk: int) -> Q:
    """Rows after (value, pk) in the order (field, pk), both ascending or both descending, nulls last."""
    cmp = "lt" if descending else "gt"
    if value is None:
        return Q(**{f"{field}__isnull": True, f"pk__{cmp}": pk})
    return (
        Q(**{f"{field}__{cmp}": value})
        | Q(**{field: value, f"pk__{cmp}": pk})
        | Q(**{f"{field}__isnull": True})
    )


def _before(field: str, descending: bool, value: Any, pk: int) -> Q:
    """Rows before (value, pk) in that same order."""
    cmp = "gt" if descending else "lt"
    if value is None:
        return Q(**{f"{field}__isnull": False}) | Q(**{f"{field}__isnull": True, f"pk__{cmp}": pk})
    return Q(**{f"{field}__{cmp}": value}) | Q(**{field: value, f"pk__{cmp}": pk})


def paginate(queryset: QuerySet[Any], *, sort: str, cursor: str | None, size: int) -> Page:
    """One page of `queryset` ordered by `sort` ("name" or "-name", a local field) then pk, after or
    before `cursor`. Nulls sort last."""
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    if field == "id":
        field = "pk"
    backwards = False
    if cursor:
        value, pk, backwards = decode_cursor(cursor)
        if field == "pk":
            cmp = ("gt" if descending else "lt") if backwards else ("lt" if descending else "gt")
            queryset = queryset.filter(**{f"pk__{cmp}": pk})
        elif backwards:
            queryset = queryset.filter(_before(field, descending, value, pk))
        else:
            queryset = queryset.filter(_after(field, descending, value, pk))
    reverse = descending != backwards
    pk_order = F("pk").desc() if reverse else F("pk").asc()
    if field == "pk":
        ordering = [pk_order]
    elif backwards:
        ordering = [
            F(field).asc(nulls_first=True) if descending else F(field).desc(nulls_first=True),
            pk_order,
        ]
    else:
        ordering = [F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True), pk_order]
    rows = list(queryset.order_by(*ordering)[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def key(row: Any) -> tuple[Any, int]:
        return (row.pk if field == "pk" else getattr(row, field), row.pk)

    if not rows:
        return Page([], None, None, is_first=True)
    if backwards:
        next_cursor = encode_cursor(key(rows[-1]))
        is_first = not has_more
    else:
        next_cursor = encode_cursor(key(rows[-1])) if has_more else None
        is_first = not cursor
    previous_cursor = None if is_first else encode_cursor(key(rows[0]), backwards=True)
    return Page(rows, next_cursor, previous_cursor, is_first)


def capped_count(queryset: QuerySet[Any], cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): counting stops at `cap` so a list of millions answers at once ("10,000+")."""
    cap = cap or settings.GUANXI_LIST_COUNT_CAP
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap
