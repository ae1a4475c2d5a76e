"""Run the benchmarks for one database and scale; `make bench` calls this.

    python bench/run.py                                   # SQLite, 1,000,000 contacts
    python bench/run.py --database postgres --n 1000000
    GUANXI_BENCH_DB=postgres GUANXI_BENCH_N=100000 make bench

Steps: generate the benchmark database when it is missing or holds another number of contacts
(bench/gen_db.py; ``--regen`` forces it), apply pending migrations to it, then run bench/bench_web.py
(server time of the list, search and API pages), bench/bench_api.py (requests/s through gunicorn with
2 workers) and the database-independent micro-benchmarks that exist (bench_normalize.py,
bench_tco.py). Prints one ``name=value`` line per metric (comments start with ``#``) and writes the
JSON of each step to ``var/bench/results/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, configure, machine

BENCH = ROOT / "bench"
# Planner statistics for indexes that a migration added since the data was loaded: PostgreSQL's
# autovacuum would gather them on its own; SQLite only gathers them when asked (ANALYZE, or PRAGMA
# optimize in a maintenance job).
ANALYZE = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    if connection.vendor == "sqlite":
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        has_stats = cursor.fetchone()[0]
        analysed = "SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL" if has_stats else "SELECT ''"
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name LIKE 'customers_%' AND name NOT IN ({analysed})"
        )
        missing = cursor.fetchone()[0]
        if missing:
            cursor.execute("ANALYZE")
        print(f"analyzed_indexes_without_statistics={missing}")
    else:
        cursor.execute("ANALYZE")
        print("analyzed=1")
"""
LINE = re.compile(r"^[\w.\-]+=\S.*$")


def step(title: str, command: list[str], env: dict[str, str], prefix: str = "") -> list[str]:
    shown = " ".join(part if "\n" not in part else "<script>" for part in command[1:])
    print(f"# {title}: {shown}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    lines = []
    assert process.stdout is not None
    for raw in process.stdout:
        line = raw.rstrip("\n")
        if LINE.match(line) and " " not in line.split("=", 1)[0]:
            out = f"{prefix}{line}"
            lines.append(out)
            print(out, flush=True)
        elif line.startswith("#"):
            print(line, flush=True)
    code = process.wait()
    print(f"# {title} took {time.perf_counter() - started:.0f} s (exit {code})", flush=True)
    if code:
        raise SystemExit(f"{title} failed with exit code {code}")
    return lines


def database_ready(env: dict[str, str], n: int) -> bool:
    """Does the benchmark database exist and hold exactly `n` contacts?"""
    probe = (
        "import django, sys; django.setup()\n"
        "from guanxi.customers.models import Contact\n"
        "try:\n    print(Contact.objects.count())\nexcept Exception:\n    print(-1)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
    )
    lines = result.stdout.strip().splitlines()
    return bool(lines) and lines[-1] == str(n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("GUANXI_BENCH_N", "1000000")))
    parser.add_argument(
        "--database", choices=["sqlite", "postgres"], default=os.environ.get("GUANXI_BENCH_DB", "sqlite")
    )
    parser.add_argument("--requests", type=int, default=int(os.environ.get("GUANXI_BENCH_REQUESTS", "300")))
    parser.add_argument("--seconds", type=int, default=30, help="duration of the API load test")
    parser.add_argument("--only", default="web,api,micro", help="comma-separated: web, api, micro, sales")
    parser.add_argument("--regen", action="store_true", help="generate the database even if it exists")
    parser.add_argument("--keep-env", action="store_true", help="use GUANXI_DATA_DIR / DATABASE_URL as set")
    args = parser.parse_args(argv)
    only = {part.strip() for part in args.only.split(",")}

    configure(args.database, args.n, keep_env=args.keep_env)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1"}
    python = sys.executable
    keep = ["--keep-env"]
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    results = ROOT / "var" / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)

    info = machine()
    print(f"date={dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"database={args.database}")
    print(f"n={args.n}")
    for key, value in info.items():
        print(f"machine_{key}={str(value).replace(' ', '_')}")
    print(f"machine_loadavg_start={os.getloadavg()[0]:.2f}", flush=True)

    if {"web", "api"} & only:
        if args.regen or not database_ready(env, args.n):
            step(
                "generate",
                [python, str(BENCH / "gen_db.py"), "--n", str(args.n), "--database", args.database, *keep],
                env,
            )
        step("migrate", [python, "-m", "guanxi.cli", "migrate", "--no-input", "-v0"], env)
        step("analyze", [python, "-c", ANALYZE], env)
        # as `make install` does: the pages name their static files through the manifest
        step("collectstatic", [python, "-m", "guanxi.cli", "collectstatic", "--no-input", "-v0"], env)
    if "web" in only:
        web_json = results / f"web-{args.database}-{args.n}-{stamp}.json"
        command = [python, str(BENCH / "bench_web.py"), "--n", str(args.n), "--database", args.database]
        command += ["--requests", str(args.requests), "--json", str(web_json), *keep]
        step("bench_web", command, env)
    if "api" in only:
        for user in ("admin", "rep"):
            api_json = results / f"api-{args.database}-{args.n}-{user}-{stamp}.json"
            command = [python, str(BENCH / "bench_api.py"), "--n", str(args.n), "--database", args.database]
            command += ["--seconds", str(args.seconds), "--user", user, "--prefix", f"api_list_{user}"]
            command += ["--json", str(api_json), *keep]
            step(f"bench_api ({user})", command, env)
    if "sales" in only:  # board, dashboard, timelines on their own database (1M deals, bench/gen_sales.py)
        sales_json = results / f"sales-{args.database}-{stamp}.json"
        command = [python, str(BENCH / "bench_sales.py"), "--database", args.database, "--prepare"]
        command += ["--requests", str(args.requests), "--json", str(sales_json)]
        step("bench_sales", command, env)
    if "micro" in only:
        for name in ("bench_normalize.py", "bench_tco.py"):
            if (BENCH / name).exists():
                step(name, [python, str(BENCH / name)], env)
    print(f"machine_loadavg_end={os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
