"""Throughput of the REST API under gunicorn with 2 workers: ``GET /api/v1/contacts/?limit=50``.

    python bench/bench_api.py --n 1000000 --database sqlite [--seconds 30] [--user admin]

Starts ``guanxi serve --workers 2`` (gunicorn, sync workers, access log on as deployed) on a free port
against the benchmark database, creates an API token for the user, and drives the server for
``--seconds`` with wrk (``apt-get install wrk``) or, without wrk, with a multi-process Python client.
The load generator runs on the same machine and takes part of its CPU. Prints requests/s and latency
percentiles as ``name=value`` lines; the goal is ``api_list_rps >= 1000``. It also reads the CPU time the
server used (gunicorn's processes and the PostgreSQL backends, from /proc/<pid>/schedstat) and prints it
per request, with the throughput at which that work would fill two dedicated cores — on a machine
shared with other jobs the measured requests/s is limited by the cores the server was given.

``--path`` changes the request (e.g. ``'/api/v1/contacts/?limit=50&ordering=-updated_at'``).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, configure, machine, percentiles, prioritise_database, setup_django

GOAL_RPS = 1000
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("requests=%d\\n", summary.requests))
  io.write(string.format("errors=%d\\n", summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout))
  io.write(string.format("duration_us=%d\\n", summary.duration))
  for _, p in pairs({50, 90, 95, 99}) do
    io.write(string.format("p%d_us=%d\\n", p, latency:percentile(p)))
  end
  io.write(string.format("max_us=%d\\n", latency.max))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_token(username: str) -> str:
    setup_django()
    from django.db.models import Count

    from guanxi.customers.models import Contact
    from guanxi.users.models import User
    from guanxi.users.services import token_create

    if username == "rep":
        owner = (
            Contact.objects.filter(owner__username__startswith="rep")
            .values("owner")
            .annotate(c=Count("id"))
            .order_by("-c")
            .values_list("owner", flat=True)[0]
        )
        user = User.objects.get(pk=owner)
    else:
        user = User.objects.get(username={"admin": "admin", "manager": "manager1"}.get(username, username))
    _token, key = token_create(actor=user, user=user, name="bench_api")
    from django.db import connections

    connections.close_all()
    return key


def start_server(port: int, workers: int, log: Path, nice: int) -> subprocess.Popen[bytes]:
    extra = os.environ.get("GUANXI_EXTRA_PYTHONPATH", "")  # bench_api_floor.py's settings and URLs
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), extra]))}
    command = ["nice", "-n", str(nice)] if nice else []
    command += [sys.executable, "-m", "guanxi.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    handle = log.open("wb")
    process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"the server did not start; see {log}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(x) for x in task.read_text().split()]
    return found


def _cpu_ns(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    return total


def server_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """gunicorn's master and workers, and the PostgreSQL backends connected to the benchmark database."""
    pids = [server.pid]
    frontier = [server.pid]
    while frontier:
        children = [c for p in frontier for c in _children(p)]
        pids += children
        frontier = children
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            pids += [row[0] for row in cursor.fetchall() if row[0] != connection.connection.info.backend_pid]
    return pids


def check(port: int, path: str, key: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Authorization": f"Token {key}"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}: {body[:300]!r}")
    return len(json.loads(body)["results"])


def run_wrk(
    port: int, path: str, key: str, seconds: int, connections: int, nice: int = 0
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = ["nice", "-n", str(nice)] if nice else []
    command += ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name]
    command += ["-H", f"Authorization: Token {key}", f"http://127.0.0.1:{port}{path}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    values = dict(re.findall(r"^(\w+)=(\d+)$", output, re.M))
    duration = int(values["duration_us"]) / 1e6
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": int(values["requests"]) / duration,
        "requests": int(values["requests"]),
        "errors": int(values["errors"]) + (int(non2xx.group(1)) if non2xx else 0),
        **{f"p{p}_ms": int(values[f"p{p}_us"]) / 1000 for p in (50, 90, 95, 99)},
        "max_ms": int(values["max_us"]) / 1000,
    }


def _client(args: tuple[int, str, str, float]) -> tuple[list[float], int]:
    port, path, key, until = args
    samples: list[float] = []
    errors = 0
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path, headers={"Authorization": f"Token {key}"})
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                errors += 1
        except OSError:
            errors += 1
        samples.append((time.perf_counter() - started) * 1000)
    return samples, errors


