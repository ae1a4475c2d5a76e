"""Server time of the sales board, the home dashboard and record timelines at scale, through the WSGI stack.

    python bench/bench_sales.py --deals 1000000 --database sqlite [--requests 200] [--only 'board_']

Runs against the database `gen_sales.py` loaded (``var/bench/sales-sqlite-<deals>`` or
``guanxi_salesbench_<deals>``). Every request is a full WSGI call of `guanxi.wsgi.application` (the
`WsgiClient` of bench_web.py: middleware, session, view, template, connection open/close signals), timed
from the call to the last byte of the body.

Scenarios, each as the administrator (scope "all"), a sales manager (scope "team") and the sales rep with
the most deals (scope "own"):

* board_*: ``/sales/board/`` of the default pipeline (4 open stages) and of the renewals pipeline, without
  filters and filtered by owner, team, closing month, and owner + month — parameters drawn afresh per
  request (goal: p95 ≤ 50 ms);
* dashboard_home: ``/`` — the home page with the sales widget (goal: p95 ≤ 200 ms);
* timeline_*: ``/activities/timeline/<type>/<id>/`` of random deals the user may see, of the deals with the
  most activities, their second page (``?before=``), of random contacts and of the busiest companies
  (goal: p95 ≤ 30 ms); deal_page: the whole deal page ``/sales/deals/<id>/`` (for reference).

Prints ``<scenario>_p50_ms`` / ``<scenario>_p95_ms`` lines, then the worst p95 per goal and whether it is met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import Request, WsgiClient
from common import ROOT, machine, percentiles, setup_django
from gen_sales import configure_sales

GOALS = {"board": 50.0, "dashboard": 200.0, "timeline": 30.0}


@dataclass
class Scenario:
    name: str
    group: str  # board | dashboard | timeline | page
    user: str
    make: Callable[[random.Random], Request]


@dataclass
class Pools:
    users: dict[str, Any]
    pipelines: list[int]
    owners: dict[str, list[int]]
    teams: dict[str, list[int]]
    months: list[str]
    deals: dict[str, list[int]]
    busy_deals: dict[str, list[tuple[int, str]]]  # (id, `before` of its second page)
    contacts: dict[str, list[int]]
    companies: dict[str, list[int]]


def load_pools(seed: int, sample: int = 400) -> Pools:
    from django.db.models import Count, Max
    from django.utils import timezone

    from guanxi.activities import selectors as activity_selectors
    from guanxi.activities.models import Activity
    from guanxi.core import permissions
    from guanxi.customers.models import Company, Contact
    from guanxi.sales.models import Deal, Pipeline
    from guanxi.users.models import Team, User

    rng = random.Random(f"{seed}:sales-pools")
    admin = User.objects.get(username="admin")
    manager = User.objects.get(username="manager1")
    counts = dict(
        Deal.objects.filter(owner__username__startswith="rep").values_list("owner").annotate(c=Count("id"))
    )
    rep = User.objects.get(pk=max(counts, key=lambda k: counts[k]))
    users = {"admin": admin, "manager": manager, "rep": rep}
    today = timezone.localdate().replace(day=1)
    months = []
    for i in range(-1, 7):
        month = today.month - 1 + i
        months.append(f"{today.year + month // 12:04d}-{month % 12 + 1:02d}")
    owners, teams, deals, busy, contacts, companies = {}, {}, {}, {}, {}, {}
    max_deal = Deal.objects.aggregate(m=Max("id"))["m"] or 0
    max_contact = Contact.objects.aggregate(m=Max("id"))["m"] or 0
    # the busiest records: most activities (one pass over the activity table per link)
    busiest_deals = [
        r["deal_id"]
        for r in Activity.objects.filter(deal__isnull=False)
        .values("deal_id")
        .annotate(n=Count("id"))
        .order_by("-n")[:3000]
    ]
    busiest_companies = [
        r["company_id"]
        for r in Activity.objects.filter(company__isnull=False)
        .values("company_id")
        .annotate(n=Count("id"))
        .order_by("-n")[:300]
    ]
    for role, user in users.items():
        scope = permissions.scope_for(user, "deal", "view")
        visible = Deal.objects.visible_to(user)
        owners[role] = (
            list(permissions.assignable_users(user, "deal", "view").values_list("pk", flat=True))
            if scope > permissions.Scope.OWN
            else [user.pk]
        )
        teams[role] = list(Team.objects.values_list("pk", flat=True)) if scope > permissions.Scope.OWN else []
        if role == "rep":
            mine = list(visible.values_list("id", flat=True))
            deals[role] = rng.sample(mine, min(sample, len(mine)))
        else:
            ids = {rng.randrange(1, max_deal + 1) for _ in range(sample * 4)}
            deals[role] = list(visible.filter(pk__in=ids).values_list("id", flat=True))[:sample]
        visible_busy = list(visible.filter(pk__in=busiest_deals).values_list("id", flat=True))
        visible_busy.sort(key=busiest_deals.index)
        busy[role] = []
        for pk in visible_busy[:50]:
            deal = Deal.objects.get(pk=pk)
            _entries, before = activity_selectors.timeline(user, "deal", deal)
            if before is not None:
                busy[role].append((pk, before.isoformat()))
        ids = {rng.randrange(1, max_contact + 1) for _ in range(sample * 4)}
        contacts[role] = list(
            Contact.objects.visible_to(user).filter(pk__in=ids).values_list("id", flat=True)[:sample]
        )
        companies[role] = list(
            Company.objects.visible_to(user).filter(pk__in=busiest_companies).values_list("id", flat=True)
        )
    return Pools(
        users=users,
        pipelines=[p.pk for p in Pipeline.objects.filter(active=True).order_by("-is_default", "order", "id")],
        owners=owners,
        teams=teams,
        months=months,
        deals=deals,
        busy_deals=busy,
        contacts=contacts,
        companies=companies,
    )  # fmt: skip


def scenarios(pools: Pools, roles: list[str]) -> list[Scenario]:
    out: list[Scenario] = []

    def add(name: str, group: str, role: str, make: Callable[[random.Random], Request]) -> None:
        out.append(Scenario(f"{name}_{role}", group, role, make))

    default, renewals = pools.pipelines[0], pools.pipelines[1]
    for role in roles:
        owners, teams, months = pools.owners[role], pools.teams[role], pools.months
        add("board_default", "board", role, lambda r: Request("/sales/board/"))
        add("board_renewals", "board", role, lambda r: Request(f"/sales/board/{renewals}/"))
        add(
            "board_owner", "board", role, lambda r, o=owners: Request("/sales/board/", {"owner": r.choice(o)})
        )
        if teams:
            add(
                "board_team",
                "board",
                role,
                lambda r, t=teams: Request("/sales/board/", {"team": r.choice(t)}),
            )
        add(
            "board_month", "board", role, lambda r, m=months: Request("/sales/board/", {"month": r.choice(m)})
        )
        add(
            "board_owner_month",
            "board",
            role,
            lambda r, o=owners, m=months: Request(f"/sales/board/{r.choice([default, renewals])}/",
                                                  {"owner": r.choice(o), "month": r.choice(m)}),
        )  # fmt: skip
        add("dashboard_home", "dashboard", role, lambda r: Request("/"))
        deals, busy = pools.deals[role], pools.busy_deals[role]
        add(
            "timeline_deal",
            "timeline",
            role,
            lambda r, d=deals: Request(f"/activities/timeline/deal/{r.choice(d)}/"),
        )
        if busy:
            add(
                "timeline_deal_busy",
                "timeline",
                role,
                lambda r, b=busy: Request(f"/activities/timeline/deal/{r.choice(b)[0]}/"),
            )

            def older(r: random.Random, b: list[tuple[int, str]] = busy) -> Request:
                pk, before = r.choice(b)
                return Request(f"/activities/timeline/deal/{pk}/", {"before": before}, {"HX-Request": "true"})

            add("timeline_deal_older", "timeline", role, older)
        if pools.contacts[role]:
            add(
                "timeline_contact",
                "timeline",
                role,
                lambda r, c=pools.contacts[role]: Request(f"/activities/timeline/contact/{r.choice(c)}/"),
            )
        if pools.companies[role]:
            add(
                "timeline_company_busy",
                "timeline",
                role,
                lambda r, c=pools.companies[role]: Request(f"/activities/timeline/company/{r.choice(c)}/"),
            )
        add("deal_page", "page", role, lambda r, d=deals: Request(f"/sales/deals/{r.choice(d)}/"))
    return out


def run_scenario(
    client: WsgiClient, scenario: Scenario, auth: dict[str, str], requests: int, warmup: int, seed: int
) -> dict[str, Any]:
    rng = random.Random(f"{seed}:{scenario.name}")
    samples: list[float] = []
    cpu: list[float] = []
    errors = 0
    load_before = os.getloadavg()[0]
    for i in range(requests + warmup):
        request = scenario.make(rng)
        elapsed, status, _body = client.get(request, auth)
        if status != 200:
            errors += 1
            if errors < 3:
                print(f"# {scenario.name}: HTTP {status} for {request}", file=sys.stderr)
        if i >= warmup:
            samples.append(elapsed)
            cpu.append(client.cpu_ms)
    stats = percentiles(samples)
    cpu_stats = percentiles(cpu)
    return {"name": scenario.name, "group": scenario.group, "user": scenario.user, "requests": len(samples),
            "errors": errors, **stats, "cpu_p50": cpu_stats["p50"], "cpu_p95": cpu_stats["p95"],
            "load": round((load_before + os.getloadavg()[0]) / 2, 2)}  # fmt: skip


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for group, goal in GOALS.items():
        rows = [r for r in results if r["group"] == group]
        if not rows:
            continue
        worst = max(rows, key=lambda r: r["p95"])
        summary[f"{group}_p95_worst_ms"] = f"{worst['p95']:.2f}"
        summary[f"{group}_p95_worst_scenario"] = worst["name"]
        summary[f"{group}_goal_p95_le_{goal:g}ms"] = "met" if worst["p95"] <= goal else "NOT met"
        summary[f"{group}_cpu_p95_worst_ms"] = f"{max(r['cpu_p95'] for r in rows):.2f}"
    summary["errors_total"] = sum(r["errors"] for r in results)
    return summary


def _database_ready(env: dict[str, str], deals: int) -> bool:
    """Does the benchmark database exist and hold exactly `deals` deals?"""
    probe = (
        "import django; django.setup()\n"
        "from guanxi.sales.models import Deal\n"
        "try:\n    print(Deal.objects.count())\nexcept Exception:\n    print(-1)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
    )
    lines = result.stdout.strip().splitlines()
    return bool(lines) and lines[-1] == str(deals)


def _analyze() -> None:
    """Planner statistics for indexes a migration added since the data was loaded (PostgreSQL's autovacuum
    would gather them in time; SQLite only when asked)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            cursor.execute("ANALYZE")
            return
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        known = "SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL" if cursor.fetchone()[0] else "SELECT ''"
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
            f"(tbl_name LIKE 'sales_%' OR tbl_name LIKE 'activities_%' OR tbl_name = 'core_objectchange') "
            f"AND name NOT IN ({known})"
        )
        if cursor.fetchone()[0]:
            cursor.execute("ANALYZE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="", help="regular expression on scenario names")
    parser.add_argument("--roles", default="admin,manager,rep")
    parser.add_argument("--json", default="", help="write all results to this file")
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="generate the database when missing (gen_sales.py, --deals × 3 activities), migrate, analyze",
    )
    args = parser.parse_args(argv)

    env = configure_sales(args.database, args.deals)
    if args.prepare and not _database_ready(env, args.deals):
        command = [sys.executable, str(ROOT / "bench" / "gen_sales.py"), "--deals", str(args.deals)]
        command += ["--activities", str(args.deals * 3), "--database", args.database]
        print("# generating: " + " ".join(command[1:]), flush=True)
        subprocess.run(command, check=True, env={**os.environ, **env}, stdout=sys.stderr)
    # the pages' static files by their hashed names, collected into a directory of the benchmark's own
    os.environ.setdefault("GUANXI_STATIC_ROOT", str(ROOT / "var" / "bench" / "static"))
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if args.prepare:
        call_command("migrate", "--no-input", verbosity=0)
        _analyze()
    call_command("collectstatic", "--noinput", verbosity=0)

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    started = time.perf_counter()
    pools = load_pools(args.seed)
    print(
        f"# pools built in {time.perf_counter() - started:.1f}s; rep = {pools.users['rep'].username}",
        flush=True,
    )
    roles = [r for r in args.roles.split(",") if r]
    auth: dict[str, dict[str, str]] = {}
    for role in roles:
        browser = Client()
        browser.force_login(pools.users[role])
        auth[role] = {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}
    vendor = connection.vendor
    connection.close()
    client = WsgiClient()
    wanted = re.compile(args.only) if args.only else None
    results = []
    started = time.perf_counter()
    for scenario in scenarios(pools, roles):
        if wanted and not wanted.search(scenario.name):
            continue
        result = run_scenario(client, scenario, auth[scenario.user], args.requests, args.warmup, args.seed)
        results.append(result)
        print(f"{scenario.name}_p50_ms={result['p50']:.2f}")
        print(f"{scenario.name}_p95_ms={result['p95']:.2f}", flush=True)
        cpu_line = f"in-process CPU p50 {result['cpu_p50']:.2f} ms, p95 {result['cpu_p95']:.2f} ms"
        print(f"# {scenario.name}: {cpu_line}; load {result['load']}", flush=True)
        if result["errors"]:
            print(f"{scenario.name}_errors={result['errors']}")
    summary = summarise(results)
    for key, value in summary.items():
        print(f"{key}={value}")
    print(f"bench_sales_seconds={time.perf_counter() - started:.0f}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"database": vendor, "deals": args.deals, "requests": args.requests, "machine": machine(),
                 "when": dt.datetime.now(dt.UTC).isoformat(), "results": results, "summary": summary},
                ensure_ascii=False,
                indent=1,
            )
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    os.environ.setdefault("GUANXI_ENV", "development")
    sys.exit(main())
