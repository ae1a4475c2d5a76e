"""Property tests: invariants that hold for any valid scenario."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.costs.engine import CATEGORIES, compute, dump_scenario, load_scenario

D = Decimal
MAX_YEARS = 8

money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
small_money = st.decimals(min_value=0, max_value=10**4, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=D("0.5"), places=3, allow_nan=False, allow_infinity=False)
escalations = st.decimals(
    min_value=D("-0.5"), max_value=D("0.5"), places=3, allow_nan=False, allow_infinity=False
)
risks = st.decimals(min_value=0, max_value=1, places=2, allow_nan=False, allow_infinity=False)

settings.register_profile(
    "engine", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("engine")


@st.composite
def line(draw: st.DrawFn, years: int, *, benefit: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"name": draw(st.text(min_size=1, max_size=12).filter(lambda s: s.strip()))}
    if not benefit:
        out["category"] = draw(st.sampled_from(list(CATEGORIES)))
    form = draw(
        st.sampled_from(
            [
                "initial",
                "yearly",
                "yearly_list",
                "monthly",
                "per_seat_month",
                "per_seat_year",
                "hours",
                "hours_list",
            ]
        )
    )
    if form == "initial" or draw(st.booleans()):
        out["initial"] = draw(money)
    listed = form.endswith("_list")
    if form == "yearly":
        out["yearly"] = draw(money)
    elif form == "yearly_list":
        out["yearly"] = draw(st.lists(money, min_size=years, max_size=years))
    elif form in ("monthly", "per_seat_month", "per_seat_year"):
        out[form] = draw(small_money)
    elif form == "hours":
        out["hours"] = draw(small_money)
    elif form == "hours_list":
        out["hours"] = draw(st.lists(small_money, min_size=years, max_size=years))
    if form.startswith("hours"):
        out["rate"] = draw(small_money)
    if form != "initial" and not listed and draw(st.booleans()):
        out["escalation"] = draw(escalations)
    if draw(st.booleans()):
        out["risk"] = draw(risks)
    return out


@st.composite
def scenarios(draw: st.DrawFn, *, with_benefits: bool = True) -> dict[str, Any]:
    years = draw(st.integers(min_value=1, max_value=MAX_YEARS))
    data: dict[str, Any] = {
        "name": "Property",
        "currency": "CNY",
        "years": years,
        "discount_rate": draw(rates),
        "seats": draw(st.lists(st.integers(min_value=0, max_value=500), min_size=years, max_size=years)),
        "costs": draw(st.lists(line(years), min_size=1, max_size=8)),
    }
    if with_benefits:
        data["benefits"] = draw(st.lists(line(years, benefit=True), max_size=4))
    return data


@given(scenarios())
def test_lines_add_up_to_the_totals(data: dict[str, Any]) -> None:
    result = compute(load_scenario(data))
    periods = data["years"] + 1
    # Decimal keeps 28 significant digits, so sums taken in a different order may differ in the
    # last digit: compare to 1e-20 of the magnitude (far below a cent).
    scale = max(result.tco, result.total_benefits_sum, D(1))

    def same(a: Decimal, b: Decimal) -> bool:
        return abs(a - b) <= scale * D("1e-20")

    for p in range(periods):
        by_category = sum((result.costs_by_category[k][p] for k in CATEGORIES), D(0))
        by_line = sum((lr.amounts[p] for lr in result.lines if lr.kind == "cost"), D(0))
        benefits = sum((lr.amounts[p] for lr in result.lines if lr.kind == "benefit"), D(0))
        assert same(by_category, result.total_costs[p])
        assert same(by_line, result.total_costs[p])
        assert same(benefits, result.total_benefits[p])
        assert result.net[p] == result.total_benefits[p] - result.total_costs[p]
    assert same(result.tco, sum(result.total_costs, D(0)))
    assert same(result.npv, result.pv_benefits - result.pv_costs)
    assert same(result.cumulative[-1], sum(result.net, D(0)))
    assert result.npv == sum(result.discounted_net, D(0))
    assert same(sum((lr.pv for lr in result.lines if lr.kind == "cost"), D(0)), result.pv_costs)
    assert all(v >= 0 for v in result.total_costs)


@given(scenarios(with_benefits=False))
def test_no_benefits_means_roi_minus_one(data: dict[str, Any]) -> None:
    result = compute(load_scenario(data))
    assert result.pv_benefits == 0
    if result.pv_costs > 0:
        assert result.roi == D(-1)
    else:
        assert result.roi is None


@given(scenarios(with_benefits=False), st.data())
def test_npv_falls_as_the_discount_rate_rises_when_every_year_nets_positive(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    """NPV(d) = net0 + sum(net_y / (1+d)^y) is non-increasing in d when every yearly net is >= 0
    (period 0 is not discounted, so it may be anything). Build such a scenario: a benefit that
    covers each year's costs plus a non-negative extra."""
    years = data["years"]
    data["discount_rate"] = 0
    costs = compute(load_scenario(data)).total_costs
    extras = draw.draw(st.lists(money, min_size=years, max_size=years))
    data["benefits"] = [
        {"name": "Covers the costs", "yearly": [c + e for c, e in zip(costs[1:], extras, strict=True)]},
        {"name": "Up-front benefit", "initial": draw.draw(money)},
    ]
    low, high = sorted(draw.draw(st.lists(rates, min_size=2, max_size=2)))
    npv_low = compute(load_scenario({**data, "discount_rate": low})).npv
    npv_high = compute(load_scenario({**data, "discount_rate": high})).npv
    assert all(n >= 0 for n in compute(load_scenario(data)).net[1:])
    assert npv_low >= npv_high


