"""Reads on sales records, always through visibility: the board, stage durations, conversion matches."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from guanxi.core import permissions

from .choices import StageKind
from .models import Deal, DealTotal, Lead, Pipeline, Stage, StageChange
from .money import RateTable


def deals_for(user: Any) -> QuerySet[Deal]:
    return Deal.objects.visible_to(user).select_related("stage", "pipeline", "company", "owner")


def leads_for(user: Any) -> QuerySet[Lead]:
    return Lead.objects.visible_to(user).select_related("status", "source", "owner")


def pipelines() -> QuerySet[Pipeline]:
    return Pipeline.objects.filter(active=True).prefetch_related("stages").order_by("order", "id")


# What a board card shows (views.BoardCards): the deal's own fields, its company's name, its owner's name.
CARD_FIELDS = (
    "id",
    "version",
    "name",
    "amount",
    "currency",
    "expected_close_date",
    "owner_id",
    "company__name",
)


@dataclass(slots=True)
class BoardCard:
    """One deal on the board: plain values read in one query, not a model instance with its company and
    owner (three objects a card), which is most of what a board of 200 cards costs to build."""

    pk: int
    version: int
    name: str
    amount: Decimal
    currency: str
    expected_close_date: datetime.date | None
    owner_id: int | None
    company_name: str | None
    owner_name: str = ""

    @property
    def id(self) -> int:
        return self.pk


@dataclass
class BoardColumn:
    stage: Stage
    cards: list[BoardCard] = field(default_factory=list)
    count: int = 0
    total: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")
    missing_rates: list[str] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)


def board_queryset(
    user: Any,
    pipeline: Pipeline,
    *,
    owner: Any = None,
    team: Any = None,
    close_month: datetime.date | None = None,
) -> QuerySet[Deal]:
    deals = Deal.objects.visible_to(user).filter(pipeline=pipeline, stage__kind=StageKind.OPEN)
    return _board_filters(deals, owner=owner, team=team, close_month=close_month)


def deal_totals_for(user: Any) -> QuerySet[DealTotal]:
    """The rows of `DealTotal` that count only deals `user` may see: the deal visibility condition (owner /
    team, `permissions.scope_filter`) applied to the same columns of the totals."""
    condition = permissions.scope_filter(user, Deal, "view")
    if condition is None:
        return DealTotal.objects.none()
    return DealTotal.objects.filter(condition) if condition else DealTotal.objects.all()


def cents(value: Any) -> Decimal:
    """A sum of amounts kept in cents as the Decimal the amounts themselves sum to."""
    return Decimal(int(value or 0)).scaleb(-2)


def board(user: Any, pipeline: Pipeline, *, per_stage: int = 50, **filters: Any) -> list[BoardColumn]:
    """The open stages of a pipeline with the newest `per_stage` cards each, and per stage the count, the
    total and the probability-weighted total in the reporting currency.

    Counts and totals come from `DealTotal` (a few rows per owner, currency and closing month instead of
    every open deal); each column's cards newest first from the indexes `deal_board` (pipeline, stage, id),
    `deal_owner_board` (owner, …) or `deal_board_month` (…, expected close date, …): their ids first, then
    the cards' values in one query and their owners' names in another."""
    stages = [s for s in pipeline.stages.all() if s.kind == StageKind.OPEN]
    columns = {s.pk: BoardColumn(stage=s) for s in stages}
    if not columns:
        return []
    totals = deal_totals_for(user).filter(pipeline_id=pipeline.pk, stage_id__in=list(columns))
    if filters.get("owner") is not None:
        totals = totals.filter(owner_id=filters["owner"].pk)
    if filters.get("team") is not None:
        totals = totals.filter(team_id=filters["team"].pk)
    if filters.get("close_month") is not None:
        totals = totals.filter(close_month=filters["close_month"].strftime("%Y-%m"))
    rates = RateTable()
    sums: dict[int, list[tuple[str, Decimal]]] = {}
    rows = totals.values("stage_id", "currency").annotate(n=Sum("deals"), total=Sum("amount_cents"))
    for row in rows.order_by("stage_id", "currency"):
        if not row["n"]:
            continue  # rows that no deal is in any more
        column = columns[row["stage_id"]]
        column.count += int(row["n"])
        sums.setdefault(row["stage_id"], []).append((row["currency"], cents(row["total"])))
    for stage_id, amounts in sums.items():
        column = columns[stage_id]
        column.total, column.missing_rates = rates.total(amounts)
        column.weighted = (column.total * column.stage.probability / Decimal(100)).quantize(Decimal("0.01"))
    deals = _board_filters(Deal.objects.visible_to(user).filter(pipeline=pipeline), **filters)
    newest = {
        stage_id: list(
            deals.filter(stage_id=stage_id).order_by("-id").values_list("id", flat=True)[:per_stage]
        )
        for stage_id in sums
    }
    wanted = [pk for ids in newest.values() for pk in ids]
    if wanted:
        from guanxi.users.models import User

        cards = {
            row[0]: BoardCard(*row) for row in Deal.objects.filter(pk__in=wanted).values_list(*CARD_FIELDS)
        }
        owners = {c.owner_id for c in cards.values() if c.owner_id is not None}
        names = {
            u.pk: u.name
            for u in User.objects.filter(pk__in=owners).only(
                "id", "username", "display_name", "first_name", "last_name"
            )
        }
        for card in cards.values():
            if card.owner_id is not None:
                card.owner_name = names.get(card.owner_id, "")
        for stage_id, ids in newest.items():
            columns[stage_id].cards = [cards[pk] for pk in ids if pk in cards]
    return [columns[s.pk] for s in stages]


def _board_filters(
    deals: QuerySet[Deal],
    *,
    owner: Any = None,
    team: Any = None,
    close_month: datetime.date | None = None,
) -> QuerySet[Deal]:
    if owner is not None:
        deals = deals.filter(owner=owner)
    if team is not None:
        deals = deals.filter(team=team)
    if close_month is not None:
        start = close_month.replace(day=1)
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        deals = deals.filter(expected_close_date__gte=start, expected_close_date__lt=end)
    return deals


def stage_durations(
    deal: Deal, now: datetime.datetime | None = None
) -> list[tuple[Stage, datetime.timedelta]]:
    """Time the deal spent in each stage, in the order it entered them (derived from its stage changes)."""
    from django.utils import timezone

    moves = list(StageChange.objects.filter(deal=deal).select_related("to_stage").order_by("time", "id"))
    end_of_life = deal.closed_at or now or timezone.now()
    totals: dict[int, datetime.timedelta] = {}
    order: list[Stage] = []
    for index, move in enumerate(moves):
        until = moves[index + 1].time if index + 1 < len(moves) else end_of_life
        if move.to_stage_id not in totals:
            totals[move.to_stage_id] = datetime.timedelta(0)
            order.append(move.to_stage)
        if move.to_stage.kind == StageKind.OPEN or index + 1 < len(moves):
            totals[move.to_stage_id] += max(until - move.time, datetime.timedelta(0))
    return [(stage, totals[stage.pk]) for stage in order]