def run_python(
    port: int, path: str, key: str, seconds: int, connections: int, nice: int = 0
) -> dict[str, float]:
    until = time.monotonic() + seconds
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(connections) as pool:
        results = pool.map(_client, [(port, path, key, until)] * connections)
    elapsed = time.perf_counter() - started
    samples = [s for r in results for s in r[0]]
    stats = percentiles(samples)
    return {
        "rps": len(samples) / elapsed,
        "requests": len(samples),
        "errors": sum(r[1] for r in results),
        **{f"p{p}_ms": stats[f"p{p}"] for p in (50, 95, 99)},
        "p90_ms": float("nan"),
        "max_ms": stats["max"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("GUANXI_BENCH_N", "1000000")))
    parser.add_argument(
        "--database", choices=["sqlite", "postgres"], default=os.environ.get("GUANXI_BENCH_DB", "sqlite")
    )
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before measuring")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--user", default="admin", help="admin (scope all), manager (team) or rep (own)")
    parser.add_argument("--path", default="/api/v1/contacts/?limit=50")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--prefix", default="api", help="prefix of the printed names")
    parser.add_argument("--json", default="")
    parser.add_argument("--keep-env", action="store_true", help="use GUANXI_DATA_DIR / DATABASE_URL as set")
    parser.add_argument(
        "--nice", type=int, default=int(os.environ.get("GUANXI_BENCH_NICE", "0")),
        help="run server, load generator and PostgreSQL backends at this priority (shared machine)",
    )  # fmt: skip
    parser.add_argument(
        "--rate", default=os.environ.get("GUANXI_API_RATE", "100000000/min"),
        help="the per-token API rate limit for the run (GUANXI_API_RATE); the limiter still counts every "
        "request, it just never refuses one of the load generator's",
    )  # fmt: skip
    args = parser.parse_args(argv)

    configure(args.database, args.n, keep_env=args.keep_env)
    os.environ["GUANXI_API_RATE"] = args.rate
    key = make_token(args.user)
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"guanxi-bench-api-{port}.log"
    server = start_server(port, args.workers, log, args.nice)
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    run = run_wrk if use_wrk else run_python
    try:
        rows = check(port, args.path, key)
        if args.warmup:
            run(port, args.path, key, args.warmup, args.connections, args.nice)
        if args.nice:
            prioritise_database(args.nice)  # the server's persistent connections are open by now
        load_before = os.getloadavg()[0]
        pids = server_pids(server)
        cpu_before = _cpu_ns(pids)
        result: dict[str, Any] = run(port, args.path, key, args.seconds, args.connections, args.nice)
        cpu_used_ms = (_cpu_ns(pids) - cpu_before) / 1e6
        result["load"] = round((load_before + os.getloadavg()[0]) / 2, 2)
        # The server's own CPU per request (gunicorn workers + PostgreSQL backends; not the load
        # generator), and the throughput that would leave two dedicated cores fully busy.
        result["server_cpu_ms_per_request"] = cpu_used_ms / max(1, result["requests"])
        result["capacity_rps_2_cores"] = 2000 / max(result["server_cpu_ms_per_request"], 1e-6)
    finally:
        stop_server(server)
    p = args.prefix
    print(f"{p}_client={'wrk' if use_wrk else 'python'}")
    print(f"{p}_rate_limit={args.rate}")
    print(f"{p}_nice={args.nice}")
    print(f"{p}_rows_per_response={rows}")
    print(f"{p}_rps={result['rps']:.0f}")
    for name in ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms"):
        print(f"{p}_{name}={result[name]:.2f}")
    print(f"{p}_requests={result['requests']}")
    print(f"{p}_server_cpu_ms_per_request={result['server_cpu_ms_per_request']:.3f}")
    print(f"{p}_capacity_rps_2_dedicated_cores={result['capacity_rps_2_cores']:.0f}")
    print(f"{p}_errors={result['errors']}")
    print(f"{p}_loadavg={result['load']}")
    met = result["rps"] >= GOAL_RPS and not result["errors"]
    print(f"{p}_goal_rps_ge_{GOAL_RPS}={'met' if met else 'NOT met'}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"database": args.database, "n": args.n, "user": args.user, "path": args.path,
                 "seconds": args.seconds, "workers": args.workers, "connections": args.connections,
                 "machine": machine(), **result},
                indent=1,
            )
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
