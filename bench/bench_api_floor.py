"""The floor under the API goal: how many requests/s the same server answers when it does less and less.

    python bench/bench_api_floor.py --n 1000000 --database sqlite [--seconds 10]

Starts ``guanxi serve --workers 2`` exactly as bench_api.py does, with bench/floor_settings.py (Guanxi's
URLs plus the endpoints of bench/floor_urls.py), and drives each of these with wrk for ``--seconds``:

* ``floor_plain``: a Django view returning an empty page as JSON, through all of Guanxi's middleware;
* ``floor_drf``: the same from a bare DRF view (no authentication, permission or rate limit);
* ``floor_token``: the DRF view with the API's token authentication (one indexed lookup);
* ``floor_rate_limit``: and the API's rate limit;
* ``contacts_1`` / ``contacts_50``: the real ``GET /api/v1/contacts/?limit=1`` and ``?limit=50``.

Each prints ``floor_<name>_rps=…``. An endpoint cannot be faster than the ones above it, so the first line
below 1,000 says which layer alone already misses the API goal on this machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import free_port, make_token, run_wrk, start_server, stop_server
from common import configure

ENDPOINTS = {
    "plain": "/floor/plain/",
    "drf": "/floor/drf/",
    "token": "/floor/token/",
    "rate_limit": "/floor/rate-limit/",
    "contacts_1": "/api/v1/contacts/?limit=1",
    "contacts_50": "/api/v1/contacts/?limit=50",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("GUANXI_BENCH_N", "1000000")))
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("bench_api_floor.py needs wrk (apt-get install wrk)")
    configure(args.database, args.n)
    os.environ["GUANXI_API_RATE"] = "100000000/min"
    key = make_token("admin")
    os.environ["DJANGO_SETTINGS_MODULE"] = "floor_settings"
    os.environ["GUANXI_EXTRA_PYTHONPATH"] = str(Path(__file__).resolve().parent)
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"guanxi-bench-api-floor-{port}.log"
    server = start_server(port, 2, log, 0)
    try:
        for name, path in ENDPOINTS.items():
            run_wrk(port, path, key, 2, args.connections)  # warm-up
            result = run_wrk(port, path, key, args.seconds, args.connections)
            print(f"floor_{name}_rps={result['rps']:.0f}")
            print(f"floor_{name}_p50_ms={result['p50_ms']:.2f}")
            print(f"floor_{name}_errors={result['errors']}")
    finally:
        stop_server(server)
    print(f"floor_loadavg={os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
