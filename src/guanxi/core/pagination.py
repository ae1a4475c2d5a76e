"""Keyset pagination over any sortable column (plus the primary key as tie-breaker) and capped counts.

A page is "the first `size` rows after the cursor in (field, pk) order". Two things keep that cheap on a
table of millions of rows:

* The ORDER BY and the cursor condition have the exact shape of the (field, id) indexes: plain ASC/DESC
  on NOT NULL columns (an explicit NULLS LAST on a DESC sort stops PostgreSQL from reading the index
  backwards, and it sorted the whole table instead), and ``field >= v AND (field > v OR id > pk)`` so
  the index range starts at the cursor instead of at the first row.
* On SQLite, a filtered page walks the sort column's index in windows (`_walk`). SQLite's planner does
  not weigh the LIMIT: for ``city = ? ORDER BY email LIMIT 51`` it prefers the city index and sorts
  every Shanghai contact (tens of thousands of rows, 50-150 ms) over reading the e-mail index until 51
  Shanghai contacts have gone by (a few hundred rows). The walk reads the first few hundred ids in sort
  order and keeps the rows that match; when the matches seen so far say the filter is selective, it
  collects the filter's matches through the filter's own index and sorts just those (`_collect`), which
  is also how a search's capped candidate set is paged. PostgreSQL costs the LIMIT itself and combines
  indexes with bitmaps, so it gets the plain query.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import F, ForeignObjectRel, Max, Q, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Exact
from django.utils.dateparse import parse_date, parse_datetime

# The walk starts with a window of WALK_START x the rows wanted and hands over to the planner when the
# matches seen so far say that more than WALK_LIMIT further ids would have to be read.
WALK_START = 4
WALK_LIMIT = 5000
# Past the walk, the ids of at most this many matches are collected and their rows sorted.
COLLECT_LIMIT = 5000
# A filter known to match more rows than a list counts (its count was capped) walks on in windows of at
# most WALK_WINDOW_MAX ids, until WALK_COMMON_LIMIT ids have been read; then the planner has the rest.
WALK_WINDOW_MAX = 20000
WALK_COMMON_LIMIT = 100000


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


def _after(field: str, descending: bool, value: Any, pk: int, nullable: bool) -> Q:
    """Rows after (value, pk) in the order (field, pk), both ascending or both descending, nulls last."""
    cmp = "lt" if descending else "gt"
    if field == "pk":
        return Q(**{f"pk__{cmp}": pk})
    if not nullable:
        return Q(**{f"{field}__{cmp}e": value}) & (Q(**{f"{field}__{cmp}": value}) | Q(**{f"pk__{cmp}": pk}))
    if value is None:
        return Q(**{f"{field}__isnull": True, f"pk__{cmp}": pk})
    return (
        Q(**{f"{field}__{cmp}": value})
        | Q(**{field: value, f"pk__{cmp}": pk})
        | Q(**{f"{field}__isnull": True})
    )


def _before(field: str, descending: bool, value: Any, pk: int, nullable: bool) -> Q:
    """Rows before (value, pk) in that same order."""
    cmp = "gt" if descending else "lt"
    if field == "pk":
        return Q(**{f"pk__{cmp}": pk})
    if not nullable:
        return Q(**{f"{field}__{cmp}e": value}) & (Q(**{f"{field}__{cmp}": value}) | Q(**{f"pk__{cmp}": pk}))
    if value is None:
        return Q(**{f"{field}__isnull": False}) | Q(**{f"{field}__isnull": True, f"pk__{cmp}": pk})
    return Q(**{f"{field}__{cmp}": value}) | Q(**{field: value, f"pk__{cmp}": pk})


def _ordering(field: str, reverse: bool, backwards: bool, nullable: bool) -> list[Any]:
    """ORDER BY (field, pk) descending when `reverse`; nulls last (first when reading backwards)."""
    pk_order = F("pk").desc() if reverse else F("pk").asc()
    if field == "pk":
        return [pk_order]
    if not nullable:
        return [F(field).desc() if reverse else F(field).asc(), pk_order]
    if backwards:
        return [F(field).desc(nulls_first=True) if reverse else F(field).asc(nulls_first=True), pk_order]
    return [F(field).desc(nulls_last=True) if reverse else F(field).asc(nulls_last=True), pk_order]


def _is_nullable(queryset: QuerySet[Any], field: str) -> bool:
    if field == "pk":
        return False
    return bool(queryset.model._meta.get_field(field).null)


def _needs_distinct(queryset: QuerySet[Any]) -> bool:
    """DISTINCT only matters when a join follows a to-many relation (a tag filter), which repeats the
    record once per related row; filters on local fields and foreign keys never do."""
    for join in queryset.query.alias_map.values():
        field = getattr(join, "join_field", None)
        if field is None:
            continue
        if isinstance(field, ForeignObjectRel) or field.many_to_many or field.one_to_many:
            return True
    return False


def _without_needless_distinct(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """django-filter marks every multiple-choice filter distinct (owner, source …); on a million rows
    SELECT DISTINCT over whole records is a sort of every match, so it is kept only where it matters."""
    query = queryset.query
    if not query.distinct or query.distinct_fields or _needs_distinct(queryset):
        return queryset
    clone = queryset.all()
    clone.query.distinct = False
    return clone


def _searches(node: Any) -> bool:
    """Does this WHERE clause contain a full-text search (`search_text__matches`)?"""
    from .search import Matches

    return isinstance(node, Matches) or any(_searches(child) for child in getattr(node, "children", ()))


def _equal_columns(node: Any, alias: str) -> set[str] | None:
    """The base table's columns that the WHERE clause pins to one value each, when it is nothing but
    ANDed `column = value` conditions; None when it holds anything else (an OR, a range, a join …)."""
    if isinstance(node, Exact):
        lhs = node.lhs
        if isinstance(lhs, Col) and lhs.alias == alias and not hasattr(node.rhs, "resolve_expression"):
            column = lhs.target.column
            return {column} if column is not None else None
        return None
    if getattr(node, "connector", None) == "AND" and not getattr(node, "negated", False):
        columns: set[str] = set()
        for child in node.children:
            found = _equal_columns(child, alias)
            if found is None:
                return None
            columns |= found
        return columns
    return None


def _served_by_an_index(queryset: QuerySet[Any], field: str) -> bool:
    """Does an index start with exactly the columns the filter pins, followed by the sort column? Then
    the page is read straight from it and both planners know it (a sales rep's own contacts by name:
    owner_id = ? on the index (owner_id, sort_name, id))."""
    meta = queryset.model._meta
    pinned = _equal_columns(queryset.query.where, queryset.query.get_initial_alias())
    if not pinned:
        return False
    sort_column = meta.pk.column if field == "pk" else meta.get_field(field).column
    for index in meta.indexes:
        columns = [meta.get_field(name.lstrip("-")).column for name in index.fields]
        if set(columns[: len(pinned)]) == pinned and columns[len(pinned) : len(pinned) + 1] == [sort_column]:
            return True
    # On SQLite an index on one column is ordered by rowid within each value: it serves a sort by id.
    return (
        field == "pk"
        and len(pinned) == 1
        and any(f.db_index and f.column in pinned for f in meta.concrete_fields)
    )


def _should_walk(queryset: QuerySet[Any], field: str) -> bool:
    query = queryset.query
    return (
        connections[queryset.db].vendor == "sqlite"
        and bool(query.where)
        and not query.is_empty()
        and not query.is_sliced
        and not query.combinator
        and not _served_by_an_index(queryset, field)
    )


def _walk(
    queryset: QuerySet[Any],
    *,
    field: str,
    ordering: list[Any],
    start: Q | None,
    want: int,
    after: Callable[[Any, int], Q],
    at_least: int | None = None,
) -> list[Any]:
    """The first `want` rows of the filtered `queryset` in `ordering` after `start`, found by reading the
    ids of the unfiltered table in that order window by window (see the module docstring). `at_least`:
    the filter matches at least this many rows (the caller's count was capped there)."""
    table = queryset.model._base_manager.all()
    rows: list[Any] = []
    scanned = 0
    window = max(WALK_START * want, 64)
    condition = start or Q()
    common_window = 0  # set once the filter is known to match too many rows to collect
    while True:
        ids = table.filter(condition).order_by(*ordering).values("pk")[:window]
        rows += list(queryset.filter(pk__in=ids).order_by(*ordering)[: want - len(rows)])
        if len(rows) >= want:
            return rows
        last = list(table.filter(condition).order_by(*ordering).values_list(field, "pk")[window - 1 : window])
        if not last:
            return rows  # the window reached the end of the table: every row has been seen
        scanned += window
        condition = after(last[0][0], last[0][1])
        needed = want - len(rows)
        expected = needed * scanned / max(len(rows), 0.5) * 1.5
        if expected > WALK_LIMIT and not common_window:
            if at_least is None or at_least <= COLLECT_LIMIT:
                return rows + _collect(queryset, condition, ordering, needed)
            # The caller's capped count says the filter matches too many rows to collect: tens of
            # thousands, which the planner's plan (the filter's index, then a sort of every match) costs
            # 20-25 ms at a million contacts. Few of them came by in the first rows of this order (a
            # rep's contacts by e-mail, behind everyone's empty addresses), but they are not rare: with
            # `at_least` of about `total` rows matching, a window of needed * total / at_least ids holds
            # the page on average, and one and a half times that is read, window after window, rather
            # than what a first window that happened to hold none would suggest.
            total = table.aggregate(last_id=Max("pk"))["last_id"] or at_least
            common_window = max(int(needed * total / at_least * 1.5), 64)
        if common_window:
            if scanned >= WALK_COMMON_LIMIT:
                return rows + list(queryset.filter(condition).order_by(*ordering)[:needed])
            window = max(min(int(expected), common_window, WALK_WINDOW_MAX), 64)
        else:
            window = max(window, int(expected))


def _pk(row: Any) -> Any:
    return row["pk"] if isinstance(row, dict) else row.pk


def _collect(
    queryset: QuerySet[Any],
    condition: Q,
    ordering: list[Any],
    want: int,
    *,
    few: bool = False,
    found: int | None = None,
) -> list[Any]:
    """The first `want` rows after `condition` of a selective filter, read through the filter's own index.

    Asked for the rows in sort order, or given the cursor's range, SQLite may walk a (filter, sort) or
    sort index range instead and read every row of it to test the other conditions (65,000 rows of one
    owner to find the dozen of them in a city). So: the matches' ids come from the filter's (covering)
    index; they are sorted by reading just the sort column of those rows, with nothing but their ids
    and the cursor to go by; only the page's rows are then read whole, with their related rows.
    `few`: the caller knows the queryset holds few rows (a search's candidates); `found`: how many
    rows it holds, when the caller has counted them."""
    if few:
        candidates = queryset.filter(condition)
    else:
        matches = queryset.order_by().values("pk")
        if found is None:
            found = matches[: COLLECT_LIMIT + 1].count()
        if found > COLLECT_LIMIT:
            return list(queryset.filter(condition).order_by(*ordering)[:want])  # not that selective
        if not found:
            return []
        candidates = queryset.model._base_manager.filter(condition, pk__in=matches[:COLLECT_LIMIT])
    # All the candidates' ids in order, not just the first `want`: with a LIMIT, PostgreSQL may read the
    # sort index from the start and test each entry against the candidates, which is slow when they all
    # sort late (everyone whose initials are "ww" is near the end of the alphabet).
    page = list(candidates.order_by(*ordering).values_list("pk", flat=True))[:want]
    rows = {_pk(row): row for row in queryset.filter(pk__in=page)}
    return [rows[pk] for pk in page if pk in rows]


def paginate(
    queryset: QuerySet[Any],
    *,
    sort: str,
    cursor: str | None,
    size: int,
    selective: bool = False,
    matches: int | None = None,
    at_least: int | None = None,
) -> Page:
    """One page of `queryset` ordered by `sort` ("name" or "-name", a local field) then pk, after or
    before `cursor`. Nulls sort last. The rows are model instances, or dicts holding "pk" and the sort
    field (a `values()` queryset).

    `selective`: the caller knows the queryset has few rows (a search's candidates), so they are
    collected and sorted without walking the sort index first. `matches`: the caller has counted the
    rows (a list page's capped count); when a filtered queryset has at most COLLECT_LIMIT of them, they
    are collected through the filter's index and sorted, on either database — reading the sort index
    until a page of rare matches has gone by can cost a scan of most of the table, and both planners
    misjudge filters that contradict each other (one owner's records within another team: none).
    `at_least`: the caller's count stopped there (a capped count); the filter matches that many or more."""
    queryset = _without_needless_distinct(queryset)
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    if field == "id":
        field = "pk"
    nullable = _is_nullable(queryset, field)
    backwards = False
    value: Any = None
    pk = 0
    if cursor:
        value, pk, backwards = decode_cursor(cursor)
    # Reading backwards (a "previous" cursor) is reading forwards in the reversed order.
    step = _before if backwards else _after

    def after(value: Any, pk: int) -> Q:
        return step(field, descending, value, pk, nullable)

    start = after(value, pk) if cursor else None
    ordering = _ordering(field, descending != backwards, backwards, nullable)
    filtered = bool(queryset.query.where) and not queryset.query.is_empty()
    if filtered and selective:
        rows = _collect(queryset, start or Q(), ordering, size + 1, few=True)
    elif filtered and matches is not None and matches <= COLLECT_LIMIT:
        rows = _collect(queryset, start or Q(), ordering, size + 1, found=matches)
    elif _should_walk(queryset, field):
        if _searches(queryset.query.where):  # a capped candidate set: few rows
            rows = _collect(queryset, start or Q(), ordering, size + 1)
        else:
            rows = _walk(
                queryset,
                field=field,
                ordering=ordering,
                start=start,
                want=size + 1,
                after=after,
                at_least=at_least,
            )
    else:
        page = queryset.filter(start) if start is not None else queryset
        rows = list(page.order_by(*ordering)[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def key(row: Any) -> tuple[Any, int]:
        if isinstance(row, dict):
            return (row["pk"] if field == "pk" else row[field], row["pk"])
        return (row.pk if field == "pk" else getattr(row, field), row.pk)

    if not rows:
        return Page([], None, None, is_first=True)
    next_cursor: str | None
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
    queryset = _without_needless_distinct(queryset).order_by()
    if queryset.query.distinct:
        queryset = queryset.values("pk")  # count records, not DISTINCT whole rows
    count = queryset[: cap + 1].count()
    return min(count, cap), count > cap
