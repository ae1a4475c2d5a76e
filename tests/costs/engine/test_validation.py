"""Every validation message: invalid scenarios are refused with the line and the field named,
and every problem is reported at once."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.costs.engine import ScenarioError, load_scenario

from ._support import make


def problems(data: Any) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(data)
    return info.value.messages()


def line_problems(line: Any, **top: Any) -> list[str]:
    return problems(make([line], **top))


def test_the_issue_example_message() -> None:
    line = {"category": "internal", "name": "Admin time", "hours": [400, 200], "rate": 150}
    assert line_problems(line) == ["costs[0].hours: expected 3 values (one per year), got 2"]


def test_error_carries_paths_and_messages() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(make([{"category": "nope", "name": "X", "yearly": -1}]))
    error = info.value
    assert [(p.path, p.message) for p in error.problems] == [
        (
            "costs[0].category",
            "unknown category 'nope'; expected one of subscription, implementation, maintenance, "
            "migration_integration, customization, training, upgrade_expansion, security_compliance, "
            "consulting, internal",
        ),
        ("costs[0].yearly", "must not be negative, got -1"),
    ]
    assert isinstance(error, ValueError)
    assert str(error) == "\n".join(error.messages())


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([1, 2], ["expected a mapping of scenario fields, got a list"]),
        ("just words", ["expected a mapping of scenario fields, got 'just words'"]),
        (
            {},
            [
                "name: required field is missing",
                "currency: required field is missing",
                "years: required field is missing",
                "discount_rate: required field is missing",
                "costs: required field is missing",
            ],
        ),
        (
            "name: [unclosed",
            ["invalid YAML at line 1, column 16: expected ',' or ']', but got '<stream end>'"],
        ),
    ],
)
def test_top_level_shape(data: Any, expected: list[str]) -> None:
    assert problems(data) == expected


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        ({"colour": "red"}, "colour: unknown field"),
        ({"name": ["x"]}, "name: expected text, got a list"),
        ({"name": "  "}, "name: must not be empty"),
        ({"description": 5}, "description: expected text, got 5"),
        ({"currency": "yuan"}, "currency: expected a 3-letter currency code such as CNY, got 'yuan'"),
        ({"currency": "cny"}, "currency: expected a 3-letter currency code such as CNY, got 'cny'"),
        ({"years": "three"}, "years: expected a whole number, got 'three'"),
        ({"years": 2.5}, "years: expected a whole number, got 2.5"),
        ({"years": True}, "years: expected a whole number, got true"),
        ({"years": 0}, "years: must be between 1 and 50, got 0"),
        ({"years": 51}, "years: must be between 1 and 50, got 51"),
        ({"discount_rate": "abc"}, "discount_rate: expected a number, got 'abc'"),
        ({"discount_rate": 1}, "discount_rate: must be at least 0 and below 1 (0.10 means 10%), got 1"),
        ({"discount_rate": -0.1}, "discount_rate: must be at least 0 and below 1 (0.10 means 10%), got -0.1"),
        ({"seats": -1}, "seats: must not be negative, got -1"),
        ({"seats": True}, "seats: expected a whole number, got true"),
        ({"seats": 10.5}, "seats: expected a whole number, got 10.5"),
        ({"seats": [50, 60]}, "seats: expected 3 values (one per year), got 2"),
        ({"seats": [1, "x", 3]}, "seats[1]: expected a whole number, got 'x'"),
        ({"seats": [1, -2, 3]}, "seats[1]: must not be negative, got -2"),
        ({"exchange_rates": [7.1]}, "exchange_rates: expected a mapping such as {USD: 7.1}, got a list"),
        ({"exchange_rates": {"USD": 0}}, "exchange_rates.USD: must be greater than 0, got 0"),
        ({"exchange_rates": {"USD": "x"}}, "exchange_rates.USD: expected a number, got 'x'"),
        ({"exchange_rates": {"usd": 7}}, "exchange_rates.usd: expected a 3-letter currency code such as USD"),
        ({"benefits": 3}, "benefits: expected a list of benefit lines, got 3"),
    ],
)
def test_top_level_fields(top: dict[str, Any], expected: str) -> None:
    assert line_problems({"category": "subscription", "name": "L", "yearly": 1}, **top) == [expected]


@pytest.mark.parametrize(
    ("costs", "expected"),
    [
        ({"a": 1}, "costs: expected a list of cost lines, got a mapping"),
        ([], "costs: expected at least one cost line"),
        (["text"], "costs[0]: expected a mapping of line fields, got 'text'"),
    ],
)
def test_costs_shape(costs: Any, expected: str) -> None:
    data = make([])
    data["costs"] = costs
    assert problems(data) == [expected]


NO_AMOUNT = (
    "no amount given; use initial, yearly, monthly, per_seat_month, per_seat_year or hours (with rate), "
    "or a catalogue plan"
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ({"name": "L", "yearly": 1}, ["costs[0].category: required field is missing"]),
        ({"category": "subscription", "yearly": 1}, ["costs[0].name: required field is missing"]),
        ({"category": "subscription", "name": "", "yearly": 1}, ["costs[0].name: must not be empty"]),
        ({"category": "subscription", "name": "L"}, [f"costs[0]: {NO_AMOUNT}"]),
        (
            {"category": "subscription", "name": "L", "yearly": 1, "monthly": 2},
            [
                "costs[0]: more than one amount form (yearly and monthly); "
                "keep one (initial may be given beside it)"
            ],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": 1, "per_seat_year": 2, "hours": 3, "rate": 1},
            [
                "costs[0]: more than one amount form (yearly, per_seat_year and hours); keep one "
                "(initial may be given beside it)"
            ],
        ),
        (
            {"category": "subscription", "name": "L", "per_seat_monthly": 5, "yearly": 1},
            ["costs[0].per_seat_monthly: unknown field"],
        ),
        (
            {"category": "subscription", "name": "L", "initial": -5},
            ["costs[0].initial: must not be negative, got -5"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": -0.5},
            ["costs[0].yearly: must not be negative, got -0.5"],
        ),
        (
            {"category": "subscription", "name": "L", "monthly": -1},
            ["costs[0].monthly: must not be negative, got -1"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": [1, -2, 3]},
            ["costs[0].yearly[1]: must not be negative, got -2"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": [1, 2, 3, 4]},
            ["costs[0].yearly: expected 3 values (one per year), got 4"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": True},
            ["costs[0].yearly: expected a number, got true"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": "abc"},
            ["costs[0].yearly: expected a number, got 'abc'"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": None},
            ["costs[0].yearly: expected a number, got nothing (null)"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": float("inf")},
            ["costs[0].yearly: expected a finite number, got inf"],
        ),
        (
            {"category": "subscription", "name": "L", "monthly": [1, 2, 3]},
            ["costs[0].monthly: expected a number, got a list"],
        ),
        (
            {"category": "subscription", "name": "L", "per_seat_year": {"a": 1}},
            ["costs[0].per_seat_year: expected a number, got a mapping"],
        ),
        (
            {"category": "internal", "name": "L", "hours": 1},
            ["costs[0].rate: required with hours (the cost of one hour)"],
        ),
        (
            {"category": "internal", "name": "L", "yearly": 1, "rate": 3},
            ["costs[0].rate: only used with hours"],
        ),
        (
            {"category": "internal", "name": "L", "hours": 1, "rate": -3},
            ["costs[0].rate: must not be negative, got -3"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": [1, 2, 3], "escalation": 0.05},
            ["costs[0].escalation: does not apply to an explicit list of yearly values"],
        ),
        (
            {"category": "internal", "name": "L", "hours": [1, 2, 3], "rate": 5, "escalation": 0.05},
            ["costs[0].escalation: does not apply to an explicit list of yearly values"],
        ),
        (
            {"category": "subscription", "name": "L", "initial": 5, "escalation": 0.1},
            ["costs[0].escalation: applies to yearly amounts; this line has none"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": 1, "escalation": -1},
            ["costs[0].escalation: must be greater than -1 and at most 1 (0.05 means +5% a year), got -1"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": 1, "escalation": "fast"},
            ["costs[0].escalation: expected a number, got 'fast'"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": 1, "risk": 1.5},
            ["costs[0].risk: must be between 0 and 1 (0.10 means 10%), got 1.5"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": 1, "risk": -0.1},
            ["costs[0].risk: must be between 0 and 1 (0.10 means 10%), got -0.1"],
        ),
        (
            {"category": "subscription", "name": "L", "yearly": 1, "note": 5},
            ["costs[0].note: expected text, got 5"],
        ),
    ],
)
def test_line_fields(line: dict[str, Any], expected: list[str]) -> None:
    assert line_problems(line) == expected


def test_escalation_zero_is_allowed_with_a_list() -> None:
    line = {"category": "subscription", "name": "L", "yearly": [1, 2, 3], "escalation": 0}
    assert load_scenario(make([line])).costs[0].yearly == (1, 2, 3)


def test_per_seat_lines_need_seats() -> None:
    data = make(
        [
            {"category": "subscription", "name": "A", "per_seat_month": 1},
            {"category": "subscription", "name": "B", "per_seat_year": 1},
            {"category": "subscription", "plan": "fxiaoke/flagship"},
        ]
    )
    assert problems(data) == [
        "costs[0].per_seat_month: needs seats (add seats: at the top of the scenario)",
        "costs[1].per_seat_year: needs seats (add seats: at the top of the scenario)",
        "costs[2].plan: needs seats (add seats: at the top of the scenario)",
    ]


def test_benefit_lines() -> None:
    data = make(
        [{"category": "subscription", "name": "L", "yearly": 1}],
        benefits=[
            {"name": "B", "yearly": 1, "category": "internal"},
            {"yearly": 5},
            {"name": "P", "plan": "zoho-crm/professional"},
            {"name": "R", "yearly": 5, "risk": 2},
        ],
    )
    assert problems(data) == [
        "benefits[0].category: unknown field",
        "benefits[1].name: required field is missing",
        "benefits[2].plan: unknown field",
        "benefits[2]: no amount given; use initial, yearly, monthly, per_seat_month, per_seat_year or hours "
        "(with rate)",
        "benefits[3].risk: must be between 0 and 1 (0.10 means 10%), got 2",
    ]


def test_all_problems_are_reported_together() -> None:
    data = {
        "name": "x",
        "currency": "CNY",
        "years": 3,
        "discount_rate": 2,
        "seats": [50, 60],
        "costs": [
            {"category": "licence", "name": "a", "yearly": 1},
            {"category": "internal", "name": "c", "hours": [1, 2], "rate": 150},
        ],
    }
    assert problems(data) == [
        "discount_rate: must be at least 0 and below 1 (0.10 means 10%), got 2",
        "seats: expected 3 values (one per year), got 2",
        "costs[0].category: unknown category 'licence'; expected one of subscription, implementation, "
        "maintenance, migration_integration, customization, training, upgrade_expansion, "
        "security_compliance, consulting, internal",
        "costs[1].hours: expected 3 values (one per year), got 2",
    ]


def test_numbers_may_be_numeric_strings() -> None:
    line = {"category": "subscription", "name": "L", "yearly": "1_000.50", "escalation": " 0.05 "}
    scenario = load_scenario(make([line], discount_rate="0.08"))
    assert str(scenario.costs[0].yearly) == "1000.50"
    assert str(scenario.discount_rate) == "0.08"
