import pytest

from guanxi.costs.engine import ScenarioError, load_scenario


def scenario(**line):
    return {
        "name": "Bounds",
        "currency": "CNY",
        "years": 2,
        "seats": 10,
        "costs": [{"category": "subscription", "name": "Plan", **line}],
    }


@pytest.mark.parametrize(
    ("line", "path"),
    [({"yearly": 1e300}, "costs[0].yearly"), ({"per_seat_month": "1e16"}, "costs[0].per_seat_month")],
)
def test_an_amount_too_large_to_compute_exactly_is_refused_by_name(line, path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario(**line))
    assert any(p.path == path and "at most" in p.message for p in caught.value.problems)


def test_seats_beyond_a_billion_are_refused():
    data = scenario(per_seat_month=10)
    data["seats"] = 10**10
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data)
    assert any(p.path.startswith("seats") and "at most" in p.message for p in caught.value.problems)
