"""Cost data is for administrators and Finance: every other built-in role is refused (403) on every cost
page and API endpoint, including the pages of records that exist; Finance can do everything."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from guanxi.core.audit import ObjectChange
from guanxi.costs import services
from guanxi.costs.models import Budget, Expense, PaybackSettings, PricePlan, Scenario, TimeEntry, TimeSaving
from guanxi.web.navigation import menu_for

pytestmark = pytest.mark.django_db

RECORD_PAGES = {
    "scenario": "scenario",
    "expense": "expense",
    "time_entry": "time_entry",
    "budget": "budget",
    "time_saving": "time_saving",
}
API = ["scenarios", "expenses", "time-entries", "budgets", "time-savings", "price-plans"]


@pytest.fixture
def records(admin_user, settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    scenario = services.scenario_create_from_template(actor=admin_user, template="guanxi-self-hosted")
    expense = services.expense_create(
        actor=admin_user,
        date="2026-03-01",
        category="implementation",
        description="Set-up",
        amount="100",
        currency="CNY",
        attachment=SimpleUploadedFile("invoice.pdf", b"%PDF"),
    )
    time_entry = services.time_entry_create(
        actor=admin_user,
        person_name="王芳",
        date="2026-03-01",
        hours="1",
        hourly_cost="100",
        purpose="training",
    )
    budget = services.budget_create(actor=admin_user, year=2026, category="training", amount="1000")
    saving = services.time_saving_create(
        actor=admin_user,
        person_name="李娜",
        date="2026-03-01",
        description="Reports",
        hours="1",
        hourly_cost="100",
    )
    plan = services.price_plan_create(
        actor=admin_user,
        vendor="acme",
        vendor_name="Acme",
        plan="basic",
        edition="Basic",
        currency="CNY",
        price="10",
        note="Quoted.",
    )
    services.payback_settings_save(actor=admin_user, go_live=datetime.date(2026, 1, 1), plan=scenario)
    return {
        "scenario": scenario,
        "expense": expense,
        "time_entry": time_entry,
        "budget": budget,
        "time_saving": saving,
        "price_plan": plan,
    }


def every_page(records: dict[str, Any]) -> list[str]:
    urls = []
    for key in RECORD_PAGES:
        pk = records[key].pk
        urls += [
            reverse(f"costs:{key}_list"),
            reverse(f"costs:{key}_create"),
            reverse(f"costs:{key}_detail", args=[pk]),
            reverse(f"costs:{key}_edit", args=[pk]),
            reverse(f"costs:{key}_delete", args=[pk]),
        ]
    pk = records["scenario"].pk
    plan = records["price_plan"].pk
    urls += [
        reverse("costs:scenario_templates"),
        reverse("costs:scenario_import"),
        reverse("costs:scenario_compare") + f"?scenarios={pk}",
        reverse("costs:scenario_yaml", args=[pk]),
        reverse("costs:scenario_xlsx", args=[pk]),
        reverse("costs:expense_attachment", args=[records["expense"].pk]),
        reverse("costs:budget_report"),
        reverse("costs:payback"),
        reverse("costs:payback_settings"),
        reverse("costs:price_plan_list"),
        reverse("costs:price_plan_create") + "?plan=zoho-crm/standard",
        reverse("costs:price_plan_detail", args=[plan]),
        reverse("costs:price_plan_edit", args=[plan]),
        reverse("costs:price_plan_delete", args=[plan]),
    ]
    return urls


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "service_agent", "read_only"])
def test_other_roles_get_403_on_every_cost_page_and_change_nothing(role, role_user, records):
    user = role_user(role)
    client = Client()
    client.force_login(user)
    counts = [m.objects.count() for m in (Scenario, Expense, TimeEntry, Budget, TimeSaving, PricePlan)]
    audit = ObjectChange.objects.count()
    for url in every_page(records):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x", "template": "zoho-crm", "version": "1"}).status_code in (
            403,
            405,
        ), url
    pk = records["scenario"].pk
    for url in (
        reverse("costs:scenario_duplicate", args=[pk]),
        reverse("costs:scenario_templates"),
        reverse("costs:scenario_import"),
    ):
        assert client.post(url, {"template": "zoho-crm", "text": "name: x"}).status_code == 403, url
    assert [
        m.objects.count() for m in (Scenario, Expense, TimeEntry, Budget, TimeSaving, PricePlan)
    ] == counts
    assert ObjectChange.objects.count() == audit
    assert PaybackSettings.objects.get().version == 1


@pytest.mark.parametrize("role", ["sales_rep", "read_only"])
def test_other_roles_get_403_on_every_cost_api_endpoint(role, role_user, records):
    client = APIClient()
    client.force_authenticate(role_user(role))
    keys = ["scenario", "expense", "time_entry", "budget", "time_saving", "price_plan"]
    for path, key in zip(API, keys, strict=True):
        base = f"/api/v1/costs/{path}/"
        pk = records[key].pk
        assert client.get(base).status_code == 403, base
        assert client.post(base, {}, format="json").status_code == 403, base
        assert client.get(f"{base}{pk}/").status_code == 403, base
        assert client.patch(f"{base}{pk}/", {}, format="json").status_code == 403, base
        assert client.delete(f"{base}{pk}/").status_code == 403, base
    assert client.get(f"/api/v1/costs/scenarios/{records['scenario'].pk}/result/").status_code == 403


def test_the_costs_menu_shows_only_to_those_who_may_see_costs(role_user, admin_user):
    def sections(user: Any) -> dict[str, list[str]]:
        return {str(s["label"]): [str(i["label"]) for i in s["items"]] for s in menu_for(user, "/")}

    assert "Costs" not in sections(role_user("sales_rep"))
    assert "Costs" not in sections(role_user("sales_manager"))
    finance = sections(role_user("finance"))["Costs"]
    assert finance == [
        "Scenarios",
        "Compare scenarios",
        "Expenses",
        "Internal time",
        "Budget against actual",
        "Budgets",
        "Hours saved",
        "Is our CRM paying back?",
        "Price catalogue",
    ]
    assert sections(admin_user)["Costs"] == finance


def test_finance_can_see_every_cost_page(role_user, records):
    client = Client()
    client.force_login(role_user("finance"))
    for url in every_page(records):
        assert client.get(url).status_code == 200, url


def test_finance_can_do_everything_through_the_api(role_user, records):
    finance = role_user("finance")
    client = APIClient()
    client.force_authenticate(finance)
    payloads = {
        "scenarios": {
            "name": "API scenario",
            "currency": "CNY",
            "years": 2,
            "discount_rate": "0.08",
            "costs": [{"category": "maintenance", "name": "Hosting", "monthly": 900}],
        },
        "expenses": {
            "date": "2026-04-01",
            "category": "security_compliance",
            "description": "Penetration test",
            "amount": "20000.00",
            "currency": "CNY",
        },
        "time-entries": {
            "person": finance.pk,
            "date": "2026-04-01",
            "hours": "3",
            "hourly_cost": "200",
            "purpose": "administration",
        },
        "budgets": {"year": 2027, "category": "consulting", "amount": "5000"},
        "time-savings": {
            "person_name": "赵敏",
            "date": "2026-04-01",
            "description": "Month-end close",
            "hours": "6",
            "hourly_cost": "180",
        },
        "price-plans": {
            "vendor": "zoho-crm",
            "vendor_name": "Zoho CRM",
            "plan": "standard",
            "edition": "Standard",
            "currency": "USD",
            "billing": "annual",
            "price": "15",
            "source": "https://www.zoho.com/crm/zohocrm-pricing.html",
            "read_on": "2026-11-20",
        },
    }
    for path, payload in payloads.items():
        base = f"/api/v1/costs/{path}/"
        created = client.post(base, payload, format="json")
        assert created.status_code == 201, (path, created.json())
        pk = created.json()["id"]
        assert client.get(f"{base}{pk}/").status_code == 200
        changed = client.patch(f"{base}{pk}/", {}, format="json", HTTP_IF_MATCH=created["ETag"])
        assert changed.status_code == 200, (path, changed.json())
        assert client.delete(f"{base}{pk}/").status_code == 204
    body = client.get("/api/v1/costs/time-entries/").json()["results"]
    assert body and body[0]["cost"] == "100.00"
    assert client.get(f"/api/v1/costs/scenarios/{records['scenario'].pk}/result/").status_code == 200


def test_finance_sets_the_payback_settings_through_the_page(role_user, records):
    finance = role_user("finance")
    client = Client()
    client.force_login(finance)
    settings = PaybackSettings.objects.get()
    response = client.post(
        reverse("costs:payback_settings"),
        {
            "go_live": "2026-02-01",
            "baseline_months": "6",
            "attribution": "60",
            "plan": "",
            "version": settings.version,
        },
    )
    assert response.status_code == 302
    settings.refresh_from_db()
    assert (settings.go_live, settings.baseline_months, settings.attribution, settings.plan) == (
        datetime.date(2026, 2, 1),
        6,
        Decimal("0.6"),
        None,
    )
    change = ObjectChange.objects.filter(object_type="payback_settings", action="update").get()
    assert change.actor == finance and change.after["attribution"] == "0.6000"
    page = client.get(reverse("costs:payback")).content.decode()
    assert "Attributed to the CRM: 60%" in page


def test_an_erp_can_push_expenses_by_its_own_invoice_id(role_user):
    """The platform's sync API (by external id, and bulk) writes cost records through the same services."""
    client = APIClient()
    client.force_authenticate(role_user("finance"))
    url = "/api/v1/costs/expenses/by-external-id/erp/INV-2026-0042/"
    body = {
        "date": "2026-05-06",
        "category": "migration_integration",
        "vendor": "苏州数联软件有限公司",
        "description": "ERP connector, May",
        "amount": "8000.00",
        "currency": "CNY",
        "invoice_number": "INV-2026-0042",
    }
    created = client.put(url, body, format="json")
    assert created.status_code == 201, created.json()
    again = client.put(url, body, format="json")
    assert again.status_code == 200 and again.json()["version"] == 1
    expense = Expense.objects.get()
    assert expense.amount_reporting == Decimal("8000.00")
    assert ObjectChange.objects.filter(object_type="expense", object_id=expense.pk).count() == 1
    bad = client.put(url.replace("0042", "0043"), {**body, "category": "licence"}, format="json")
    assert bad.status_code == 400 and "category" in bad.json()
    assert Expense.objects.count() == 1


