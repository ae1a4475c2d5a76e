"""The costs app's services and selectors: scenarios through the engine, YAML import and export, the
price catalogue, the ledger in the reporting currency, attachments, budget against actual and payback."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from guanxi.core.audit import ObjectChange
from guanxi.core.testing import make_role, make_user
from guanxi.costs import engine, selectors, services
from guanxi.costs.forms import ScenarioForm
from guanxi.costs.models import Expense, PricePlan, Scenario

pytestmark = pytest.mark.django_db

LICENCES = {"category": "subscription", "name": "Licences", "yearly": "12000"}


@pytest.fixture
def finance(role_user):
    return role_user("finance")


def scenario(actor, **fields):
    fields.setdefault("name", "Test scenario")
    fields.setdefault("costs", [LICENCES])
    return services.scenario_create(actor=actor, currency="CNY", years=3, discount_rate="0.1", **fields)


# --- scenarios and the engine -------------------------------------------------------------------


@pytest.mark.parametrize("name", engine.template_names())
def test_a_scenario_from_a_template_is_the_template_for_the_engine(finance, name):
    stored = services.scenario_create_from_template(actor=finance, template=name)
    assert stored.template == name
    assert selectors.scenario_engine(stored) == engine.load_template(name)
    assert engine.result_to_dict(selectors.scenario_result(stored)) == engine.result_to_dict(
        engine.compute(engine.load_template(name))
    )


def test_scenario_round_trip_through_yaml_gives_the_same_scenario_and_result(finance):
    original = services.scenario_create_from_template(actor=finance, template="salesforce-sales-cloud")
    text = engine.dump_scenario(selectors.scenario_engine(original))
    imported = services.scenario_import_yaml(actor=finance, content=text.encode())
    assert imported.pk != original.pk
    assert selectors.scenario_engine(imported) == selectors.scenario_engine(original)
    assert engine.result_to_dict(selectors.scenario_result(imported)) == engine.result_to_dict(
        selectors.scenario_result(original)
    )


def test_stored_lines_keep_exact_decimals_as_text(finance):
    stored = scenario(
        finance,
        costs=[
            {"category": "internal", "name": "Admin", "hours": [600, 400.5, "400"], "rate": 0.1, "risk": 0.15}
        ],
    )
    assert stored.costs == [
        {
            "category": "internal",
            "name": "Admin",
            "hours": ["600", "400.5", "400"],
            "rate": "0.1",
            "risk": "0.15",
        }
    ]
    line = selectors.scenario_engine(stored).costs[0]
    assert line.hours == (Decimal(600), Decimal("400.5"), Decimal(400)) and line.rate == Decimal("0.1")


def test_the_engine_validates_every_write_and_reports_problems_by_line(finance):
    before = (Scenario.objects.count(), ObjectChange.objects.filter(object_type="scenario").count())
    with pytest.raises(ValidationError) as caught:
        scenario(
            finance,
            costs=[
                LICENCES,
                {"category": "internal", "name": "Admin", "hours": [1, 2], "rate": 100},
                {"category": "licence", "name": "Typo", "yearly": 1},
            ],
            seats=[50, -2, 60],
        )
    errors = caught.value.message_dict
    assert errors["costs"] == [
        "costs[1].hours: expected 3 values (one per year), got 2",
        "costs[2].category: unknown category 'licence'; expected one of subscription, implementation, "
        "maintenance, migration_integration, customization, training, upgrade_expansion, "
        "security_compliance, consulting, internal",
    ]
    assert errors["seats"] == ["seats[1]: must not be negative, got -2"]
    assert (Scenario.objects.count(), ObjectChange.objects.filter(object_type="scenario").count()) == before


def test_a_plan_priced_in_another_currency_needs_a_rate(finance):
    with pytest.raises(ValidationError) as caught:
        scenario(finance, seats=50, costs=[{"category": "subscription", "plan": "zoho-crm/professional"}])
    assert "add exchange_rates" in caught.value.message_dict["costs"][0]
    stored = scenario(
        finance,
        seats=50,
        exchange_rates={"usd": "7.10"},
        costs=[{"category": "subscription", "plan": "zoho-crm/professional"}],
    )
    assert stored.exchange_rates == {"USD": "7.1"}
    assert selectors.scenario_result(stored).tco == Decimal(23) * Decimal("7.10") * 12 * 50 * 3


def test_every_scenario_change_is_audited_with_its_lines(finance):
    stored = scenario(finance)
    services.scenario_update(
        actor=finance, instance=stored, costs=[{**LICENCES, "yearly": "15000"}], expected_version=1
    )
    change = ObjectChange.objects.filter(object_type="scenario", object_id=stored.pk, action="update").get()
    assert change.before == {"costs": [LICENCES]}
    assert change.after == {"costs": [{**LICENCES, "yearly": "15000"}]}
    assert change.actor == finance


def _resubmission(form: ScenarioForm) -> dict[str, str]:
    """What the browser sends back for an untouched form."""
    data: dict[str, str] = {}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else str(value)
    for _kind, formset in form.formsets:
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = str(value)
        for line in formset.forms:
            for field in line:
                value = field.value()
                if value not in (None, False):
                    data[field.html_name] = str(value)
    return data


@pytest.mark.parametrize("name", ["zoho-crm", "guanxi-self-hosted", "pipedrive"])
def test_saving_the_edit_form_untouched_changes_nothing(finance, name):
    stored = services.scenario_create_from_template(actor=finance, template=name)
    form = ScenarioForm(instance=stored, user=finance)
    client = Client()
    client.force_login(finance)
    response = client.post(f"/costs/scenarios/{stored.pk}/edit/", _resubmission(form))
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = Scenario.objects.get(pk=stored.pk)
    assert fresh.version == stored.version
    assert fresh.costs == stored.costs and fresh.benefits == stored.benefits
    assert not ObjectChange.objects.filter(
        object_type="scenario", object_id=stored.pk, action="update"
    ).exists()


def test_the_form_puts_engine_problems_on_the_line_they_are_about(finance):
    stored = scenario(finance)
    form = ScenarioForm(instance=stored, user=finance)
    data = _resubmission(form)
    data.update(
        {
            "costs-TOTAL_FORMS": "3",
            "costs-1-category": "internal",
            "costs-1-name": "Administrator",
            "costs-1-form": "hours",
            "costs-1-values": "600; 400",
            "costs-1-rate": "150",
            "costs-2-category": "consulting",
            "costs-2-name": "Consultant",
            "costs-2-form": "yearly",
            "costs-2-values": "1,200",
        }
    )
    client = Client()
    client.force_login(finance)
    response = client.post(f"/costs/scenarios/{stored.pk}/edit/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write numbers without thousands separators" in page
    assert Scenario.objects.get(pk=stored.pk).version == stored.version
    data["costs-2-values"] = "1200"
    response = client.post(f"/costs/scenarios/{stored.pk}/edit/", data)
    assert response.status_code == 400
    rows = re.findall(r"<tr class=\"gx-line-errors\">(.*?)</tr>", response.content.decode(), re.S)
    assert len(rows) == 1 and "expected 3 values (one per year), got 2" in rows[0]
    assert Scenario.objects.get(pk=stored.pk).version == stored.version


# --- YAML import --------------------------------------------------------------------------------

BAD_YAML = """\
name: Broken
currency: cny
years: 3
discount_rate: 1.5
seats: [50, 60]
costs:
  - {category: subscription, plan: hubspot-sales-hub/pro}
  - {category: internal, name: Admin, hours: [400, 200], rate: 150}
  - {category: maintenance, name: Support, yearly: 100, monthly: 10}
