"""Shared set-up of the database benchmarks: which database, where it lives, Django start-up, statistics.

The benchmark databases are separate from the development database:

* SQLite: ``var/bench/sqlite-<n>/guanxi.sqlite3`` (``GUANXI_DATA_DIR`` overrides the directory);
* PostgreSQL: ``postgres://postgres@127.0.0.1:5432/guanxi_bench_<n>`` (``GUANXI_BENCH_PG`` overrides
  the server part, ``DATABASE_URL`` the whole address).
"""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def configure(database: str, n: int, *, keep_env: bool = False) -> dict[str, str]:
    """Point the environment at the benchmark database of `database` and size `n`; returns what it set.

    With `keep_env`, an explicit ``GUANXI_DATA_DIR`` / ``DATABASE_URL`` in the environment wins."""
    env: dict[str, str] = {"DJANGO_SETTINGS_MODULE": "guanxi.settings", "GUANXI_ENV": "development"}
    if database == "sqlite":
        data_dir = os.environ.get("GUANXI_DATA_DIR") if keep_env else None
        env["GUANXI_DATA_DIR"] = data_dir or str(ROOT / "var" / "bench" / f"sqlite-{n}")
        os.environ.pop("DATABASE_URL", None)
    elif database == "postgres":
        url = os.environ.get("DATABASE_URL") if keep_env else None
        server = os.environ.get("GUANXI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
        env["DATABASE_URL"] = url or f"{server.rstrip('/')}/guanxi_bench_{n}"
        env["GUANXI_DATA_DIR"] = os.environ.get("GUANXI_DATA_DIR") or str(ROOT / "var" / "bench" / "pg")
    else:
        raise SystemExit(f"unknown database {database!r} (sqlite or postgres)")
    Path(env["GUANXI_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    os.environ.update(env)
    return env


def setup_django() -> None:
    import django

    django.setup()


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 / max of a list of milliseconds (nearest-rank on the sorted samples)."""
    ordered = sorted(samples_ms)
    if not ordered:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}

    def rank(p: float) -> float:
        index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    return {
        "p50": rank(50),
        "p95": rank(95),
        "p99": rank(99),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def prioritise(nice: int) -> None:
    """Run this process (and the PostgreSQL backends serving the benchmark database) at `nice`, to
    approximate a dedicated server on a machine shared with other jobs. 0 leaves everything as it is."""
    if not nice:
        return
    os.setpriority(os.PRIO_PROCESS, 0, nice)


def prioritise_database(nice: int) -> list[int]:
    """Give the PostgreSQL backends connected to the benchmark database the priority `nice` (root
    only); returns their pids. Does nothing on SQLite, which runs inside the benchmark's process."""
    if not nice:
        return []
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = [row[0] for row in cursor.fetchall()]
    for pid in pids:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, nice)
    return pids
