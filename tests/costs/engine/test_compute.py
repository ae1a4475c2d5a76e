"""Hand-computed cases for every amount form, escalation, risk, discounting, payback, ROI and
sensitivity. Every expected number is worked out in the comments, not by the engine."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from guanxi.costs.engine import CATEGORIES, compute, load_scenario, result_to_dict

from ._support import EXAMPLE_YAML, close, make

D = Decimal


def amounts(line: dict[str, Any], **top: Any) -> tuple[Decimal, ...]:
    """Amounts per period (0..N) of a single cost line."""
    result = compute(load_scenario(make([line], **top)))
    return result.lines[0].amounts


# --- amount forms (3 years, no discounting) ------------------------------------------------


@pytest.mark.parametrize(
    ("line", "top", "expected"),
    [
        # initial: period 0 only
        ({"initial": 1000}, {}, [1000, 0, 0, 0]),
        # yearly: the same every year
        ({"yearly": 1000}, {}, [0, 1000, 1000, 1000]),
        # yearly list: each year as given
        ({"yearly": [100, 200, 300]}, {}, [0, 100, 200, 300]),
        # monthly: 12 x 500 = 6000 a year
        ({"monthly": 500}, {}, [0, 6000, 6000, 6000]),
        # per_seat_month: 12 x 10 x seats = 600, 720, 840
        ({"per_seat_month": 10}, {"seats": [5, 6, 7]}, [0, 600, 720, 840]),
        # per_seat_year: 100 x 4 seats = 400 every year (single seats number)
        ({"per_seat_year": 100}, {"seats": 4}, [0, 400, 400, 400]),
        # hours x rate: 10 x 50 = 500
        ({"hours": 10, "rate": 50}, {}, [0, 500, 500, 500]),
        # hours list x rate: 500, 1000, 1500
        ({"hours": [10, 20, 30], "rate": 50}, {}, [0, 500, 1000, 1500]),
        # initial beside a yearly form: 700 up front, then 12 x 100
        ({"initial": 700, "monthly": 100}, {}, [700, 1200, 1200, 1200]),
        # decimals stay exact: 12 x 0.10 = 1.20
        ({"monthly": "0.10"}, {}, ["0", "1.20", "1.20", "1.20"]),
    ],
)
def test_amount_forms(line: dict[str, Any], top: dict[str, Any], expected: list[int | str]) -> None:
    line = {"category": "subscription", "name": "L", **line}
    assert amounts(line, **top) == tuple(D(v) for v in expected)


@pytest.mark.parametrize(
    ("line", "top", "expected"),
    [
        # yearly 1000 at +10%: 1000, 1000 x 1.1 = 1100, 1000 x 1.21 = 1210
        ({"yearly": 1000, "escalation": "0.1"}, {}, ["0", "1000", "1100", "1210"]),
        # monthly 100 at +5%: 1200, 1260, 1323
        ({"monthly": 100, "escalation": "0.05"}, {}, ["0", "1200", "1260", "1323"]),
        # per seat: 12 x 10 x [1, 2, 3] = 120, 240, 360, times 1, 1.1, 1.21 = 120, 264, 435.6
        ({"per_seat_month": 10, "escalation": "0.1"}, {"seats": [1, 2, 3]}, ["0", "120", "264", "435.6"]),
        # hours (a single number) escalate too: 1000, 1100, 1210
        ({"hours": 100, "rate": 10, "escalation": "0.1"}, {}, ["0", "1000", "1100", "1210"]),
        # the initial amount never escalates: 500; 100, 150, 225
        ({"initial": 500, "yearly": 100, "escalation": "0.5"}, {}, ["500", "100", "150", "225"]),
        # a price decrease: 1000, 900, 810
        ({"yearly": 1000, "escalation": "-0.1"}, {}, ["0", "1000", "900", "810"]),
    ],
)
def test_escalation(line: dict[str, Any], top: dict[str, Any], expected: list[str]) -> None:
    line = {"category": "subscription", "name": "L", **line}
    assert amounts(line, **top) == tuple(D(v) for v in expected)


def test_risk_raises_costs_and_lowers_benefits() -> None:
    data = make(
        # cost: 500 x 1.1 = 550 up front, 1000 x 1.1 = 1100 a year
        [{"category": "consulting", "name": "C", "initial": 500, "yearly": 1000, "risk": "0.1"}],
        # benefit: 1000 x (1 - 0.2) = 800 a year
        benefits=[{"name": "B", "yearly": 1000, "risk": "0.2"}],
    )
    result = compute(load_scenario(data))
    assert result.lines[0].amounts == (D(550), D(1100), D(1100), D(1100))
    assert result.lines[1].amounts == (D(0), D(800), D(800), D(800))
    assert result.total_benefits == (D(0), D(800), D(800), D(800))
    assert result.net == (D(-550), D(-300), D(-300), D(-300))


def test_risk_and_escalation_combine() -> None:
    # 1000 x 1.05^(y-1) x 1.2: 1200, 1260, 1323
    line = {"category": "internal", "name": "L", "yearly": 1000, "escalation": "0.05", "risk": "0.2"}
    assert amounts(line) == (D(0), D(1200), D(1260), D("1323.00"))


# --- discounting ----------------------------------------------------------------------------


def test_present_value_discounts_years_not_period_zero() -> None:
    data = make(
        [{"category": "implementation", "name": "Set-up", "initial": 1000, "yearly": 1100}],
        years=2,
        discount_rate="0.1",
    )
    result = compute(load_scenario(data))
    # 1000 (undiscounted) + 1100 / 1.1 + 1100 / 1.21 = 1000 + 1000 + 909.0909… = 2909.0909…
    assert close(result.pv_costs, Fraction(1000) + 1000 + Fraction(1100, 1) / Fraction(121, 100))
    assert result.discounted_net[0] == D(-1000)
    assert close(result.discounted_net[1], -1000)
    assert close(result.discounted_net[2], Fraction(-110000, 121))
    assert result.tco == D(3200)  # undiscounted: 1000 + 1100 + 1100
    assert result.roi == D(-1)  # no benefits
    assert result_to_dict(result)["pv_costs"] == "2909.09"


def test_zero_discount_rate_pv_equals_totals() -> None:
    data = make(
        [{"category": "maintenance", "name": "M", "yearly": 100}], benefits=[{"name": "B", "yearly": 300}]
    )
    result = compute(load_scenario(data))
    assert result.pv_costs == D(300)
    assert result.pv_benefits == D(900)
    assert result.npv == D(600)
    assert result.roi == D(2)


def test_roi_is_none_without_costs() -> None:
    data = make(
        [{"category": "maintenance", "name": "Free", "yearly": 0}], benefits=[{"name": "B", "yearly": 1}]
    )
    result = compute(load_scenario(data))
    assert result.pv_costs == 0
    assert result.roi is None
    assert result_to_dict(result)["roi"] is None


# --- payback --------------------------------------------------------------------------------


def payback(initial: int, yearly_costs: list[int], yearly_benefits: list[int]) -> Decimal | None:
    data = make(
        [{"category": "implementation", "name": "C", "initial": initial, "yearly": yearly_costs}],
        years=len(yearly_costs),
        benefits=[{"name": "B", "yearly": yearly_benefits}],
    )
    return compute(load_scenario(data)).payback_months


def test_payback_interpolates_within_a_year() -> None:
    # net: -600, +1200/yr. Month 0: -600; each month +100 → zero after 6 months.
    assert payback(600, [0, 0, 0], [1200, 1200, 1200]) == D(6)
    # net: -1000, +400, +800. After year 1: -600; year 2 adds 800/12 a month → 600/800 of a
    # year = 9 months → 12 + 9 = 21.
    assert payback(1000, [0, 0, 0], [400, 800, 0]) == D(21)
    # net: -1000, +300 (cost 100, benefit 400), +300, +300: -700, -400, -100 → never.
    assert payback(1000, [100, 100, 100], [400, 400, 400]) is None


def test_payback_reaching_exactly_zero_at_year_end() -> None:
    # net: -1200, +1200: the cumulative reaches 0 at month 12 exactly.
    assert payback(1200, [0, 0], [1200, 1200]) == D(12)


def test_payback_is_zero_when_nothing_is_owed_at_month_zero() -> None:
    # No initial outlay: the cumulative is already 0 at month 0 (documented edge case).
    assert payback(0, [100, 100], [500, 500]) == D(0)


def test_payback_counts_the_first_crossing() -> None:
    # net: -100, +200 (crosses at month 6), then -1000 (back under): still 6.
    assert payback(100, [0, 1000], [200, 0]) == D(6)


def test_payback_fraction_is_kept_until_rendering() -> None:
    # net: -1000, +300 → -700, +300 → -400, then +1200: 24 + 12 x 400/1200 = 28.
    assert payback(1000, [0, 0, 0], [300, 300, 1200]) == D(28)
    # net: -100, +700: 12 x 100/700 = 1.714285… months, rendered 1.71
    value = payback(100, [0], [700])
    assert value is not None and close(value, Fraction(12 * 100, 700))
    data = make(
        [{"category": "implementation", "name": "C", "initial": 100}],
        years=1,
        benefits=[{"name": "B", "yearly": 700}],
    )
    assert result_to_dict(compute(load_scenario(data)))["payback_months"] == "1.71"


# --- a published-study style case -----------------------------------------------------------


def test_published_study_style_case() -> None:
    """An initial period that is not discounted and three years discounted at 10%, with
    ROI = NPV / PV of costs (the convention of vendor-commissioned TEI studies).

    Costs: 100,000 up front, 50,000 a year. Benefits: 150,000 a year.
    Annuity factor a = 1/1.1 + 1/1.21 + 1/1.331 = (1.21 + 1.1 + 1) / 1.331 = 3.31 / 1.331.
    PV costs    = 100,000 + 50,000 a = (133,100 + 165,500) / 1.331 = 298,600 / 1.331 = 224,342.5995…
    PV benefits = 150,000 a = 496,500 / 1.331 = 373,027.7986…
    NPV         = 197,900 / 1.331 = 148,685.1991…
    ROI         = 197,900 / 298,600 = 0.66276 → 66.28%
    Payback: net -100,000, then +100,000 a year → cumulative 0 at the end of year 1 = 12 months.
    TCO = 100,000 + 3 x 50,000 = 250,000.
    """
    data = make(
        [
            {"category": "implementation", "name": "Initial", "initial": 100000},
            {"category": "subscription", "name": "Licences", "yearly": 50000},
        ],
        discount_rate="0.10",
        benefits=[{"name": "Benefit", "yearly": 150000}],
    )
    result = compute(load_scenario(data))
    assert close(result.pv_costs, Fraction(298600000, 1331))
    assert close(result.pv_benefits, Fraction(496500000, 1331))
    assert close(result.npv, Fraction(197900000, 1331))
    assert result.roi is not None and close(result.roi, Fraction(197900, 298600))
    assert result.payback_months == D(12)
    assert result.tco == D(250000)
    out = result_to_dict(result)
    assert (out["pv_costs"], out["pv_benefits"], out["npv"], out["roi"]) == (
        "224342.60",
        "373027.80",
        "148685.20",
        "0.66",
    )
    assert out["payback_months"] == "12.00"
    assert out["tco"] == "250000.00"


# --- the example scenario from the issue ----------------------------------------------------


def test_example_scenario() -> None:
    """Worked out by hand:

    Subscription 160 x 12 x seats x 1.05^(y-1):
        y1 160 x 12 x 50 = 96,000; y2 115,200 x 1.05 = 120,960; y3 134,400 x 1.1025 = 148,176
    Partner set-up: 120,000 in period 0.
    Admin time [400, 200, 200] x 150 x 1.10 = 66,000; 33,000; 33,000
    Priority support: 20,000; 20,000; 25,000
    Costs per period: 120,000; 182,000; 173,960; 206,176 → TCO 682,136
    Benefits [300k, 500k, 600k] x 0.8 = 240,000; 400,000; 480,000
    Net: -120,000; 58,000; 226,040; 273,824. Cumulative: -120,000; -62,000; 164,040; 437,864

    Over 1.331 (= 1.1^3): year 1 x 1.21, year 2 x 1.1, year 3 x 1.
    PV costs    = (120,000 x 1,331 + 182,000 x 1,210 + 173,960 x 1,100 + 206,176 x 1,000) / 1,331
                = 777,472,000 / 1,331 = 584,126.2208…
    PV benefits = (240,000 x 1,210 + 400,000 x 1,100 + 480,000 x 1,000) / 1,331
                = 1,210,400,000 / 1,331 = 909,391.4350…
    NPV         = 432,928,000 / 1,331 = 325,265.2141…
    ROI         = 432,928,000 / 777,472,000 = 13,529 / 24,296 = 0.55684… (55.68%)
    Payback: the cumulative crosses zero in year 2: 12 + 12 x 62,000 / 226,040
             = 86,412 / 5,651 = 15.2914… months
    """
    result = compute(load_scenario(EXAMPLE_YAML))
    assert result.costs_by_category["subscription"] == (D(0), D(96000), D(120960), D("148176"))
    assert result.costs_by_category["internal"] == (D(0), D(66000), D(33000), D(33000))
    assert result.total_costs == (D(120000), D(182000), D(173960), D(206176))
    assert result.total_benefits == (D(0), D(240000), D(400000), D(480000))
    assert result.net == (D(-120000), D(58000), D(226040), D(273824))
    assert result.cumulative == (D(-120000), D(-62000), D(164040), D(437864))
    assert result.tco == D(682136)
    assert close(result.pv_costs, Fraction(777472000, 1331))
    assert close(result.pv_benefits, Fraction(1210400000, 1331))
    assert close(result.npv, Fraction(432928000, 1331))
    assert result.roi is not None and close(result.roi, Fraction(13529, 24296))
    assert result.payback_months is not None and close(result.payback_months, Fraction(86412, 5651))

    out = result_to_dict(result)
    assert out["tco"] == "682136.00"
    assert out["pv_costs"] == "584126.22"
    assert out["pv_benefits"] == "909391.44"
    assert out["npv"] == "325265.21"
    assert out["roi"] == "0.56"
    assert out["payback_months"] == "15.29"
    assert out["net"] == ["-120000.00", "58000.00", "226040.00", "273824.00"]


def test_example_sensitivity() -> None:
    """NPV is linear in each line, so moving a line by ±20% moves NPV by ±0.2 x PV(line).

    Sales uplift PV = 909,391.4350… → swing 2 x 0.2 x PV = 363,756.574…, largest.
    Partner set-up PV = 120,000 (undiscounted) → low +24,000, high -24,000, swing 48,000.
    """
    result = compute(load_scenario(EXAMPLE_YAML))
    first = result.sensitivity[0]
    assert (first.line, first.kind, first.category) == ("Sales uplift", "benefit", None)
    assert close(first.swing, Fraction(2, 10) * 2 * Fraction(1210400000, 1331))
    assert first.low < 0 < first.high
    setup = next(e for e in result.sensitivity if e.line == "Partner set-up")
    assert (setup.low, setup.high, setup.swing) == (D(24000), D(-24000), D(48000))
    assert setup.category == "implementation"
    assert [e.line for e in result.sensitivity] == [
        "Sales uplift",  # 363,756.57
        "Zoho CRM Professional",  # 2 x 0.2 x 298,566.49… = 119,426.60
        "Partner set-up",  # 48,000
        "Admin time",  # 2 x 0.2 x 112,066.11… = 44,826.45
        "Priority support",  # 2 x 0.2 x 53,493.61… = 21,397.45
    ]
    # a custom delta: ±10% halves every swing
    half = compute(load_scenario(EXAMPLE_YAML), sensitivity_delta=D("0.1"))
    assert [e.swing * 2 for e in half.sensitivity] == [e.swing for e in result.sensitivity]


def test_sensitivity_delta_is_checked() -> None:
    scenario = load_scenario(EXAMPLE_YAML)
    with pytest.raises(ValueError, match="sensitivity_delta"):
        compute(scenario, sensitivity_delta=D("1.5"))
    with pytest.raises(ValueError, match="sensitivity_delta"):
        compute(scenario, sensitivity_delta=D("-0.1"))


def test_categories_are_all_present_and_in_order() -> None:
    result = compute(load_scenario(EXAMPLE_YAML))
    assert list(result.costs_by_category) == list(CATEGORIES)
    assert len(CATEGORIES) == 10
    assert CATEGORIES["internal"] == ("Internal resources and staff time", "内部资源和时间成本")
    assert CATEGORIES["migration_integration"][1] == "数据迁移和集成费用"
    assert result.costs_by_category["consulting"] == (D(0),) * 4
