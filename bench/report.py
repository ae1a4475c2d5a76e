"""Markdown tables for docs/benchmarks.md from bench_web.py's JSON results.

    python bench/report.py --after var/bench/results/web-sqlite-….json [--before old.json] [--full]

Prints a summary per group and role (worst p95, scenarios over the goal), a table of selected scenarios
(before and after when both are given) and, with ``--full``, every scenario.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

GOALS = {"list": 20.0, "search": 50.0, "search_common": 50.0}
ROLES = ("admin", "manager", "rep")
SELECTED = [
    "list_default",
    "list_htmx_partial",
    "list_sort_email_desc",
    "list_sort_updated_at_desc",
    "list_filter_owner_updated_at_desc",
    "list_filter_team_email",
    "list_filter_city_email",
    "list_filter_source_sort_name",
    "list_filter_company_updated_at_desc",
    "list_deep_default",
    "list_deep_city_sort_name",
    "search_list_chinese_name",
    "search_list_pinyin_initials",
    "search_header_pinyin_prefix",
    "search_list_email",
    "search_api_phone_prefix",
    "search_list_company_fragment",
    "search_header_common_surname_cn",
    "search_list_common_surname_pinyin",
    "api_list_default",
]


def load(path: str | None) -> dict[str, dict[str, Any]]:
    if not path:
        return {}
    data = json.loads(Path(path).read_text())
    return {row["name"]: row for row in data["results"]}


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def summary(after: dict[str, dict[str, Any]], before: dict[str, dict[str, Any]]) -> list[str]:
    out = [
        "| group | user | scenarios | median p50 ms | worst p95 ms | worst CPU p95 ms "
        "| over goal (wall / CPU) |" + (" worst p95 before ms |" if before else ""),
        "|---|---|---:|---:|---:|---:|---:|" + ("---:|" if before else ""),
    ]
    for group, goal in (*GOALS.items(), ("api", None)):
        for role in ROLES:
            rows = [r for r in after.values() if r["group"] == group and r["user"] == role]
            if not rows:
                continue
            worst = max(rows, key=lambda r: r["p95"])
            worst_cpu = max(r["cpu_p95"] for r in rows)
            over = (
                f"{sum(r['p95'] > goal for r in rows)} / {sum(r['cpu_p95'] > goal for r in rows)}"
                if goal
                else "–"
            )
            line = (
                f"| {group} (goal p95 ≤ {goal:g} ms) | {role} | {len(rows)} | "
                if goal
                else f"| {group} | {role} | {len(rows)} | "
            )
            median = statistics.median(r["p50"] for r in rows)
            line += f"{ms(median)} | {ms(worst['p95'])} | {ms(worst_cpu)} | {over} |"
            if before:
                old = [before[r["name"]]["p95"] for r in rows if r["name"] in before]
                line += f" {ms(max(old)) if old else '–'} |"
            out.append(line)
    return out


def scenarios(
    after: dict[str, dict[str, Any]], before: dict[str, dict[str, Any]], names: list[str]
) -> list[str]:
    head = "| scenario | user | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms |"
    rule = "|---|---|---:|---:|---:|---:|"
    if before:
        head += " before p50 ms | before p95 ms | before CPU p95 ms |"
        rule += "---:|---:|---:|"
    out = [head, rule]
    for base in names:
        for role in ROLES:
            row = after.get(f"{base}_{role}")
            if row is None:
                continue
            line = f"| {base} | {role} | {ms(row['p50'])} | {ms(row['p95'])} | "
            line += f"{ms(row['cpu_p50'])} | {ms(row['cpu_p95'])} |"
            if before:
                old = before.get(f"{base}_{role}")
                line += (
                    f" {ms(old['p50'])} | {ms(old['p95'])} | {ms(old.get('cpu_p95'))} |"
                    if old
                    else " – | – | – |"
                )
            out.append(line)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--after", required=True)
    parser.add_argument("--before", default="")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    after, before = load(args.after), load(args.before)
    print("\n".join(summary(after, before)))
    print()
    print("\n".join(scenarios(after, before, SELECTED)))
    if args.full:
        names = list(dict.fromkeys(name.rsplit("_", 1)[0] for name in after))
        print()
        print("\n".join(scenarios(after, before, names)))


if __name__ == "__main__":
    main()
