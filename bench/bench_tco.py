"""Benchmark the TCO engine: compute + sensitivity for a 50-line, 10-year scenario.

    python bench/bench_tco.py [--runs 500]

Prints p50 / p95 in milliseconds and a summary line ``tco_compute_50x10_p95_ms=…`` (goal < 10).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

try:
    from guanxi.costs.engine import CATEGORIES, compute, load_scenario
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from guanxi.costs.engine import CATEGORIES, compute, load_scenario

YEARS = 10
LINES = 50


def build_scenario() -> dict[str, Any]:
    """50 lines (45 costs across all ten categories and every amount form, 5 benefits)."""
    categories = list(CATEGORIES)
    costs: list[dict[str, Any]] = []
    for i in range(LINES - 5):
        line: dict[str, Any] = {"category": categories[i % len(categories)], "name": f"Cost line {i + 1}"}
        form = i % 6
        if form == 0:
            line.update(per_seat_month=Decimal("163.30") + i, escalation=Decimal("0.05"))
        elif form == 1:
            line.update(yearly=[Decimal(10000 + 1000 * y + i) for y in range(YEARS)])
        elif form == 2:
            line.update(monthly=Decimal("850.50") + i, escalation=Decimal("0.03"), risk=Decimal("0.1"))
        elif form == 3:
            line.update(hours=[Decimal(400 - 10 * y) for y in range(YEARS)], rate=Decimal(150))
        elif form == 4:
            line.update(per_seat_year=Decimal("1200.00") + i, initial=Decimal(5000))
        else:
            line.update(initial=Decimal(20000 + i), yearly=Decimal(3000), escalation=Decimal("0.02"))
        costs.append(line)
    benefits = [
        {
            "name": f"Benefit {j + 1}",
            "yearly": Decimal(100000 * (j + 1)),
            "escalation": Decimal("0.04"),
            "risk": Decimal("0.2"),
        }
        for j in range(5)
    ]
    return {
        "name": "Benchmark: 50 lines x 10 years",
        "currency": "CNY",
        "years": YEARS,
        "discount_rate": Decimal("0.08"),
        "seats": [50 + 5 * y for y in range(YEARS)],
        "costs": costs,
        "benefits": benefits,
    }


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    index = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=500, help="timed runs (default 500)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed warm-up runs (default 20)")
    args = parser.parse_args(argv)

    scenario = load_scenario(build_scenario())
    assert len(scenario.costs) + len(scenario.benefits) == LINES and scenario.years == YEARS
    delta = Decimal("0.2")
    for _ in range(args.warmup):
        compute(scenario, delta)
    timings: list[float] = []
    for _ in range(args.runs):
        start = time.perf_counter_ns()
        result = compute(scenario, delta)
        timings.append((time.perf_counter_ns() - start) / 1e6)
    assert len(result.sensitivity) == LINES
    timings.sort()
    p50, p95 = percentile(timings, 0.50), percentile(timings, 0.95)
    print(f"runs={args.runs} lines={LINES} years={YEARS} mean_ms={statistics.fmean(timings):.3f}")
    print(f"p50_ms={p50:.3f} p95_ms={p95:.3f} max_ms={timings[-1]:.3f}")
    print(f"tco_compute_50x10_p95_ms={p95:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
