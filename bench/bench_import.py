"""Imports at scale: a contacts CSV (5 % duplicates, 0.5 % invalid rows, from gen_contacts_csv.py) imported
with validation, normalisation, duplicate detection, search indexing and audit, against a bare load of the
same rows into a table with the same indexes, measured in the same run; then the preview of a 10,000-row
file and the duplicate scan of the stored contacts.

    python bench/bench_import.py --n 1000000 --database sqlite
    python bench/bench_import.py --n 1000000 --database postgres
    python bench/bench_import.py --n 100000 --database sqlite --skip-scan

Each run uses a database of its own, made afresh (SQLite: var/bench/import-sqlite-<n>/; PostgreSQL:
guanxi_bench_import_<n>), so nothing else's benchmark data is touched.

The bare load: the CSV read with the csv module, each row's twelve cells put in the contact table's
columns (no normalisation, no validation, no duplicate detection, no audit) and written with sqlite3
`executemany` in batches of 5,000 (PostgreSQL: COPY), into a copy of the contact table with the same
B-tree indexes; "bare+search" also fills the same full-text index (FTS5 table / GIN index) with the
row's cells as its text. The import is `ImportRunner` as `guanxi import` runs it (worker processes for
large files). Peak memory is the largest sum of the resident memory of the process and its children,
sampled every 50 ms. Prints `name=value` lines and, with --json, writes them to a file.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, machine, setup_django

GOALS = {"import_1m_s": 20.0, "ratio": 2.0, "import_100k_s": 3.0, "preview_s": 1.0, "scan_1m_s": 60.0,
         "peak_mb": 1024.0}  # fmt: skip


class PeakMemory:
    """Largest memory of this process plus its children, sampled in a thread: the sum of their PSS
    (proportional set size: a page the forked workers share with the main process counts once), and,
    for reference, the sum of their RSS (shared pages counted in each process)."""

    def __init__(self, pid: int | None = None) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.peak = 0
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            pss = rss = 0
            try:
                for proc in [self.process, *self.process.children(recursive=True)]:
                    try:
                        info = proc.memory_full_info()
                        pss += getattr(info, "pss", info.rss)
                        rss += info.rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            self.peak = max(self.peak, pss)
            self.peak_rss = max(self.peak_rss, rss)
            time.sleep(0.05)

    def __enter__(self) -> PeakMemory:
        self.peak = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def configure_db(database: str, n: int) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        "GUANXI_ENV": "development",
        "GUANXI_LOG_LEVEL": "WARNING",
    }
    if database == "sqlite":
        data_dir = ROOT / "var" / "bench" / f"import-sqlite-{n}"
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        env["GUANXI_DATA_DIR"] = str(data_dir)
        os.environ.pop("DATABASE_URL", None)
    else:
        server = os.environ.get("GUANXI_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
        name = f"guanxi_bench_import_{n}"
        subprocess.run(["psql", server + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", server + "/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
        env["DATABASE_URL"] = f"{server}/{name}"
        data_dir = ROOT / "var" / "bench" / f"import-pg-{n}"
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        env["GUANXI_DATA_DIR"] = str(data_dir)
    os.environ.update(env)
    return env


def ensure_csv(n: int, path: Path | None) -> Path:
    if path is not None:
        return path
    target = ROOT / "bench" / "out" / f"contacts_{n}.csv"
    if n == 1_000_000 and (ROOT / "bench" / "out" / "contacts_1m.csv").exists():
        return ROOT / "bench" / "out" / "contacts_1m.csv"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "gen_contacts_csv.py"), "-n", str(n), "-o", str(target)],
            check=True,
        )
    return target


# The twelve columns of gen_contacts_csv.py, in the contact table.
CSV_COLUMNS = [
    "full_name", "title", None, "email", "mobile", "work_phone", "wechat", "province", "city", "street",
    "source", "notes",
]  # fmt: skip


def bare_load(path: Path, *, with_search: bool) -> dict[str, float]:
    """csv + executemany (COPY) into a copy of the contact table with its indexes; seconds."""
    from django.db import connection

    from guanxi.customers.models import Contact

    table = Contact._meta.db_table
    bare = "bare_contact_search" if with_search else "bare_contact"
    fields = [f for f in Contact._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=%s", [table])
            ddl = cursor.fetchone()[0].replace(f'"{table}"', f'"{bare}"', 1)
            cursor.execute(f'DROP TABLE IF EXISTS "{bare}"')
            cursor.execute(ddl)
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=%s AND sql IS NOT NULL",
                [table],
            )
            for (sql,) in cursor.fetchall():
                name = sql.split('"')[1]
                cursor.execute(
                    sql.replace(f'"{name}"', f'"{bare}_{name}"', 1).replace(f'ON "{table}"', f'ON "{bare}"')
                )
            if with_search:
                fts = f"{bare}_fts"
                cursor.execute(f'DROP TABLE IF EXISTS "{fts}"')
                cursor.execute(
                    f"CREATE VIRTUAL TABLE \"{fts}\" USING fts5(search_text, content='{bare}', "
                    "content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='1 2 3')"
                )
                cursor.execute(
                    f'CREATE TRIGGER "{fts}_ai" AFTER INSERT ON "{bare}" BEGIN INSERT INTO "{fts}"'
                    f"(rowid, search_text) VALUES (new.id, new.search_text); END"
                )
        else:
            cursor.execute(f'DROP TABLE IF EXISTS "{bare}"')
            cursor.execute(f'CREATE TABLE "{bare}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING INDEXES)')
            if not with_search:
                cursor.execute(
                    "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef ILIKE %s",
                    [bare, "%gin%"],
                )
                for (index,) in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{index}"')
    now = "2025-01-01 00:00:00"
    defaults = {
        "created_at": now, "updated_at": now, "version": 1, "custom_field_data": "{}", "country": "CN",
        "postal_code": "", "family_name": "", "given_name": "", "email_secondary": "", "mobile_e164": "",
        "work_phone_e164": "", "sort_name": "", "search_text": "", "company_id": None, "owner_id": None,
        "team_id": None,
    }  # fmt: skip
    index = {c: i for i, c in enumerate(CSV_COLUMNS) if c}
    template = [defaults.get(c) for c in columns]
    positions = [(columns.index(c), i) for c, i in index.items()]
    search_at = columns.index("search_text")
    raw = connection.connection if connection.vendor == "sqlite" else None
    if raw is not None:  # the page cache the import works with, for a fair comparison
        from guanxi.transfer.engine import SQLITE_IMPORT_CACHE_KIB

        raw.execute(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")
    start = time.perf_counter()
    cpu = time.process_time()
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch: list[list[Any]] = []
        cols = ", ".join(f'"{c}"' for c in columns)
        if connection.vendor == "sqlite":
            sql = f'INSERT INTO "{bare}" ({cols}) VALUES ({", ".join("?" * len(columns))})'
            for row in reader:
                values = list(template)
                for at, i in positions:
                    values[at] = row[i]
                if with_search:
                    values[search_at] = " ".join(row)
                batch.append(values)
                if len(batch) >= 5000:
                    raw.execute("BEGIN IMMEDIATE")  # one transaction per batch, as the import
                    raw.executemany(sql, batch)
                    raw.execute("COMMIT")
                    batch = []
            if batch:
                raw.execute("BEGIN IMMEDIATE")
                raw.executemany(sql, batch)
                raw.execute("COMMIT")
        else:
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f'COPY "{bare}" ({cols}) FROM STDIN') as copy,
            ):
                for row in reader:
                    values = list(template)
                    for at, i in positions:
                        values[at] = row[i]
                    if with_search:
                        values[search_at] = " ".join(row)
                    copy.write_row(values)
            connection.commit() if not connection.get_autocommit() else None
    return {"seconds": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}


def run_import(path: Path, user: Any, on_duplicate: str = "skip") -> dict[str, Any]:
    """`guanxi import contacts PATH` in a process of its own, as a person runs it; its time (with Django's
    start-up), CPU and peak memory (the process and its worker processes)."""
    import psutil

    from guanxi.transfer.models import ImportJob

    command = [
        str(ROOT / ".venv" / "bin" / "guanxi"),
        "import",
        "contacts",
        str(path),
        "--quiet",
        "--as",
        user.username,
        "--on-duplicate",
        on_duplicate,
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    cpu = {"main": 0.0, "children": 0.0}
    total_cpu = 0.0
    with PeakMemory(proc.pid) as memory:
        ps = psutil.Process(proc.pid)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                total_cpu = usage.ru_utime + usage.ru_stime  # the process and its reaped workers
                break
            try:
                times = ps.cpu_times()
                cpu = {
                    "main": times.user + times.system,
                    "children": times.children_user + times.children_system,
                }
            except psutil.Error:
                pass
            time.sleep(0.2)
    seconds = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None, err.decode()
    cpu["children"] = max(cpu["children"], total_cpu - cpu["main"])
    return {
        "seconds": seconds,
        "exit_status": proc.returncode,
        "summary": out.decode().strip().splitlines()[0] if out else err.decode()[-300:],
        "cpu_main_s": cpu.get("main", 0.0),
        "cpu_workers_s": cpu.get("children", 0.0),
        "peak_mb": memory.peak / 1024 / 1024,
        "peak_rss_sum_mb": memory.peak_rss / 1024 / 1024,
        "status": job.status,
        "error": job.error,
        "rows": job.rows,
        "created": job.created,
        "duplicates": job.duplicates,
        "failed": job.failed,
        "warnings": job.warnings,
        "companies_created": job.related_created,
        "rows_per_s": job.rows / seconds if seconds else 0,
    }


def preview(path: Path, user: Any, tmp: Path) -> float:
    """What the preview page does with a 10,000-row file: store it, read its header, propose a mapping,
    estimate its rows, read the first rows and the owner column."""
    from guanxi.transfer.services import import_create
    from guanxi.transfer.services import owner_values as owners
    from guanxi.transfer.services import preview as first_rows

    small = tmp / "contacts_10k.csv"
    with open(path, encoding="utf-8") as src, open(small, "w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if i > 10_000:
                break
            out.write(line)
    start = time.perf_counter()
    job = import_create(actor=user, source=small, file_name=small.name, object_type="contacts")
    first_rows(job)
    owners(job)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--csv", type=Path, default=None, help="the contacts CSV (default: generated)")
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument(
        "--on-duplicate",
        default="skip",
        choices=["skip", "update", "create"],
        help="create: store every row (the scan then has all of them to look at)",
    )
    parser.add_argument("--json", default="")
    args = parser.parse_args(argv)
    path = ensure_csv(args.n, args.csv)
    configure_db(args.database, args.n)
    setup_django()
    from django.core.management import call_command

    from guanxi.users.models import User

    call_command("migrate", verbosity=0)
    user = User.objects.create_superuser("bench", "bench@example.com", "bench-password-1")
    results: dict[str, Any] = {"machine": machine(), "database": args.database, "n": args.n, "csv": str(path)}
    with open(path, "rb") as handle:
        rows_in_file = sum(1 for _ in handle) - 1
    results["file_rows"] = rows_in_file
    if not args.skip_bare:
        print("bare load …", file=sys.stderr, flush=True)
        results["bare"] = bare_load(path, with_search=False)
        print(f"  {results['bare']}", file=sys.stderr, flush=True)
        results["bare_search"] = bare_load(path, with_search=True)
        print(f"  {results['bare_search']}", file=sys.stderr, flush=True)
    from django.db import connection

    connection.close()  # the import is another process: let it have the database
    print("import …", file=sys.stderr, flush=True)
    results["import"] = run_import(path, user, args.on_duplicate)
    print(f"  {results['import']}", file=sys.stderr, flush=True)
    imp = results["import"]
    if not args.skip_bare:
        results["ratio_bare"] = imp["seconds"] / results["bare"]["seconds"]
        results["ratio_bare_search"] = imp["seconds"] / results["bare_search"]["seconds"]
        # CPU seconds (main + workers) against the bare load's: what the ratio is on an idle machine,
        # where the import's two processes run on the two cores in parallel, bounded by the larger one.
        results["cpu_ratio_bare"] = (imp["cpu_main_s"] + imp["cpu_workers_s"]) / results["bare"]["cpu_s"]
    results["preview_10k_s"] = preview(path, user, Path(os.environ["GUANXI_DATA_DIR"]))
    if not args.skip_scan:
        from guanxi.transfer.duplicates import scan

        start = time.perf_counter()
        pairs = scan("contact")
        results["scan"] = {"seconds": time.perf_counter() - start, "pairs": pairs}
    for key, value in _flat(results):
        print(f"{key}={value}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


def _flat(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.extend(_flat(value, f"{name}_"))
        elif isinstance(value, float):
            out.append((name, round(value, 3)))
        else:
            out.append((name, value))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
