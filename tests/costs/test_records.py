"""The standard record tests (pages, API, ETags, the own/team/all permission matrix) for every cost
record type."""

import itertools
from typing import Any

from guanxi.core.testing import RecordTestSuite
from guanxi.costs.services import (
    budget_create,
    expense_create,
    price_plan_create,
    scenario_create,
    time_entry_create,
    time_saving_create,
)

_years = itertools.count(2001)
_plans = itertools.count(1)

LICENCES = {"category": "subscription", "name": "Licences", "yearly": "12000"}

SCENARIO_FORM = {
    "name": "Guanxi for the sales team",
    "currency": "CNY",
    "years": "3",
    "discount_rate": "10",
    "seats": "50",
    "costs-TOTAL_FORMS": "2",
    "costs-INITIAL_FORMS": "0",
    "costs-0-category": "subscription",
    "costs-0-name": "Hosting",
    "costs-0-form": "monthly",
    "costs-0-values": "1500",
    "costs-1-category": "internal",
    "costs-1-name": "Administrator",
    "costs-1-form": "hours",
    "costs-1-values": "600; 400; 400",
    "costs-1-rate": "150",
    "costs-1-risk": "10",
    "benefits-TOTAL_FORMS": "1",
    "benefits-INITIAL_FORMS": "0",
    "benefits-0-name": "Sales uplift",
    "benefits-0-form": "yearly",
    "benefits-0-values": "300000",
}


class TestScenarioRecord(RecordTestSuite):
    object_type = "scenario"
    form_data = SCENARIO_FORM
    api_data = {
        "name": "Zoho CRM, 50 seats",
        "currency": "CNY",
        "years": 3,
        "discount_rate": "0.10",
        "seats": 50,
        "exchange_rates": {"USD": "7.10"},
        "costs": [{"category": "subscription", "plan": "zoho-crm/professional"}],
    }
    update_data = {"name": "Guanxi for everyone"}
    invalid_api_data = {
        "name": "Bad",
        "currency": "CNY",
        "years": 3,
        "discount_rate": "0.1",
        "costs": [{"category": "licence", "name": "Licences", "yearly": 100}],
    }
    invalid_field = "costs"

    def build(self, owner: Any, **fields: Any) -> Any:
        fields.setdefault("name", "Scenario")
        fields.setdefault("costs", [LICENCES])
        return scenario_create(
            actor=owner, owner=owner, currency="CNY", years=3, discount_rate="0.1", **fields
        )


class TestExpenseRecord(RecordTestSuite):
    object_type = "expense"
    form_data = {
        "date": "2026-03-02",
        "category": "implementation",
        "vendor": "上海云帆信息技术有限公司",
        "description": "Installation and configuration",
        "amount": "40000.00",
        "currency": "CNY",
        "invoice_number": "FP-2026-0031",
    }
    api_data = {
        "date": "2026-03-02",
        "category": "consulting",
        "vendor": "Acme Consulting",
        "description": "Process workshop",
        "amount": "1000.00",
        "currency": "USD",
        "exchange_rate": "7.1",
    }
    update_data = {"description": "Installation, configuration and pipelines"}
    invalid_api_data = {
        "date": "2026-03-02",
        "category": "licence",
        "description": "x",
        "amount": "1",
        "currency": "CNY",
    }
    invalid_field = "category"

    def build(self, owner: Any, **fields: Any) -> Any:
        return expense_create(
            actor=owner,
            owner=owner,
            date="2026-01-15",
            category="maintenance",
            description=fields.pop("description", "Hosting"),
            amount="800.00",
            currency="CNY",
            **fields,
        )


class TestTimeEntryRecord(RecordTestSuite):
    object_type = "time_entry"
    form_data = {
        "person_name": "王芳",
        "role": "CRM administrator",
        "date": "2026-03-02",
        "hours": "6",
        "hourly_cost": "150",
        "purpose": "data_cleanup",
        "category": "internal",
    }
    api_data = {
        "person_name": "李娜",
        "date": "2026-03-03",
        "hours": "2.5",
        "hourly_cost": "120",
        "purpose": "training",
        "category": "training",
    }
    update_data = {"description": "Merged duplicate companies"}
    invalid_api_data = {
        "person_name": "李娜",
        "date": "2026-03-03",
        "hours": "-1",
        "hourly_cost": "120",
        "purpose": "training",
    }
    invalid_field = "hours"

    def build(self, owner: Any, **fields: Any) -> Any:
        return time_entry_create(
            actor=owner,
            owner=owner,
            person=owner,
            date="2026-02-10",
            hours="3",
            hourly_cost="150",
            purpose="administration",
            **fields,
        )


class TestBudgetRecord(RecordTestSuite):
    object_type = "budget"
    form_data = {"year": "2099", "category": "training", "amount": "60000.00"}
    api_data = {"year": 2098, "category": "consulting", "amount": "30000.00"}
    update_data = {"amount": "12345.00"}
    invalid_api_data = {"year": 2097, "category": "consulting", "amount": "-5"}
    invalid_field = "amount"

    def build(self, owner: Any, **fields: Any) -> Any:
        return budget_create(
            actor=owner, owner=owner, year=next(_years), category="subscription", amount="100000.00", **fields
        )


class TestTimeSavingRecord(RecordTestSuite):
    object_type = "time_saving"
    form_data = {
        "person_name": "张伟",
        "date": "2026-03-31",
        "description": "Weekly pipeline report no longer built by hand",
        "hours": "8",
        "hourly_cost": "120",
    }
    api_data = {
        "person_name": "张伟",
        "date": "2026-03-31",
        "description": "Quotes from templates",
        "hours": "4",
        "hourly_cost": "120",
    }
    update_data = {"description": "Monthly forecast from the dashboard"}
    invalid_api_data = {
        "person_name": "张伟",
        "date": "2026-03-31",
        "description": "x",
        "hours": "0",
        "hourly_cost": "1",
    }
    invalid_field = "hours"

    def build(self, owner: Any, **fields: Any) -> Any:
        return time_saving_create(
            actor=owner,
            owner=owner,
            person=owner,
            date="2026-02-28",
            description=fields.pop("description", "Reports"),
            hours="5",
            hourly_cost="100",
            **fields,
        )


class TestPricePlanRecord(RecordTestSuite):
    """Catalogue prices have no owner: the suite's scope tests are skipped, the rest apply."""

    object_type = "price_plan"
    form_data = {
        "vendor": "acme-crm",
        "vendor_name": "Acme CRM",
        "plan": "team",
        "edition": "Team",
        "price": "120",
        "price_period": "month",
        "currency": "CNY",
        "billing": "annual",
        "note": "Quoted by the reseller.",
    }
    api_data = {
        "vendor": "acme-crm",
        "vendor_name": "Acme CRM",
        "plan": "business",
        "edition": "Business",
        "price": "1800",
        "price_period": "year",
        "currency": "CNY",
        "billing": "annual",
        "source": "https://acme.example/pricing",
        "read_on": "2026-11-01",
    }
    update_data = {"edition": "Team Plus"}
    invalid_api_data = {**api_data, "vendor": "Acme CRM"}
    invalid_field = "vendor"

    def build(self, owner: Any, **fields: Any) -> Any:
        return price_plan_create(
            actor=owner,
            vendor="test-vendor",
            vendor_name="Test vendor",
            plan=f"plan-{next(_plans)}",
            edition=fields.pop("edition", "Edition"),
            price="10",
            currency="USD",
            note="For the tests.",
            **fields,
        )
