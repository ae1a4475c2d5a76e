import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core.testing import make_role, make_user
from guanxi.reports.selectors import add_months, dashboard
from guanxi.sales.choices import PicklistKind, StageKind
from guanxi.sales.models import Deal, ExchangeRate, PicklistValue, Pipeline
from guanxi.sales.services import deal_create, deal_move_stage

pytestmark = pytest.mark.django_db


def stages():
    pipeline = Pipeline.objects.get(is_default=True)
    by_kind = {}
    for stage in pipeline.stages.all():
        by_kind.setdefault(stage.kind, []).append(stage)
    return by_kind


def test_forecast_weights_amounts_by_stage_probability_in_the_reporting_currency():
    ExchangeRate.objects.create(currency="USD", rate=Decimal("7"), valid_from=datetime.date(2020, 1, 1))
    me = make_user(role=make_role(deal="own", activity="own"))
    today = timezone.localdate()
    this_month, next_month = add_months(today, 0), add_months(today, 1)
    open_stages = stages()[StageKind.OPEN]  # probabilities 10, 25, 50, 75
    deal_create(
        actor=me, name="a", amount=Decimal("1000"), expected_close_date=this_month, stage=open_stages[0]
    )
    deal_create(
        actor=me,
        name="b",
        amount=Decimal("100"),
        currency="USD",
        expected_close_date=this_month,
        stage=open_stages[2],
    )
    deal_create(
        actor=me, name="c", amount=Decimal("400"), expected_close_date=next_month, stage=open_stages[3]
    )
    deal_create(
        actor=make_user(role=make_role(deal="own")),
        name="hidden",
        amount=Decimal("9999"),
        expected_close_date=this_month,
    )
    result = dashboard(me, today=today)
    first, second = result.forecast[0], result.forecast[1]
    assert (first["total"], first["weighted"]) == (Decimal("1700.00"), Decimal("450.00"))
    assert (second["total"], second["weighted"]) == (Decimal("400.00"), Decimal("300.00"))
    assert sum(e["total"] for e in result.by_stage) == Decimal("2100.00")
    assert result.currency == "CNY" and result.missing_rates == []


def test_won_this_month_against_last_win_rate_and_cycle():
    me = make_user(role=make_role(deal="own"))
    kinds = stages()
    won, lost = kinds[StageKind.WON][0], kinds[StageKind.LOST][0]
    reason = PicklistValue.objects.filter(kind=PicklistKind.LOST_REASON).first()
    now = timezone.now()
    made = []
    for amount, target, days_ago, cycle in (
        (500, won, 0, 10),
        (300, won, 0, 20),
        (200, lost, 0, 5),
        (700, won, 35, 30),
    ):
        deal = deal_create(actor=me, name=str(amount), amount=Decimal(amount))
        deal = deal_move_stage(
            actor=me, deal=deal, stage=target, lost_reason=reason if target == lost else None
        )
        closed = now - datetime.timedelta(days=days_ago)
        Deal.objects.filter(pk=deal.pk).update(
            closed_at=closed, created_at=closed - datetime.timedelta(days=cycle)
        )
        made.append(deal)
    today = timezone.localdate()
    result = dashboard(me, today=today)
    assert result.won_this_month == Decimal("800.00") and result.won_count_this_month == 2
    if (now - datetime.timedelta(days=35)).date() >= add_months(today, -1):
        assert result.won_last_month == Decimal("700.00")
    assert result.closed_in_window == 4 and result.win_rate == 0.75
    assert result.average_cycle_days == 20.0


def test_missing_exchange_rates_are_reported_not_guessed():
    me = make_user(role=make_role(deal="own"))
    deal_create(actor=me, name="euro", amount=Decimal("100"), currency="EUR")
    result = dashboard(me)
    assert result.missing_rates == ["EUR"]
    assert sum(e["total"] for e in result.by_stage) == Decimal("0")


def test_the_home_page_shows_the_dashboard_with_links(client):
    me = make_user(role=make_role(deal="own", activity="own", company="all", contact="all"))
    deal_create(actor=me, name="WMS", amount=Decimal("100"))
    client.force_login(me)
    page = client.get("/").content.decode()
    assert 'id="chart-stages"' in page and 'id="sales-chart-data"' in page
    assert "/sales/deals/?status=won" in page
