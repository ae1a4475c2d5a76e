"""The price catalogue, plan lines and currency conversion, templates and the YAML round trip."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from guanxi.costs.engine import (
    CatalogError,
    ScenarioError,
    catalog_from_dict,
    catalog_to_dict,
    compute,
    default_catalog,
    dump_scenario,
    load_catalog,
    load_scenario,
    load_template,
    scenario_to_dict,
    template_names,
    template_text,
    validate_scenario,
)

from ._support import EXAMPLE_YAML, make

D = Decimal

SMALL_CATALOG: dict[str, Any] = {
    "as_of": "2026-11-28",
    "vendors": {
        "acme-crm": {
            "name": "Acme CRM",
            "plans": {
                "pro": {
                    "edition": "Pro",
                    "currency": "USD",
                    "billing": "annual",
                    "price_per_user_month": 20,
                    "source": "https://example.com/pricing",
                    "read_on": "2026-11-01",
                },
                "yearly": {
                    "edition": "Yearly",
                    "currency": "EUR",
                    "billing": "annual",
                    "price_per_user_year": 100,
                    "note": "Priced per seat and year; no public page.",
                },
                "local": {
                    "edition": "Local",
                    "currency": "CNY",
                    "billing": "monthly",
                    "price_per_user_month": "99.5",
                    "source": "https://example.com/cn",
                    "read_on": date(2026, 10, 1),
                },
            },
        }
    },
}

VENDORS = {
    "zoho-crm",
    "salesforce-sales-cloud",
    "hubspot-sales-hub",
    "fxiaoke",
    "pipedrive",
    "dynamics-365-sales",
    "guanxi",
}


def test_packaged_catalogue_is_valid_and_complete() -> None:
    catalog = load_catalog()
    vendors = {plan_id.split("/")[0] for plan_id in catalog.ids()}
    assert vendors == VENDORS
    for vendor in VENDORS - {"guanxi"}:
        assert sum(1 for p in catalog.ids() if p.startswith(vendor + "/")) >= 2, vendor
    for plan in catalog.plans.values():
        assert plan.price_per_user_month >= 0
        assert plan.billing in ("monthly", "annual")
        # every price names where it came from, or says why it cannot
        assert plan.source is not None or plan.note is not None
        if plan.source is not None:
            assert plan.source.startswith("https://")
            assert plan.read_on is not None or plan.note is not None
    assert catalog.as_of == date(2026, 11, 28)
    assert catalog.get("guanxi/self-hosted") is not None
    assert catalog.plans["guanxi/self-hosted"].price_per_user_month == 0
    assert "zoho-crm/professional" in catalog
    assert default_catalog() is default_catalog()  # cached


def test_yearly_catalogue_price_converts_to_per_month() -> None:
    catalog = load_catalog()
    premium = catalog.plans["pipedrive/premium"]
    assert premium.price_per_user_year == D(708)
    assert premium.price_per_user_month == D(59)  # 708 / 12
    own = catalog_from_dict(SMALL_CATALOG).plans["acme-crm/yearly"]
    # 100 / 12 = 8.333…, and twelve months add back to the yearly price at cent precision
    assert str(own.price_per_user_month).startswith("8.33333333")
    assert (own.price_per_user_month * 12).quantize(D("0.01")) == D("100.00")


def test_plan_fills_per_seat_month_converted_with_the_exchange_rate() -> None:
    data = make(
        [{"category": "subscription", "plan": "zoho-crm/professional"}], seats=10, exchange_rates={"USD": 7.1}
    )
    scenario = load_scenario(data)
    line = scenario.costs[0]
    # 23 USD x 7.1 = 163.3 CNY per seat and month
    assert line.per_seat_month == D("163.3")
    assert line.plan == "zoho-crm/professional"
    assert line.name == "Zoho CRM Professional"  # the catalogue label when no name is given
    # 12 x 163.3 x 10 seats = 19,596 a year
    assert compute(scenario).total_costs == (D(0), D("19596.0"), D("19596.0"), D("19596.0"))


def test_plan_in_the_scenario_currency_needs_no_rate() -> None:
    data = make([{"category": "subscription", "plan": "fxiaoke/professional", "name": "CRM"}], seats=50)
    line = load_scenario(data).costs[0]
    assert line.per_seat_month == D(119)
    assert line.name == "CRM"


def test_missing_exchange_rate_is_an_error_not_one_to_one() -> None:
    data = make([{"category": "subscription", "plan": "dynamics-365-sales/enterprise"}], seats=5)
    with pytest.raises(ScenarioError) as info:
        load_scenario(data)
    assert info.value.messages() == [
        "costs[0].plan: dynamics-365-sales/enterprise is priced in USD; add exchange_rates: "
        "{USD: <CNY per 1 USD>} (no rate is assumed)"
    ]
    # a rate for another currency does not help
    with pytest.raises(ScenarioError):
        load_scenario(
            make([{"category": "subscription", "plan": "pipedrive/lite"}], seats=5, exchange_rates={"EUR": 8})
        )


def test_unknown_plan_suggests_a_close_one() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(make([{"category": "subscription", "plan": "hubspot-sales-hub/pro"}], seats=5))
    assert info.value.messages() == [
        "costs[0].plan: unknown plan 'hubspot-sales-hub/pro'; did you mean hubspot-sales-hub/professional?"
    ]
    with pytest.raises(ScenarioError) as info:
        load_scenario(make([{"category": "subscription", "plan": 7}], seats=5))
    assert info.value.messages() == ["costs[0].plan: expected a plan id such as zoho-crm/professional, got 7"]


def test_explicit_price_beside_a_plan_is_kept() -> None:
    # A negotiated price: the plan only names the product.
    line = {"category": "subscription", "plan": "salesforce-sales-cloud/enterprise", "per_seat_month": 900}
    scenario = load_scenario(make([line], seats=5))  # no exchange rate needed
    assert scenario.costs[0].per_seat_month == D(900)
    assert scenario.costs[0].name == "Salesforce Sales Cloud Enterprise"


def test_a_custom_catalogue_from_a_dict() -> None:
    catalog = catalog_from_dict(SMALL_CATALOG)
    data = make(
        [
            {"category": "subscription", "plan": "acme-crm/pro"},
            {"category": "subscription", "plan": "acme-crm/yearly"},
            {"category": "subscription", "plan": "acme-crm/local"},
        ],
        seats=2,
        exchange_rates={"USD": 7, "EUR": "7.8"},
    )
    scenario = load_scenario(data, catalog=catalog)
    prices = [line.per_seat_month for line in scenario.costs]
    assert prices[0] == D(140)  # 20 USD x 7
    assert prices[2] == D("99.5")
    result = compute(scenario)
    # yearly plan: 100 EUR / 12 x 7.8 x 12 x 2 seats = 1,560 (to the cent)
    assert result.lines[1].amounts[1].quantize(D("0.01")) == D("1560.00")
    # the packaged catalogue does not know acme-crm
    with pytest.raises(ScenarioError, match="unknown plan 'acme-crm/pro'"):
        load_scenario(data)
    # and the custom catalogue round-trips through its dict form
    assert catalog_from_dict(catalog_to_dict(catalog)) == catalog


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.pop("vendors"), ["vendors: required field is missing"]),
        (lambda c: c.update(as_of="soon"), ["as_of: expected a date such as 2026-11-28, got 'soon'"]),
        (lambda c: c.update(extra=1), ["extra: unknown field"]),
        (
            lambda c: c["vendors"].update({"Bad Vendor": {"name": "X", "plans": {}}}),
            ["vendors.Bad Vendor: a vendor id uses lowercase letters, digits and dashes (e.g. zoho-crm)"],
        ),
        (
            lambda c: c["vendors"]["acme-crm"].update(plans={}),
            ["vendors.acme-crm.plans: expected a mapping of plans, got a mapping"],
        ),
        (
            lambda c: c["vendors"]["acme-crm"]["plans"]["pro"].pop("edition"),
            ["vendors.acme-crm.plans.pro.edition: required field is missing"],
        ),
        (
            lambda c: c["vendors"]["acme-crm"]["plans"]["pro"].update(currency="dollar"),
            [
                "vendors.acme-crm.plans.pro.currency: "
                "expected a 3-letter currency code such as USD, got 'dollar'"
            ],
        ),
        (
            lambda c: c["vendors"]["acme-crm"]["plans"]["pro"].update(billing="weekly"),
            ["vendors.acme-crm.plans.pro.billing: expected monthly or annual, got 'weekly'"],
        ),
        (
            lambda c: c["vendors"]["acme-crm"]["plans"]["pro"].update(price_per_user_month=-1),
            ["vendors.acme-crm.plans.pro.price_per_user_month: must not be negative, got -1"],
        ),
        (
            lambda c: c["vendors"]["acme-crm"]["plans"]["pro"].update(price_per_user_year=1),
            ["vendors.acme-crm.plans.pro: give price_per_user_month or price_per_user_year, not both"],
        ),
        (
            lambda c: c["vendors"]["acme-crm"]["plans"]["pro"].pop("price_per_user_month"),
            ["vendors.acme-crm.plans.pro: give price_per_user_month or price_per_user_year"],
        ),
        (
            lambda c: c["vendors"]["acme-crm"]["plans"]["pro"].update(source="example.com"),
            ["vendors.acme-crm.plans.pro.source: expected an http(s) URL, got 'example.com'"],
        ),
        (
            lambda c: c["vendors"]["acme-crm"]["plans"]["pro"].pop("read_on"),
            [
                "vendors.acme-crm.plans.pro.read_on: required with source (the date the price was read), "
                "or explain in note"
            ],
        ),
        (
            lambda c: c["vendors"]["acme-crm"]["plans"]["yearly"].pop("note"),
            ["vendors.acme-crm.plans.yearly.source: required field is missing"],
        ),
        (
            lambda c: c["vendors"]["acme-crm"]["plans"]["pro"].update(colour="red"),
            ["vendors.acme-crm.plans.pro.colour: unknown field"],
        ),
    ],
)
def test_catalogue_validation(change: Any, expected: list[str]) -> None:
    data = copy.deepcopy(SMALL_CATALOG)
    change(data)
    with pytest.raises(CatalogError) as info:
        catalog_from_dict(data)
    assert info.value.messages() == expected


def test_catalogue_file_errors(tmp_path: Any) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("vendors: [", "utf-8")
    with pytest.raises(CatalogError, match="invalid YAML"):
        load_catalog(bad)


# --- templates ------------------------------------------------------------------------------


def test_every_vendor_has_a_template() -> None:
    names = template_names()
    assert set(names) == (VENDORS - {"guanxi"}) | {"guanxi-self-hosted"}
    with pytest.raises(KeyError):
        template_text("nope")


@pytest.mark.parametrize("name", template_names())
def test_templates_compute(name: str) -> None:
    scenario = load_template(name)
    assert scenario.currency == "CNY"
    assert scenario.years == 3
    assert scenario.seats == (50, 50, 50)
    result = compute(scenario)
    used = {key for key, values in result.costs_by_category.items() if any(values)}
    assert len(used) >= 9, f"{name} uses only {sorted(used)}"
    assert result.tco > 0
    assert result.pv_benefits > 0
    if name != "guanxi-self-hosted":
        # the vendor template prices its licences from a catalogue plan
        assert any(line.plan and line.plan.startswith(name.split("-self")[0]) for line in scenario.costs)


def test_guanxi_template_has_no_licence_but_hosting_and_upkeep() -> None:
    result = compute(load_template("guanxi-self-hosted"))
    assert sum(result.costs_by_category["subscription"]) == 0
    assert sum(result.costs_by_category["maintenance"]) > 0
    assert sum(result.costs_by_category["internal"]) > 0


# --- YAML round trip ------------------------------------------------------------------------


@pytest.mark.parametrize("name", template_names())
def test_dump_round_trips_templates(name: str) -> None:
    scenario = load_template(name)
    text = dump_scenario(scenario)
    again = load_scenario(text)
    assert again == scenario
    assert compute(again) == compute(scenario)


def test_dump_round_trips_the_example() -> None:
    scenario = load_scenario(EXAMPLE_YAML)
    text = dump_scenario(scenario)
    assert "per_seat_month: 160" in text
    assert "discount_rate: 0.10" in text
    assert "seats: [50, 60, 70]" in text
    assert load_scenario(text) == scenario
    assert validate_scenario(scenario) == scenario


def test_dump_keeps_the_plan_and_its_resolved_price() -> None:
    data = make(
        [{"category": "subscription", "plan": "zoho-crm/enterprise"}], seats=3, exchange_rates={"USD": 7}
    )
    scenario = load_scenario(data)
    dumped = scenario_to_dict(scenario)
    assert dumped["costs"][0] == {
        "category": "subscription",
        "name": "Zoho CRM Enterprise",
        "plan": "zoho-crm/enterprise",
        "per_seat_month": D(280),
    }
    assert dumped["seats"] == 3
    # self-contained: reads back equal even with a catalogue that lacks the plan
    assert load_scenario(dump_scenario(scenario), catalog=catalog_from_dict(SMALL_CATALOG)) == scenario


def test_dump_keeps_unicode_and_exact_decimals() -> None:
    data = make(
        [
            {
                "category": "internal",
                "name": "管理员时间",
                "hours": [1, 2, 3],
                "rate": "150.125",
                "risk": "0.1",
            }
        ],
        description="纷享销客 对比",
    )
    scenario = load_scenario(data)
    text = dump_scenario(scenario)
    assert "管理员时间" in text and "纷享销客 对比" in text
    assert "rate: 150.125" in text
    assert load_scenario(text) == scenario
