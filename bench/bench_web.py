"""Server time of the contact list, search and API pages at scale, in process, through the real WSGI stack.

    python bench/bench_web.py --n 1000000 --database sqlite [--requests 300] [--only 'search_']

Each request is a full WSGI call of `guanxi.wsgi.application` — every middleware, the session and user
look-ups, the view, the template and the request_started/finished signals that open and close the
database connection exactly as under gunicorn — timed from the call to the last byte of the body.
Only HTTP parsing and the socket write are left out (bench_api.py measures those through gunicorn).

Scenarios, each run as the administrator (scope "all"), a sales manager (scope "team") and the
sales rep with the most contacts (scope "own"):

* list_*: the contact list page (full page, 50 rows), default sort, every sortable column ascending and
  descending, filters on owner / team / city / source / company combined with sorts, the htmx table
  partial, and deep pages (follow "next" 20 times);
* search_*: the list page with ``?q=``, the header search (``/search/`` as htmx) and the API
  ``?search=`` — by Chinese name, full pinyin, pinyin initials, a pinyin prefix, e-mail, phone prefix
  and company-name fragment, each request with a different term drawn from the data, plus the
  deliberately common terms (a frequent surname in characters and in pinyin) reported separately;
* api_*: ``GET /api/v1/contacts/?limit=50`` (token authentication) for reference.

Two times per request: the wall-clock time of the WSGI call, and the CPU time spent serving it (this
process plus, on PostgreSQL, the backend that ran its queries, from /proc/<pid>/schedstat). On an idle
machine the two agree; on a machine shared with other jobs the wall-clock time also counts the time the
request waited for a core, and the CPU time is the better estimate of the server's own work.

Every scenario draws its parameters (terms, owners, cities, companies, sorts) afresh for each request
from a seeded generator, so the measurement is not of one cached query. A few warm-up requests per
scenario are made and not counted (templates compiled, URL resolver built). Prints ``name=value``
lines: ``<scenario>_p50_ms``, ``<scenario>_p95_ms``, ``<scenario>_cpu_p50_ms``, ``<scenario>_cpu_p95_ms``,
then the summaries and goal checks.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import configure, machine, percentiles, prioritise, prioritise_database, setup_django

LIST_GOAL_MS = 20.0
SEARCH_GOAL_MS = 50.0
SORTS = ["sort_name", "email", "city", "source", "created_at", "updated_at", "id"]
NEXT_LINK = re.compile(r'<a class="btn btn-sm ms-auto" href="([^"]+)"[^>]*id="next-page"')


@dataclass
class Request:
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Scenario:
    name: str
    group: str  # list | search | search_common | api
    user: str  # admin | manager | rep
    make: Callable[[random.Random], Request]
    chain: int = 0  # follow "next" this many times from the first request
    api: bool = False


def _backend_pid() -> int:
    """The pid of the PostgreSQL backend of the default connection, if one is open (else 0)."""
    from django.db import connection

    raw = connection.connection
    if connection.vendor != "postgresql" or raw is None or raw.closed:
        return 0
    return int(raw.info.backend_pid)


def _cpu_ns(pid: int) -> int:
    """Nanoseconds a process has run on a CPU (/proc/<pid>/schedstat); 0 when unknown."""
    if not pid:
        return 0
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


class WsgiClient:
    """Calls the WSGI application the way a server does, with a signed-in session or an API token."""

    def __init__(self) -> None:
        from django.core.wsgi import get_wsgi_application

        self.app = get_wsgi_application()
        self.status = ""

    def _start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        self.status = status
        return lambda data: None

    def get(self, request: Request, auth: dict[str, str]) -> tuple[float, int, bytes]:
        query = urlencode(request.params, doseq=True)
        environ = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": request.path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.8",
            "HTTP_ACCEPT": "text/html,application/json;q=0.9",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        for key, value in {**auth, **request.headers}.items():
            environ["HTTP_" + key.upper().replace("-", "_")] = value
        backend = _backend_pid()
        backend_cpu = _cpu_ns(backend)
        cpu = time.process_time()
        started = time.perf_counter()
        result = self.app(environ, self._start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()  # request_finished: closes the connection when CONN_MAX_AGE says so
        elapsed = (time.perf_counter() - started) * 1000
        # CPU time of the request: this process, plus the PostgreSQL backend that served it.
        self.cpu_ms = (time.process_time() - cpu) * 1000
        after = _backend_pid() or backend
        if after:
            self.cpu_ms += (_cpu_ns(after) - (backend_cpu if after == backend else 0)) / 1e6
        return elapsed, int(self.status.split(" ", 1)[0]), body


# --- the data the scenarios draw from ----------------------------------------------------------------


@dataclass
class Pools:
    users: dict[str, Any]
    owners: list[int]
    teams: list[int]
    cities: list[str]
    sources: list[str]
    companies: list[int]
    terms: dict[str, list[str]]


def _company_fragment(name: str, cities: list[str]) -> str:
    """What someone types to find a company: its brand, without city prefix and legal form."""
    if name.isascii():
        return name.split()[0]
    for city in sorted(cities, key=len, reverse=True):
        if name.startswith(city):
            name = name[len(city) :]
            break
    return name[:2]


def load_pools(seed: int, sample: int = 400) -> Pools:
    from django.db.models import Count, Max

    from guanxi.core.normalize import pinyin_keys
    from guanxi.customers.models import Contact
    from guanxi.users.models import Team, User

    rng = random.Random(f"{seed}:pools")
    admin = User.objects.get(username="admin")
    manager = User.objects.get(username="manager1")
    counts = dict(
        Contact.objects.filter(owner__username__startswith="rep")
        .values_list("owner")
        .annotate(c=Count("id"))
        .values_list("owner", "c")
    )
    rep = User.objects.get(pk=max(counts, key=counts.get))
    max_id = Contact.objects.aggregate(m=Max("id"))["m"] or 0
    ids = sorted({rng.randrange(1, max_id + 1) for _ in range(sample * 6)})
    rows = list(
        Contact.objects.filter(pk__in=ids).values(
            "full_name", "email", "mobile_e164", "company_id", "company__name", "city", "source"
        )
    )
    rng.shuffle(rows)
    cities = [r["city"] for r in rows if r["city"]]
    all_cities = sorted(set(cities))
    terms: dict[str, list[str]] = {k: [] for k in (
        "chinese_name", "pinyin_full", "pinyin_initials", "pinyin_prefix", "email", "phone_prefix",
        "company_fragment",
    )}  # fmt: skip
    for r in rows:
        name = r["full_name"]
        if name and not name.isascii():
            full, initials = pinyin_keys(name)
            terms["chinese_name"].append(name)
            terms["pinyin_full"].append(full)
            if len(initials) >= 2:
                terms["pinyin_initials"].append(initials)
            if len(full) > 5:
                terms["pinyin_prefix"].append(full[: rng.randrange(5, len(full))])
        if r["email"]:
            terms["email"].append(r["email"])
        if r["mobile_e164"].startswith("+861"):
            digits = r["mobile_e164"][3:]
            terms["phone_prefix"].append(digits[: rng.randrange(5, 9)])
        if r["company__name"]:
            terms["company_fragment"].append(_company_fragment(r["company__name"], all_cities))
    terms = {k: v[:sample] for k, v in terms.items()}
    terms["common_surname_cn"] = ["王", "李", "张", "刘", "陈"]
    terms["common_surname_pinyin"] = ["wang", "li", "zhang", "liu", "chen"]
    return Pools(
        users={"admin": admin, "manager": manager, "rep": rep},
        owners=[u for u in counts],
        teams=list(Team.objects.values_list("pk", flat=True)),
        cities=cities,
        sources=[r["source"] for r in rows if r["source"]],
        companies=[r["company_id"] for r in rows if r["company_id"]],
        terms=terms,
    )


# --- the scenarios -------------------------------------------------------------------------------------

LIST = "/customers/contacts/"


def scenarios(pools: Pools, roles: list[str]) -> list[Scenario]:
    out: list[Scenario] = []

    def add(name: str, group: str, role: str, make: Callable[[random.Random], Request], **kw: Any) -> None:
        out.append(Scenario(f"{name}_{role}", group, role, make, **kw))

    for role in roles:
        me = pools.users[role]
        add("list_default", "list", role, lambda r: Request(LIST))
        add(
            "list_htmx_partial",
            "list",
            role,
            lambda r: Request(
                LIST, {"sort": r.choice(SORTS)}, {"HX-Request": "true", "HX-Target": "object-table"}
            ),
        )
        for sort in SORTS:
            for prefix in ("", "-"):
                label = f"{sort}_{'desc' if prefix else 'asc'}"
                add(f"list_sort_{label}", "list", role, lambda r, s=prefix + sort: Request(LIST, {"sort": s}))
        filters: dict[str, Callable[[random.Random], dict[str, Any]]] = {
            "owner": lambda r, me=me, role=role: {
                "owner": me.pk if role == "rep" else r.choice(pools.owners)
            },
            "team": lambda r, me=me, role=role: {
                "team": me.team_id if role != "admin" else r.choice(pools.teams)
            },
            "city": lambda r: {"city": r.choice(pools.cities)},
            "source": lambda r: {"source": r.choice(pools.sources)},
            "company": lambda r: {"company": r.choice(pools.companies)},
        }
        for fname, make_filter in filters.items():
            for sort in ("sort_name", "-updated_at", "email"):
                label = sort.lstrip("-") + ("_desc" if sort.startswith("-") else "")
                add(
                    f"list_filter_{fname}_{label}",
                    "list",
                    role,
                    lambda r, f=make_filter, s=sort: Request(LIST, {**f(r), "sort": s}),
                )
        add("list_deep_default", "list", role, lambda r: Request(LIST), chain=20)
        add(
            "list_deep_updated_desc", "list", role, lambda r: Request(LIST, {"sort": "-updated_at"}), chain=20
        )
        add(
            "list_deep_city_sort_name",
            "list",
            role,
            lambda r: Request(LIST, {"city": r.choice(pools.cities), "sort": "sort_name"}),
            chain=20,
        )
        for kind, terms in pools.terms.items():
            group = "search_common" if kind.startswith("common_") else "search"
            add(f"search_list_{kind}", group, role, lambda r, t=terms: Request(LIST, {"q": r.choice(t)}))
            add(
                f"search_header_{kind}",
                group,
                role,
                lambda r, t=terms: Request("/search/", {"q": r.choice(t)}, {"HX-Request": "true"}),
            )
            add(
                f"search_api_{kind}",
                group,
                role,
                lambda r, t=terms: Request("/api/v1/contacts/", {"search": r.choice(t), "limit": 50}),
                api=True,
            )
        add("api_list_default", "api", role, lambda r: Request("/api/v1/contacts/", {"limit": 50}), api=True)
        add(
            "api_list_sorted",
            "api",
            role,
            lambda r: Request(
                "/api/v1/contacts/", {"limit": 50, "ordering": r.choice(["-updated_at", "email", "city"])}
            ),
            api=True,
        )
        add(
            "api_deep_default",
            "api",
            role,
            lambda r: Request("/api/v1/contacts/", {"limit": 50}),
            api=True,
            chain=20,
        )
    return out


def _next_request(body: bytes, api: bool, current: Request) -> Request | None:
    if api:
        link = json.loads(body).get("next")
        if not link:
            return None
        parts = urlsplit(link)
    else:
        found = NEXT_LINK.search(body.decode())
        if not found:
            return None
        parts = urlsplit(html.unescape(found.group(1)))
    from urllib.parse import parse_qsl

    return Request(parts.path or current.path, dict(parse_qsl(parts.query)), current.headers)


def run_scenario(
    client: WsgiClient, scenario: Scenario, auth: dict[str, str], requests: int, warmup: int, seed: int
) -> dict[str, Any]:
    rng = random.Random(f"{seed}:{scenario.name}")
    samples: list[float] = []
    cpu: list[float] = []
    load_before = os.getloadavg()[0]
    errors = 0
    empty = 0
    done = 0
    while done < requests + warmup:
        request: Request | None = scenario.make(rng)
        steps = max(1, scenario.chain + 1) if scenario.chain else 1
        for _step in range(steps):
            if request is None or done >= requests + warmup:
                break
            elapsed, status, body = client.get(request, auth)
            if status != 200:
                errors += 1
                if errors < 3:
                    print(f"# {scenario.name}: HTTP {status} for {request}", file=sys.stderr)
            if done >= warmup:
                samples.append(elapsed)
                cpu.append(client.cpu_ms)
                if b'data-id="' not in body and b'"id":' not in body and b'dropdown-item"' not in body:
                    empty += 1
            done += 1
            if scenario.chain:
                request = _next_request(body, scenario.api, request)
    stats = percentiles(samples)
    cpu_stats = percentiles(cpu)
    return {"name": scenario.name, "group": scenario.group, "user": scenario.user, "requests": len(samples),
            "errors": errors, "empty": empty, **stats,
            "cpu_p50": cpu_stats["p50"], "cpu_p95": cpu_stats["p95"],
            "load": round((load_before + os.getloadavg()[0]) / 2, 2)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("GUANXI_BENCH_N", "1000000")))
    parser.add_argument(
        "--database", choices=["sqlite", "postgres"], default=os.environ.get("GUANXI_BENCH_DB", "sqlite")
    )
    parser.add_argument("--requests", type=int, default=300, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="", help="regular expression on scenario names")
    parser.add_argument("--roles", default="admin,manager,rep")
    parser.add_argument("--json", default="", help="write all results to this file")
    parser.add_argument("--keep-env", action="store_true", help="use GUANXI_DATA_DIR / DATABASE_URL as set")
    parser.add_argument(
        "--nice", type=int, default=int(os.environ.get("GUANXI_BENCH_NICE", "0")),
        help="run at this priority (and renice the PostgreSQL backend) on a machine shared with other jobs",
    )  # fmt: skip
    args = parser.parse_args(argv)

    configure(args.database, args.n, keep_env=args.keep_env)
    prioritise(args.nice)
    setup_django()
    from django.conf import settings
    from django.test import Client

    from guanxi.users.services import token_create

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    pools = load_pools(args.seed)
    roles = [r for r in args.roles.split(",") if r]
    auth: dict[str, dict[str, str]] = {}
    for role in roles:
        user = pools.users[role]
        browser = Client()
        browser.force_login(user)
        _token, key = token_create(actor=user, user=user, name=f"bench {role}")
        auth[role] = {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}
        auth[f"{role}:api"] = {"Authorization": f"Token {key}"}
    from django.db import connection

    vendor = connection.vendor
    client = WsgiClient()

    wanted = re.compile(args.only) if args.only else None
    results = []
    started = time.perf_counter()
    for scenario in scenarios(pools, roles):
        if wanted and not wanted.search(scenario.name):
            continue
        key = f"{scenario.user}:api" if scenario.api else scenario.user
        if args.nice and vendor == "postgresql":
            client.get(Request("/health/"), {})  # (re)opens the persistent connection the requests use
            prioritise_database(args.nice)
        result = run_scenario(client, scenario, auth[key], args.requests, args.warmup, args.seed)
        results.append(result)
        print(f"{scenario.name}_p50_ms={result['p50']:.2f}")
        print(f"{scenario.name}_p95_ms={result['p95']:.2f}")
        print(f"{scenario.name}_cpu_p50_ms={result['cpu_p50']:.2f}")
        print(f"{scenario.name}_cpu_p95_ms={result['cpu_p95']:.2f}", flush=True)
        if result["errors"]:
            print(f"{scenario.name}_errors={result['errors']}")
    summary = summarise(results)
    for key, value in summary.items():
        print(f"{key}={value}")
    print(f"bench_web_seconds={time.perf_counter() - started:.0f}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"database": vendor, "n": args.n, "requests": args.requests, "machine": machine(),
                 "results": results, "summary": summary},
                ensure_ascii=False,
                indent=1,
            )
        )  # fmt: skip
    return 0


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for group, goal in (
        ("list", LIST_GOAL_MS),
        ("search", SEARCH_GOAL_MS),
        ("search_common", SEARCH_GOAL_MS),
    ):
        rows = [r for r in results if r["group"] == group]
        if not rows:
            continue
        summary[f"{group}_scenarios"] = len(rows)
        for metric, label in (("p95", "p95"), ("cpu_p95", "cpu_p95")):
            worst = max(rows, key=lambda r, m=metric: r[m])
            summary[f"{group}_{label}_worst_ms"] = f"{worst[metric]:.2f}"
            summary[f"{group}_{label}_worst_scenario"] = worst["name"]
            summary[f"{group}_{label}_over_goal"] = sum(r[metric] > goal for r in rows)
            summary[f"{group}_goal_{label}_le_{goal:g}ms"] = "met" if worst[metric] <= goal else "NOT_met"
    api = [r for r in results if r["group"] == "api"]
    if api:
        summary["api_p95_worst_ms"] = f"{max(r['p95'] for r in api):.2f}"
    summary["errors_total"] = sum(r["errors"] for r in results)
    return summary


if __name__ == "__main__":
    sys.exit(main())