@given(scenarios(), st.decimals(min_value=0, max_value=1, places=2, allow_nan=False, allow_infinity=False))
def test_sensitivity_is_sorted_and_linear(data: dict[str, Any], delta: Decimal) -> None:
    result = compute(load_scenario(data), sensitivity_delta=delta)
    swings = [e.swing for e in result.sensitivity]
    assert swings == sorted(swings, reverse=True)
    assert len(result.sensitivity) == len(result.lines)
    by_name: dict[tuple[str, str], list[Decimal]] = {}
    for lr in result.lines:
        by_name.setdefault((lr.name, lr.kind), []).append(2 * delta * lr.pv)
    for entry in result.sensitivity:
        # swing = 2 x delta x PV(line), to the 28th digit
        expected = by_name[(entry.line, entry.kind)]
        assert any(abs(entry.swing - x) <= max(x, D(1)) * D("1e-25") for x in expected)
        assert entry.swing == abs(entry.high - entry.low)
        if entry.kind == "cost":
            assert entry.low >= 0 >= entry.high
        else:
            assert entry.high >= 0 >= entry.low


@given(scenarios())
def test_payback_is_where_the_cumulative_reaches_zero(data: dict[str, Any]) -> None:
    result = compute(load_scenario(data))
    months = result.payback_months
    cumulative, net = result.cumulative, result.net
    if cumulative[0] >= 0:
        assert months == 0
        return
    if months is None:
        assert all(c < 0 for c in cumulative)
        return
    year = int(months // 12) + 1 if months % 12 else int(months // 12)
    assert 1 <= year <= data["years"]
    assert all(c < 0 for c in cumulative[:year])
    assert cumulative[year] >= 0
    # the linear cumulative within that year is zero at the payback month
    at = cumulative[year - 1] + net[year] * (months - 12 * (year - 1)) / 12
    assert abs(at) <= max(abs(cumulative[year - 1]), D(1)) * D("1e-20")


@given(scenarios())
def test_dump_and_load_round_trip(data: dict[str, Any]) -> None:
    scenario = load_scenario(data)
    assert load_scenario(dump_scenario(scenario)) == scenario
