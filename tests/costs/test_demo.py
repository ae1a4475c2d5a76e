"""The costs demo: a lived-in first year that the payback page can show."""

from __future__ import annotations

import random

import pytest

from guanxi.core.demodata import DemoContext
from guanxi.costs import demo, selectors
from guanxi.costs.models import Budget, Expense, Scenario, TimeEntry, TimeSaving

pytestmark = pytest.mark.django_db


def test_the_demo_year_shows_costs_benefits_and_a_plan(admin_user):
    from guanxi.customers.services import company_create
    from guanxi.users import demo as users_demo

    context = DemoContext(rng=random.Random(8), admin=admin_user)
    users_demo.load(context)
    context.data["companies"] = [
        company_create(actor=admin_user, owner=context.users[i % len(context.users)], name=f"演示公司{i}")
        for i in range(6)
    ]
    summary = demo.load(context)
    assert "3 scenarios" in summary and "deals from the old CRM" in summary
    assert Scenario.objects.count() == 3
    assert {c for c in Expense.objects.values_list("category", flat=True)} | {
        c for c in TimeEntry.objects.values_list("category", flat=True)
    } == set(selectors.category_labels())
    assert TimeSaving.objects.exists() and Budget.objects.exists()

    settings = selectors.payback_settings()
    today = selectors.today()
    assert selectors.add_months(settings.go_live, 9) == today.replace(day=1)
    finance = context.admin
    report = selectors.payback_report(finance, plan=settings.plan, settings=settings)
    assert report.costs_to_date > 300000 and report.savings_to_date > 0
    assert report.measurement.available and report.measurement.before.won > 0
    assert report.plan_result is not None and report.plan_payback_month is not None
    assert len(report.months) == 13
    # Every category spent in has a budget; only overruns or spending ahead of budget are flagged (which
    # ones depends on how far into the year today is).
    for year in (today.year - 1, today.year):
        warnings = selectors.budget_report(finance, year, today).warnings
        assert {w.status for w in warnings} <= {"over", "ahead"}