def test_the_home_page_shows_this_years_costs_to_finance_only(role_user, admin_user):
    import datetime as dt

    year = dt.date.today().year
    services.budget_create(actor=admin_user, year=year, category="consulting", amount="1000")
    services.expense_create(
        actor=admin_user,
        date=dt.date(year, 1, 2),
        category="consulting",
        description="Advice",
        amount="1500",
        currency="CNY",
    )
    finance = Client()
    finance.force_login(role_user("finance"))
    page = finance.get("/").content.decode()
    assert 'id="figure-costs-this-year"' in page and "CNY 1,500" in page
    assert 'id="costs-over-budget"' in page and "External consultants" in page
    rep = Client()
    rep.force_login(role_user("sales_rep"))
    page = rep.get("/").content.decode()
    assert 'id="figure-costs-this-year"' not in page and "costs-over-budget" not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("costs", True, "costs: expected a list of cost lines, got true"),
        ("costs", 1.5, "costs: expected a list of cost lines, got 1.5"),
        ("costs", {"category": "subscription"}, "costs: expected a list of cost lines, got a mapping"),
        ("costs", [True], "costs[0]: expected a mapping of line fields, got true"),
        ("benefits", "lots", "benefits: expected a list of benefit lines, got 'lots'"),
        ("exchange_rates", [7.1], "exchange_rates: expected a mapping such as {USD: 7.1}, got a list"),
        ("exchange_rates", {"USD": True}, "exchange_rates.USD: expected a number, got true"),
        ("seats", {"a": 1}, "seats: expected a whole number, got a mapping"),
    ],
)
def test_any_json_in_a_scenario_gets_the_engines_error_not_a_server_error(role_user, field, value, message):
    """Found by the contract run (Schemathesis): the lines are free JSON, so every shape must be refused
    cleanly."""
    client = APIClient()
    client.force_authenticate(role_user("finance"))
    body = {
        "name": "Odd",
        "currency": "CNY",
        "years": 1,
        "discount_rate": "0",
        "costs": [{"category": "maintenance", "name": "Hosting", "yearly": 1}],
        field: value,
    }
    response = client.post("/api/v1/costs/scenarios/", body, format="json")
    assert response.status_code == 400, response.content
    assert message in response.json()[field]
    assert not Scenario.objects.exists()
