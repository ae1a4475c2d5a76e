"""`DealTotal` follows every write of a deal (database triggers), whatever path the write takes."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from guanxi.core.testing import make_role, make_team, make_user
from guanxi.sales import services
from guanxi.sales.choices import PicklistKind, StageKind
from guanxi.sales.models import Deal, DealTotal, PicklistValue, Pipeline
from guanxi.sales.selectors import board, deal_totals_for

pytestmark = pytest.mark.django_db


def from_deals() -> dict[tuple, tuple[int, Decimal]]:
    rows = Deal.objects.values(
        "stage_id", "pipeline_id", "owner_id", "team_id", "currency", "expected_close_date"
    ).annotate(n=Count("id"), total=Sum("amount"))
    out: dict[tuple, list] = {}
    for r in rows:
        month = r["expected_close_date"].strftime("%Y-%m") if r["expected_close_date"] else ""
        key = (r["stage_id"], r["pipeline_id"], r["owner_id"] or 0, r["team_id"] or 0, r["currency"], month)
        n, total = out.get(key, (0, Decimal("0")))
        out[key] = (n + r["n"], total + r["total"])
    return out


def from_totals() -> dict[tuple, tuple[int, Decimal]]:
    return {
        (t.stage_id, t.pipeline_id, t.owner_id, t.team_id, t.currency, t.close_month): (
            t.deals,
            Decimal(t.amount_cents).scaleb(-2),
        )
        for t in DealTotal.objects.all()
        if t.deals or t.amount_cents
    }


def test_totals_follow_creates_moves_edits_reassignments_deletes_and_cascades():
    pipeline = Pipeline.objects.get(is_default=True)
    opened = [s for s in pipeline.stages.all() if s.kind == StageKind.OPEN]
    lost = next(s for s in pipeline.stages.all() if s.kind == StageKind.LOST)
    reason = PicklistValue.objects.filter(kind=PicklistKind.LOST_REASON).first()
    north, south = make_team("North"), make_team("South")
    boss = make_user(is_superuser=True)
    alice = make_user(role=make_role(deal="team"), team=north)
    bob = make_user(role=make_role(deal="team"), team=south)
    month = datetime.date(2030, 5, 17)
    a = services.deal_create(actor=alice, name="a", amount=Decimal("100.10"), expected_close_date=month)
    b = services.deal_create(actor=alice, name="b", amount=Decimal("0.05"), currency="USD")
    c = services.deal_create(actor=bob, name="c", amount=Decimal("1234567.89"), stage=opened[1])
    assert from_totals() == from_deals()

    services.deal_move_stage(actor=alice, deal=a, stage=opened[2])
    services.deal_move_stage(actor=alice, deal=b, stage=lost, lost_reason=reason)
    a.refresh_from_db()
    services.deal_update(actor=boss, instance=a, amount=Decimal("99.99"), currency="EUR")
    a.refresh_from_db()
    services.deal_update(actor=boss, instance=a, expected_close_date=datetime.date(2031, 1, 2), owner=bob)
    assert from_totals() == from_deals()

    Deal.objects.filter(pk=c.pk).update(amount=Decimal("7.07"))  # a write that bypasses the services
    south.delete()  # deals keep their owner; their team becomes empty (SET NULL)
    assert Deal.objects.filter(team__isnull=True).exists()
    assert from_totals() == from_deals()

    services.deal_delete(actor=boss, instance=Deal.objects.get(pk=c.pk))
    Deal.objects.filter(pk=b.pk).delete()
    assert from_totals() == from_deals()
    assert {t.deals for t in DealTotal.objects.all()} <= {0, 1}


def test_board_counts_from_totals_respect_visibility_and_filters():
    pipeline = Pipeline.objects.get(is_default=True)
    first = next(s for s in pipeline.stages.all() if s.kind == StageKind.OPEN)
    north = make_team("North")
    manager = make_user(role=make_role(deal="team"), team=north)
    rep = make_user(role=make_role(deal="own"), team=north)
    outsider = make_user(role=make_role(deal="own"))
    services.deal_create(
        actor=rep, name="mine", amount=Decimal("10"), expected_close_date=datetime.date(2030, 1, 5)
    )
    services.deal_create(
        actor=rep, name="later", amount=Decimal("5"), expected_close_date=datetime.date(2030, 2, 1)
    )
    services.deal_create(actor=outsider, name="theirs", amount=Decimal("1000"))
    moved = services.deal_create(actor=rep, name="moved away", amount=Decimal("1"))
    services.deal_move_stage(
        actor=rep, deal=moved, stage=[s for s in pipeline.stages.all() if s.kind == "open"][1]
    )

    def column(user, **filters):
        return next(c for c in board(user, pipeline, **filters) if c.stage == first)

    assert (column(rep).count, column(rep).total) == (2, Decimal("15.00"))
    assert column(manager).count == 2 and column(outsider).count == 1
    january = column(manager, close_month=datetime.date(2030, 1, 1))
    assert (january.count, [d.name for d in january.cards]) == (1, ["mine"])
    assert column(manager, owner=outsider).count == 0
    assert column(manager, team=north).count == 2
    assert deal_totals_for(outsider).filter(owner_id=rep.pk).count() == 0
