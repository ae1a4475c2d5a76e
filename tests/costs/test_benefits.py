"""Benefit measured from the CRM's own data: the pure arithmetic (`summarise`) and the measurement over
real deals of the sales app, through visibility and in the reporting currency."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from guanxi.costs import benefits
from guanxi.costs.benefits import DealFact, month_fraction, summarise, window_months

from .support import seed_deal

D = datetime.date


def fact(amount: int, closed: datetime.date, *, won: bool = True, days: int = 30, owner: int = 1) -> DealFact:
    return DealFact(
        amount=Decimal(amount),
        won=won,
        created=closed - datetime.timedelta(days=days),
        closed=closed,
        owner_id=owner,
    )


def test_month_fractions_and_window_lengths():
    assert month_fraction(D(2026, 1, 1), D(2026, 1, 1), D(2026, 2, 1)) == 1
    assert month_fraction(D(2026, 1, 1), D(2026, 1, 17), D(2026, 3, 1)) == Decimal(15) / 31
    assert month_fraction(D(2026, 3, 1), D(2026, 1, 1), D(2026, 3, 1)) == 0
    assert window_months(D(2025, 10, 1), D(2026, 1, 1)) == 3
    assert window_months(D(2026, 2, 15), D(2026, 4, 1)) == Decimal(14) / 28 + 1


def test_before_and_after_figures():
    go_live = D(2026, 1, 1)
    facts = [
        # baseline: Oct–Dec 2025, two reps
        fact(100, D(2025, 10, 5), days=40, owner=1),
        fact(200, D(2025, 11, 5), days=80, owner=2),
        fact(999, D(2025, 11, 6), won=False, owner=2),
        fact(999, D(2025, 12, 6), won=False, owner=1),
        # after: Jan–Feb 2026, one rep
        fact(300, D(2026, 1, 10), days=20, owner=1),
        fact(300, D(2026, 2, 10), days=40, owner=1),
        fact(999, D(2026, 2, 11), won=False, owner=1),
        # outside both windows
        fact(5000, D(2025, 9, 30)),
        fact(5000, D(2026, 3, 1)),
    ]
    m = summarise(facts, go_live=go_live, baseline_months=3, attribution=Decimal("0.25"), until=D(2026, 3, 1))
    before, after = m.before, m.after
    assert (before.start, before.end, before.months) == (D(2025, 10, 1), go_live, 3)
    assert (before.won_revenue, before.won, before.lost, before.reps) == (300, 2, 2, 2)
    assert before.revenue_per_month == 100 and before.win_rate == Decimal("0.5")
    assert before.average_cycle_days == 60
    assert before.deals_per_rep == Decimal(2) / 2 / 3
    assert (after.won_revenue, after.won, after.lost, after.reps, after.months) == (600, 2, 1, 1, 2)
    assert after.revenue_per_month == 300 and after.win_rate == Decimal(2) / 3
    assert after.average_cycle_days == 30 and after.deals_per_rep == 1
    assert m.revenue_by_month == {
        D(2025, 10, 1): 100,
        D(2025, 11, 1): 200,
        D(2025, 12, 1): 0,
        D(2026, 1, 1): 300,
        D(2026, 2, 1): 300,
    }
    assert m.expected_by_month == {D(2026, 1, 1): 100, D(2026, 2, 1): 100}
    assert m.uplift_by_month == {D(2026, 1, 1): 200, D(2026, 2, 1): 200}
    assert m.attributed_by_month == {D(2026, 1, 1): 50, D(2026, 2, 1): 50}
    assert (m.uplift_total, m.attributed_total) == (400, 100)
    rows = {row["key"]: row for row in m.comparisons()}
    assert rows["revenue_per_month"]["change"] == 2
    assert rows["average_cycle_days"]["change"] == Decimal(-1) / 2


def test_a_month_below_the_baseline_counts_against_the_crm_and_go_live_mid_month_is_prorated():
    go_live = D(2026, 1, 17)  # 15 of January's 31 days are after go-live
    facts = [fact(3100, D(2025, 12, 20)), fact(100, D(2026, 1, 20)), fact(999, D(2025, 12, 16))]
    m = summarise(facts, go_live=go_live, baseline_months=1, attribution=Decimal(1), until=D(2026, 3, 1))
    assert m.before.months == Decimal(15) / 31 + Decimal(16) / 31
    per_month = Decimal(3100) / m.before.months
    assert m.expected_by_month[D(2026, 1, 1)] == per_month * Decimal(15) / 31
    assert m.uplift_by_month[D(2026, 1, 1)] == 100 - per_month * Decimal(15) / 31
    assert m.uplift_by_month[D(2026, 2, 1)] == -per_month
    assert m.attributed_total < 0


def test_without_any_baseline_deal_every_won_deal_after_go_live_is_uplift():
    m = summarise(
        [fact(500, D(2026, 2, 3))],
        go_live=D(2026, 1, 1),
        baseline_months=6,
        attribution=Decimal(1),
        until=D(2026, 4, 1),
    )
    assert m.before.revenue_per_month == 0 and m.before.win_rate is None and m.before.deals_per_rep is None
    assert m.uplift_total == 500


def test_nothing_is_measured_without_the_sales_app(monkeypatch, db):
    monkeypatch.setattr(benefits, "sales_installed", lambda: False)
    m = benefits.measure(None, go_live=D(2026, 1, 1), baseline_months=3, attribution=Decimal(1))
    assert not m.available and "sales app is not installed" in m.reason
    assert m.attributed_by_month == {}


@pytest.mark.django_db
def test_measured_over_the_visible_deals_in_the_reporting_currency(admin_user, role_user):
    from guanxi.core.testing import make_team
    from guanxi.sales.models import ExchangeRate

    ExchangeRate.objects.create(currency="USD", valid_from=D(2025, 1, 1), rate=Decimal("7.1"))
    east = make_team("East")
    finance, rep, other = role_user("finance"), role_user("sales_rep", east), role_user("sales_rep", east)
    go_live = D(2026, 1, 1)
    seed_deal(admin_user, owner=rep, amount="100000", closed=D(2025, 11, 10), created=D(2025, 10, 1))
    seed_deal(admin_user, owner=other, amount="1000", currency="USD", closed=D(2025, 12, 10))
    seed_deal(admin_user, owner=rep, amount="80000", closed=D(2025, 12, 20), won=False)
    seed_deal(admin_user, owner=rep, amount="150000", closed=D(2026, 1, 15), created=D(2025, 12, 16))
    seed_deal(admin_user, owner=other, amount="5000", currency="JPY", closed=D(2026, 1, 20))
    seed_deal(admin_user, owner=other, amount="70000", closed=D(2026, 2, 27))
    seed_deal(admin_user, owner=rep, amount="999999", closed=D(2026, 3, 2))  # the current month: not yet
    from guanxi.sales.services import deal_create

    deal_create(actor=admin_user, owner=rep, name="Still open", amount=Decimal(500000))

    on = D(2026, 3, 15)
    everything = benefits.measure(finance, go_live=go_live, baseline_months=2, attribution=Decimal(1), on=on)
    assert everything.available and everything.unconverted == 1  # JPY has no rate
    assert everything.before.won_revenue == Decimal(100000) + Decimal("7100.00")
    assert (everything.before.won, everything.before.lost, everything.before.reps) == (2, 1, 2)
    assert everything.after.won_revenue == Decimal(220000) and everything.after.won == 2
    assert everything.before.average_cycle_days == (Decimal(40) + Decimal(30)) / 2
    assert everything.after.end == D(2026, 3, 1)
    per_month = (Decimal(100000) + Decimal("7100.00")) / 2
    assert everything.uplift_by_month == {D(2026, 1, 1): 150000 - per_month, D(2026, 2, 1): 70000 - per_month}

    own = benefits.measure(rep, go_live=go_live, baseline_months=2, attribution=Decimal("0.5"), on=on)
    assert own.before.won_revenue == Decimal(100000) and own.before.lost == 1
    assert own.after.won_revenue == Decimal(150000) and own.unconverted == 0
    assert own.attributed_by_month[D(2026, 1, 1)] == (150000 - Decimal(50000)) / 2