"""


def test_a_bad_yaml_file_lists_every_problem_and_saves_nothing(finance):
    before = (Scenario.objects.count(), ObjectChange.objects.count())
    with pytest.raises(ValidationError) as caught:
        services.scenario_import_yaml(actor=finance, content=BAD_YAML.encode())
    problems = caught.value.message_dict["yaml"]
    assert "currency: expected a 3-letter currency code such as CNY, got 'cny'" in problems
    assert "discount_rate: must be at least 0 and below 1 (0.10 means 10%), got 1.5" in problems
    assert "seats: expected 3 values (one per year), got 2" in problems
    assert any(p.startswith("costs[0].plan: unknown plan 'hubspot-sales-hub/pro'") for p in problems)
    assert "costs[1].hours: expected 3 values (one per year), got 2" in problems
    assert any(p.startswith("costs[2]: more than one amount form") for p in problems)
    assert (Scenario.objects.count(), ObjectChange.objects.count()) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name: [unclosed", "Invalid YAML at line"),
        (b"\xff\xfe\x00n\x00a", "not UTF-8"),
        (b"- just\n- a list\n", "does not hold a scenario"),
    ],
)
def test_unreadable_files_get_a_clear_error(finance, content, message):
    with pytest.raises(ValidationError) as caught:
        services.scenario_import_yaml(actor=finance, content=content)
    assert message in caught.value.message_dict["yaml"][0]
    assert not Scenario.objects.exists()


def test_the_import_page_shows_the_problems_and_imports_a_good_file(finance):
    client = Client()
    client.force_login(finance)
    response = client.post(
        "/costs/scenarios/import/", {"file": SimpleUploadedFile("bad.yaml", BAD_YAML.encode())}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="import-problems"' in page and "costs[1].hours: expected 3 values" in page
    assert not Scenario.objects.exists()
    good = engine.template_text("fxiaoke")
    response = client.post("/costs/scenarios/import/", {"text": good})
    assert response.status_code == 302
    imported = Scenario.objects.get()
    assert selectors.scenario_engine(imported) == engine.load_template("fxiaoke")


def test_exports_are_the_engines_yaml_and_workbook(finance):
    stored = services.scenario_create_from_template(actor=finance, template="zoho-crm")
    client = Client()
    client.force_login(finance)
    response = client.get(f"/costs/scenarios/{stored.pk}/export.yaml")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert engine.load_scenario(response.content.decode()) == selectors.scenario_engine(stored)
    response = client.get(f"/costs/scenarios/{stored.pk}/export.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert workbook.sheet_names[0] == "Comparison"
    other = services.scenario_create_from_template(actor=finance, template="guanxi-self-hosted")
    response = client.get(f"/costs/scenarios/compare/?scenarios={stored.pk}&scenarios={other.pk}&format=xlsx")
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert len(workbook.sheet_names) == 3


def test_the_result_api_returns_the_engines_json(finance):
    from rest_framework.test import APIClient

    stored = services.scenario_create_from_template(actor=finance, template="hubspot-sales-hub")
    client = APIClient()
    client.force_authenticate(finance)
    body = client.get(f"/api/v1/costs/scenarios/{stored.pk}/result/").json()
    assert body == engine.result_to_dict(engine.compute(engine.load_template("hubspot-sales-hub")))
    narrow = client.get(f"/api/v1/costs/scenarios/{stored.pk}/result/", {"sensitivity": "0.1"}).json()
    assert Decimal(narrow["sensitivity"][0]["swing"]) * 2 == pytest.approx(
        Decimal(body["sensitivity"][0]["swing"]), abs=Decimal("0.02")
    )
    assert client.get(f"/api/v1/costs/scenarios/{stored.pk}/result/", {"sensitivity": "2"}).status_code == 400


# --- the price catalogue ------------------------------------------------------------------------


def test_an_edited_price_reprices_the_scenarios_that_use_the_plan(finance):
    stored = services.scenario_create_from_template(actor=finance, template="fxiaoke")
    before = selectors.scenario_result(stored).tco
    packaged = engine.default_catalog().get("fxiaoke/flagship")
    override = services.price_plan_create(
        actor=finance,
        vendor="fxiaoke",
        vendor_name="纷享销客 Fxiaoke",
        plan="flagship",
        edition="旗舰版 Flagship",
        currency="CNY",
        billing="annual",
        price=packaged.price_per_user_month + 10,
        price_period="month",
        source="https://www.fxiaoke.com/price",
        read_on=datetime.date(2026, 11, 1),
    )
    line = next(c for c in stored.costs if c.get("plan") == "fxiaoke/flagship")
    assert "per_seat_month" not in line
    seats = selectors.scenario_engine(stored).seats
    escalation = Decimal(line.get("escalation", "0"))
    expected = sum(Decimal(10) * 12 * s * (1 + escalation) ** i for i, s in enumerate(seats))
    assert selectors.scenario_result(stored).tco - before == pytest.approx(expected, abs=Decimal("0.0001"))
    row = next(r for r in selectors.catalog_rows() if r.plan.id == "fxiaoke/flagship")
    assert (
        row.origin == "edited" and row.record == override and row.plan.read_on == datetime.date(2026, 11, 1)
    )
    services.price_plan_delete(actor=finance, instance=override)
    assert selectors.scenario_result(stored).tco == before


def test_an_added_plan_can_be_used_and_invalid_prices_are_refused_field_by_field(finance):
    services.price_plan_create(
        actor=finance,
        vendor="acme-crm",
        vendor_name="Acme CRM",
        plan="team",
        edition="Team",
        currency="CNY",
        price="1200",
        price_period="year",
        note="Quoted by the reseller, November 2026.",
    )
    row = next(r for r in selectors.catalog_rows() if r.plan.id == "acme-crm/team")
    assert row.origin == "added" and row.plan.price_per_user_month == Decimal(100)
    stored = scenario(finance, seats=10, costs=[{"category": "subscription", "plan": "acme-crm/team"}])
    assert selectors.scenario_result(stored).tco == Decimal(100) * 12 * 10 * 3
    with pytest.raises(ValidationError) as caught:
        services.price_plan_create(
            actor=finance,
            vendor="acme-crm",
            vendor_name="Acme CRM",
            plan="pro",
            edition="Pro",
            currency="CNY",
            price="10",
            source="https://acme.example/pricing",
        )
    assert "read_on" in caught.value.message_dict
    assert not PricePlan.objects.filter(plan="pro").exists()


# --- the ledger ---------------------------------------------------------------------------------


def test_an_expense_in_another_currency_needs_a_rate_and_is_kept_in_the_reporting_currency(finance):
    with pytest.raises(ValidationError) as caught:
        services.expense_create(
            actor=finance,
            date="2026-03-01",
            category="consulting",
            description="Workshop",
            amount="1000",
            currency="CHF",
        )
    assert "exchange_rate" in caught.value.message_dict
    typed = services.expense_create(
        actor=finance,
        date="2026-03-01",
        category="consulting",
        description="Workshop",
        amount="1000",
        currency="usd",
        exchange_rate=Decimal("7.1234"),
    )
    assert (typed.currency, typed.amount_reporting) == ("USD", Decimal("7123.40"))


def test_the_sales_exchange_rates_are_used_when_no_rate_is_typed(finance):
    from guanxi.sales.models import ExchangeRate

    ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(2026, 1, 1), rate=Decimal("7.75"))
    expense = services.expense_create(
        actor=finance,
        date="2026-03-01",
        category="consulting",
        description="Audit",
        amount="200",
        currency="EUR",
    )
    assert expense.amount_reporting == Decimal("1550.00") and expense.exchange_rate == Decimal("7.75")
    change = ObjectChange.objects.get(object_type="expense", object_id=expense.pk)
    assert change.after["exchange_rate"] == "7.75000000"


def test_time_is_valued_at_its_hourly_cost_and_names_the_person(finance, role_user):
    rep = role_user("sales_rep")
    entry = services.time_entry_create(
        actor=finance, person=rep, date="2026-03-01", hours="2.5", hourly_cost="120.40", purpose="training"
    )
    assert entry.cost == Decimal("301.00") and entry.person_name == rep.name and entry.category == "internal"
    with pytest.raises(ValidationError) as caught:
        services.time_entry_create(
            actor=finance, date="2026-03-01", hours="1", hourly_cost="1", purpose="other"
        )
    assert "person" in caught.value.message_dict


def test_attachments_are_size_limited_and_only_served_to_those_who_see_the_expense(
    finance, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.GUANXI_COSTS_ATTACHMENT_MAX_BYTES = 1000
    client = Client()
    client.force_login(finance)
    form = {
        "date": "2026-03-01",
        "category": "implementation",
        "description": "Set-up",
        "amount": "100",
        "currency": "CNY",
    }
    too_big = SimpleUploadedFile("invoice.pdf", b"%PDF" + b"0" * 2000, content_type="application/pdf")
    response = client.post("/costs/expenses/new/", {**form, "attachment": too_big})
    assert response.status_code == 400 and "attachments may be at most" in response.content.decode()
    script = SimpleUploadedFile("invoice.html", b"<script>", content_type="text/html")
    response = client.post("/costs/expenses/new/", {**form, "attachment": script})
    assert response.status_code == 400 and "cannot be attached" in response.content.decode()
    assert not Expense.objects.exists()

    invoice = SimpleUploadedFile("发票 2026-03.pdf", b"%PDF-1.7 invoice", content_type="application/pdf")
    response = client.post("/costs/expenses/new/", {**form, "attachment": invoice})
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.attachment.name.startswith("costs/expenses/")
    assert (tmp_path / expense.attachment.name).read_bytes() == b"%PDF-1.7 invoice"

    response = client.get(f"/costs/expenses/{expense.pk}/attachment/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 invoice"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/media/{expense.attachment.name}").status_code == 404

    own_scope = make_user(role=make_role(expense="own"))
    other = Client()
    other.force_login(own_scope)
    assert other.get(f"/costs/expenses/{expense.pk}/attachment/").status_code == 404

    old_name = expense.attachment.name
    replacement = SimpleUploadedFile("invoice-v2.pdf", b"%PDF-1.7 v2", content_type="application/pdf")
    with_version = {**form, "attachment": replacement, "version": expense.version}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/costs/expenses/{expense.pk}/edit/", with_version)
    assert response.status_code == 302
    expense.refresh_from_db()
    assert expense.attachment.name != old_name
    assert not (tmp_path / old_name).exists(), "the replaced file is deleted once the change is committed"
    change = ObjectChange.objects.filter(object_type="expense", object_id=expense.pk, action="update").get()
    assert change.before["attachment"] == old_name and change.after["attachment"].endswith("invoice-v2.pdf")


# --- budget against actual ----------------------------------------------------------------------


def _ledger(actor):
    services.budget_create(actor=actor, year=2026, category="implementation", amount="60000")
    services.budget_create(actor=actor, year=2026, category="training", amount="12000")
    services.budget_create(actor=actor, year=2026, category="maintenance", amount="24000")
    services.budget_create(actor=actor, year=2025, category="training", amount="1")
    for day, amount in (("2026-01-10", "30000"), ("2026-02-10", "25000"), ("2026-03-05", "10000")):
        services.expense_create(
            actor=actor,
            date=day,
            category="implementation",
            description="Partner",
            amount=amount,
            currency="CNY",
        )
    services.expense_create(
        actor=actor,
        date="2026-02-01",
        category="training",
        description="Course",
        amount="500",
        currency="USD",
        exchange_rate=Decimal("7"),
    )
    services.time_entry_create(
        actor=actor,
        person_name="王芳",
        date="2026-03-20",
        hours="20",
        hourly_cost="150",
        purpose="training",
        category="training",
    )
    services.expense_create(
        actor=actor,
        date="2026-01-31",
        category="maintenance",
        description="Hosting",
        amount="2000",
        currency="CNY",
    )
    services.expense_create(
        actor=actor,
        date="2026-02-15",
        category="consulting",
        description="Advice",
        amount="800",
        currency="CNY",
    )
    services.expense_create(
        actor=actor,
        date="2025-12-31",
        category="training",
        description="Last year",
        amount="999",
        currency="CNY",
    )


def test_budget_against_actual_by_category_and_month(finance):
    _ledger(finance)
    report = selectors.budget_report(finance, 2026, datetime.date(2026, 3, 31))
    lines = {line.category: line for line in report.lines}
    implementation = lines["implementation"]
    assert implementation.months[:3] == [Decimal(30000), Decimal(25000), Decimal(10000)]
    assert implementation.actual == Decimal(65000) and implementation.remaining == Decimal(-5000)
    assert implementation.status == "over" and implementation.used == Decimal(65000) / Decimal(60000)
    assert [over for _a, over in implementation.month_cells][:4] == [False, False, True, False]
    assert not any(over for _a, over in lines["training"].month_cells)
    training = lines["training"]
    assert training.months[1:3] == [Decimal(3500), Decimal(3000)] and training.actual == Decimal(6500)
    assert training.budget_to_date == Decimal(3000) and training.status == "ahead"
    maintenance = lines["maintenance"]
    assert (maintenance.actual, maintenance.status, maintenance.budget_to_date) == (
        Decimal(2000),
        "ok",
        Decimal(6000),
    )
    assert lines["consulting"].status == "unbudgeted" and lines["consulting"].budget is None
    assert lines["security_compliance"].status == "ok" and lines["security_compliance"].actual == 0
    assert report.actual_total == Decimal(65000 + 6500 + 2000 + 800)
    assert report.budget_total == Decimal(96000)
    assert report.month_totals[0] == Decimal(32000)
    assert [w.category for w in report.warnings] == ["implementation", "training", "consulting"]
    assert 2025 in report.years and 2026 in report.years


@pytest.mark.parametrize(
    ("budget", "actual", "elapsed", "status"),
    [
        (Decimal(1200), Decimal(1201), 12, "over"),
        (Decimal(1200), Decimal(1200), 12, "ok"),
        (Decimal(1200), Decimal(301), 3, "ahead"),
        (Decimal(1200), Decimal(300), 3, "ok"),
        (Decimal(1200), Decimal(0), 0, "ok"),
        (Decimal(0), Decimal(1), 1, "over"),
        (None, Decimal(1), 1, "unbudgeted"),
        (None, Decimal(0), 1, "ok"),
    ],
)
def test_budget_status(budget, actual, elapsed, status):
    assert selectors.budget_status(budget, actual, elapsed)[0] == status


def test_saving_an_expense_that_takes_a_category_over_budget_warns(finance):
    services.budget_create(actor=finance, year=2026, category="consulting", amount="1000")
    client = Client()
    client.force_login(finance)
    response = client.post(
        "/costs/expenses/new/",
        {
            "date": "2026-12-01",
            "category": "consulting",
            "description": "Advice",
            "amount": "1500",
            "currency": "CNY",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "External consultants is over its 2026 budget: 1,500 spent of 1,000." in page
    page = client.get("/costs/budgets/report/?year=2026").content.decode()
    assert 'id="budget-warnings"' in page and 'data-warning="consulting" data-status="over"' in page


# --- payback to date ----------------------------------------------------------------------------


def test_payback_to_date_against_the_plan(finance, role_user, admin_user):
    from .support import seed_deal

    rep = role_user("sales_rep")
    go_live = datetime.date(2026, 1, 1)
    # Baseline (Oct-Dec 2025): 300,000 won in three months = 100,000 a month.
    for month in (10, 11, 12):
        seed_deal(admin_user, owner=rep, amount="100000", closed=datetime.date(2025, month, 15))
    seed_deal(admin_user, owner=rep, amount="50000", closed=datetime.date(2025, 11, 20), won=False)
    # After go-live: 150,000 a month in January and February, nothing yet in March (the current month).
    for month in (1, 2):
        seed_deal(admin_user, owner=rep, amount="150000", closed=datetime.date(2026, month, 10))
    plan = services.scenario_create(
        actor=finance,
        name="Plan",
        currency="CNY",
        years=1,
        discount_rate="0",
        costs=[{"category": "implementation", "name": "Set-up", "initial": "60000", "yearly": "12000"}],
        benefits=[{"name": "Uplift", "yearly": "120000"}],
    )
    services.payback_settings_save(
        actor=finance, go_live=go_live, baseline_months=3, attribution=Decimal("0.5"), plan=plan
    )
    services.expense_create(
        actor=finance,
        date="2025-12-15",
        category="implementation",
        description="Set-up",
        amount="60000",
        currency="CNY",
    )
    for month in (1, 2, 3):
        services.expense_create(
            actor=finance,
            date=datetime.date(2026, month, 5),
            category="maintenance",
            description="Hosting",
            amount="1000",
            currency="CNY",
        )
    services.time_saving_create(
        actor=finance,
        person_name="李娜",
        date="2026-02-28",
        description="Reports",
        hours="10",
        hourly_cost="100",
    )

    report = selectors.payback_report(finance, plan=plan, on=datetime.date(2026, 3, 20))
    assert [m.month for m in report.months] == [
        datetime.date(2025, 12, 1),
        *(datetime.date(2026, m, 1) for m in (1, 2, 3)),
    ]
    assert report.costs_to_date == Decimal(63000)
    # 50% of (150,000 − 100,000) in January and February; March is not measured until it ends.
    assert report.uplift_to_date == Decimal(50000) and report.savings_to_date == Decimal(1000)
    assert report.benefits_to_date == Decimal(51000)
    assert report.net_to_date == Decimal(-12000)
    assert report.roi_to_date == Decimal(-12000) / Decimal(63000)
    assert [m.cumulative for m in report.months] == [
        Decimal(-60000),
        Decimal(-36000),
        Decimal(-11000),
        Decimal(-12000),
    ]
    assert report.payback_month is None
    # Run rate over January and February: (24,000 + 25,000) / 2 a month → 12,000 to go needs one month.
    assert report.run_rate == Decimal(24500)
    assert report.projected_payback_month == datetime.date(2026, 4, 1)
    # The plan: −60,000 at go-live, then (120,000 − 12,000) / 12 = 9,000 a month.
    assert [m.plan for m in report.months] == [
        Decimal(-60000),
        Decimal(-51000),
        Decimal(-42000),
        Decimal(-33000),
    ]
    assert report.plan_payback_month == datetime.date(2026, 7, 1)
    assert report.plan_to_date == Decimal(-33000)
    comparisons = {row["key"]: row for row in report.measurement.comparisons()}
    assert comparisons["revenue_per_month"]["before"] == Decimal(100000)
    assert comparisons["revenue_per_month"]["after"] == Decimal(150000)
    assert comparisons["win_rate"]["before"] == Decimal(3) / 4 and comparisons["win_rate"]["after"] == 1

    later = selectors.payback_report(finance, plan=plan, on=datetime.date(2026, 4, 2))
    assert later.payback_month is None  # March had no deals: its uplift is −50,000 × 50%
    seed_deal(admin_user, owner=rep, amount="400000", closed=datetime.date(2026, 3, 30))
    paid = selectors.payback_report(finance, plan=plan, on=datetime.date(2026, 4, 2))
    assert paid.payback_month == datetime.date(2026, 3, 1) and paid.net_to_date > 0


def test_payback_settings_changes_are_audited_and_versioned(finance):
    first = services.payback_settings_save(actor=finance, go_live=datetime.date(2026, 1, 1))
    assert first.attribution == 1 and first.baseline_months == 12
    second = services.payback_settings_save(actor=finance, expected_version=1, attribution=Decimal("0.6"))
    assert second.pk == first.pk and second.version == 2
    actions = list(
        ObjectChange.objects.filter(object_type="payback_settings")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]
    from guanxi.core.services import StaleVersionError

    with pytest.raises(StaleVersionError):
        services.payback_settings_save(actor=finance, expected_version=1, attribution=Decimal("0.1"))


def test_duplicate_makes_an_editable_copy(finance):
    original = services.scenario_create_from_template(actor=finance, template="pipedrive")
    client = Client()
    client.force_login(finance)
    response = client.post(f"/costs/scenarios/{original.pk}/duplicate/")
    copy = Scenario.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/costs/scenarios/{copy.pk}/edit/"
    assert copy.name == f"Copy of {original.name}"
    assert (copy.costs, copy.benefits, copy.seats, copy.template) == (
        original.costs,
        original.benefits,
        original.seats,
        "pipedrive",
    )


def test_a_packaged_price_is_edited_through_the_page_seeded_from_the_catalogue(finance):
    client = Client()
    client.force_login(finance)
    page = client.get("/costs/catalogue/new/?plan=pipedrive/growth").content.decode()
    assert 'value="https://www.pipedrive.com/en/pricing"' in page and 'value="468' in page
    packaged = engine.default_catalog().get("pipedrive/growth")
    response = client.post(
        "/costs/catalogue/new/",
        {
            "vendor": "pipedrive",
            "vendor_name": "Pipedrive",
            "plan": "growth",
            "edition": packaged.edition,
            "price": "480",
            "price_period": "year",
            "currency": "USD",
            "billing": "annual",
            "source": packaged.source,
            "read_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    override = PricePlan.objects.get()
    catalogue = client.get("/costs/catalogue/").content.decode()
    assert f'data-plan="pipedrive/growth" data-origin="edited" data-id="{override.pk}"' in catalogue
    assert selectors.effective_catalog().get("pipedrive/growth").price_per_user_month == Decimal(40)
    # Asking to edit it again leads to the stored override.
    assert (
        client.get("/costs/catalogue/new/?plan=pipedrive/growth")["Location"]
        == f"/costs/catalogue/{override.pk}/edit/"
    )


def test_a_scenario_whose_plan_left_the_catalogue_says_so_instead_of_failing(finance):
    added = services.price_plan_create(
        actor=finance,
        vendor="acme-crm",
        vendor_name="Acme CRM",
        plan="team",
        edition="Team",
        currency="CNY",
        price="100",
        note="Quoted.",
    )
    stored = scenario(finance, seats=5, costs=[{"category": "subscription", "plan": "acme-crm/team"}])
    services.price_plan_delete(actor=finance, instance=added)
    client = Client()
    client.force_login(finance)
    page = client.get(f"/costs/scenarios/{stored.pk}/").content.decode()
    assert 'id="scenario-problems"' in page and "unknown plan &#x27;acme-crm/team&#x27;" in page
    assert "invalid" in client.get("/costs/scenarios/").content.decode()
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(finance)
    response = api.get(f"/api/v1/costs/scenarios/{stored.pk}/result/")
    assert response.status_code == 400 and "unknown plan" in response.json()["non_field_errors"][0]
