"""Load a realistic sales history straight into a database of its own: deals with stage histories and audit
rows, activities, exchange rates — on top of the contacts, companies, teams and users of `gen_db.py`.

    python bench/gen_sales.py --deals 1000000 --activities 3000000 --database sqlite
    python bench/gen_sales.py --deals 1000000 --activities 3000000 --database postgres

The databases are separate from the contact benchmark's: ``var/bench/sales-sqlite-<deals>/guanxi.sqlite3``
and ``postgres://postgres@127.0.0.1:5432/guanxi_salesbench_<deals>`` (``GUANXI_BENCH_PG`` overrides the
server). First `gen_db.py` builds the people, companies and ``--contacts`` contacts there (it starts from an
empty database); then this script adds, deterministically for a given ``--seed``:

* exchange rates: CNY is the reporting currency; USD, EUR, HKD, JPY and SGD have a rate per month for
  three years (deals carry one of six currencies, CNY ~72 %);
* the two default pipelines (New business: 4 open stages + won + lost; Renewals: 2 open + won + lost),
  deals split 75 / 25 between them, created over three years (ids grow with the creation time);
* ~15 % of the deals open — mostly young ones, a few stale — spread over the open stages like a funnel,
  expected to close from two months ago to nine months ahead; the rest won or lost after a log-normal
  sales cycle, the lost ones at the stage where they dropped out, with a lost reason;
* each deal's stage history as the services write it: a StageChange per move (the first from no stage),
  ~3 per deal; ObjectChange rows: the "create" snapshot (`core.audit.snapshot`, initial stage and amount)
  and an "update" per stage move, amount change and close-date change; version and updated_at to match;
* 1–2 contacts per deal (DealContact) from the deal's company; 12 % of the deals converted from a lead,
  with the ``lead.converted`` timeline events on the deal, the contact and the company;
* ``--activities`` activities: ~75 % on deals (a long-tailed number per deal, more on won deals, owned by
  the deal's owner or, one in ten, a colleague of the same team; linked to a contact of the deal and, as
  `prepare_activity` does, to its company), ~25 % on contacts only; calls, notes, meetings and tasks (done,
  overdue or due in the coming weeks, with reminders);
* deal owners weighted per person (some reps carry far more than others), teams following the owner;
  deal companies drawn with a long tail (capped weights: at 1M deals the biggest accounts have ~7,500
  deals each, 7 % of the deals have no company).

Every deal goes through the app's `prepare_deal` (sort key, pinyin search text) and every activity through
`prepare_activity` (subject, company link, search text); the audit snapshots come from `core.audit`. Rows
are built by worker processes and loaded with `executemany` (SQLite) or COPY (PostgreSQL) with the
secondary indexes and triggers set aside (`gen_db.Loader`); then the indexes, the FTS5 indexes of deals
and activities and the board's totals (`DealTotal`) are rebuilt and statistics gathered. "Now" is the time
of the run: the dashboard's "this month" has data whenever the benchmark runs soon after.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import math
import multiprocessing
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, setup_django
from gen_db import TEAMS, Loader, _columns, _cum, _fields, _row_values

CHUNK = 10_000
YEARS = 3
# fmt: off
CURRENCIES = [("CNY", 72, 1.0), ("USD", 14, 7.1), ("EUR", 5, 7.8), ("HKD", 4, 0.91), ("JPY", 3, 0.048),
              ("SGD", 2, 5.3)]  # (code, share %, rate to CNY around which the monthly rates wander)
PRODUCTS = ["WMS 仓储系统", "AGV 机器人", "物联网网关", "工业传感器", "数据分析平台", "实施服务", "年度维保",
            "Cloud analytics", "Support plan", "ERP 集成", "培训服务", "视觉检测系统"]
DEAL_WORDS = ["项目", "采购", "一期", "二期", "扩容", "升级", "试点", "Rollout", "Expansion", "Pilot", ""]
CALL_SUBJECTS = ["确认需求", "跟进报价", "预约演示", "Follow-up on the proposal", "了解预算", "确认交付时间",
                 "催款", "Check-in call", "价格谈判", "技术答疑"]
NOTES = ["客户对 AGV 方案很感兴趣，下周安排现场考察。", "Procurement wants a second quote by Friday.",
         "决策人是运营总监，财务需要 ROI 测算。", "竞争对手报价低 10%，需要强调实施和维保。",
         "Prefers WeChat for quick questions; e-mail for documents.", "预算已批，等待法务审核合同条款。",
         "IT 部门担心与现有 ERP 的接口，需要安排技术交流。", "Asked for references in the logistics sector."]
MEETINGS = [("方案演示", "客户会议室"), ("现场考察", "客户仓库"), ("Quarterly business review", "Online"),
            ("合同谈判", "公司会议室 A"), ("技术交流", "腾讯会议"), ("Kick-off", "Client office")]
TASKS = ["发送报价单", "准备演示环境", "Send the contract draft", "回访满意度", "整理会议纪要",
         "申请特价审批", "Prepare the renewal quote", "安排技术交流", "跟进付款", "更新方案书"]
LOST_NOTES = ["", "", "", "价格超出预算", "Went with the incumbent", "项目延期到明年", "需求变更"]
ROLES = ["decision_maker", "influencer", "champion", "technical", "finance", "user", "other"]
# New business: (open-stage funnel shares of the open deals), win rate, median cycle in days
PIPELINE_SHAPE = {0: ([40, 27, 20, 13], 0.30, 45.0), 1: ([60, 40], 0.72, 20.0)}
# fmt: on


def configure_sales(database: str, deals: int) -> dict[str, str]:
    """Environment of the sales benchmark database (its own SQLite file or PostgreSQL database)."""
    env = {"DJANGO_SETTINGS_MODULE": "guanxi.settings", "GUANXI_ENV": "development"}
    if database == "sqlite":
        env["GUANXI_DATA_DIR"] = str(ROOT / "var" / "bench" / f"sales-sqlite-{deals}")
        os.environ.pop("DATABASE_URL", None)
    elif database == "postgres":
        server = os.environ.get("GUANXI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
        env["DATABASE_URL"] = f"{server.rstrip('/')}/guanxi_salesbench_{deals}"
        env["GUANXI_DATA_DIR"] = str(ROOT / "var" / "bench" / "sales-pg")
    else:
        raise SystemExit(f"unknown database {database!r} (sqlite or postgres)")
    Path(env["GUANXI_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    os.environ.update(env)
    return env


def _pick(rng: random.Random, items: list[Any], cum: list[float]) -> Any:
    return items[bisect.bisect(cum, rng.random() * cum[-1])]


# --- worker side ------------------------------------------------------------------------------------

_STATE: dict[str, Any] = {}


def _init_worker(state: dict[str, Any]) -> None:
    os.environ.update(state["env"])
    setup_django()
    _STATE.update(state)
    _memoise()


class _Row(SimpleNamespace):
    """The values of a row of a table nothing reads back while loading (cheaper than a model instance)."""


def _memoise() -> None:
    """The app's derived-column functions are pure: remember their results (deal names, activity subjects
    repeat) instead of recomputing pinyin for every row. The values written are the same."""
    from guanxi.activities import services as activity_services
    from guanxi.sales import services as sales_services

    sales_services.sort_key = lru_cache(maxsize=500_000)(sales_services.sort_key)
    original = sales_services.build_search_text
    cache: dict[Any, str] = {}

    def build_search_text(**parts: Any) -> str:
        key = tuple((k, tuple(v)) for k, v in sorted(parts.items()))
        found = cache.get(key)
        if found is None:
            if len(cache) > 500_000:
                cache.clear()
            found = cache[key] = original(**parts)
        return found

    sales_services.build_search_text = build_search_text  # type: ignore[assignment]
    activity_services.build_search_text = build_search_text  # type: ignore[assignment]


def _objects() -> dict[str, Any]:
    """Model instances the worker reuses: stages, pipelines, companies and contacts by id (built lazily)."""
    from guanxi.customers.models import Company, Contact
    from guanxi.sales.models import Pipeline, Stage

    cache = _STATE.get("objects")
    if cache is None:
        pipelines = {p["id"]: Pipeline(**p) for p in _STATE["pipelines"]}
        stages = {}
        for s in _STATE["stages"]:
            stage = Stage(**s)
            stage.pipeline = pipelines[s["pipeline_id"]]
            stages[s["id"]] = stage
        cache = {"pipelines": pipelines, "stages": stages, "companies": {}, "contacts": {}}
        cache["Company"], cache["Contact"] = Company, Contact
        _STATE["objects"] = cache
    return cache


def _company(company_id: int) -> Any:
    objects = _objects()
    company = objects["companies"].get(company_id)
    if company is None:
        company = objects["Company"](id=company_id, name=_STATE["company_names"][company_id])
        objects["companies"][company_id] = company
    return company


def _contact(contact: tuple[int, int | None, str, int | None]) -> Any:
    objects = _objects()
    obj = objects["contacts"].get(contact[0])
    if obj is None:
        obj = objects["Contact"](
            id=contact[0], company_id=contact[1], full_name=contact[2], owner_id=contact[3]
        )
        objects["contacts"][contact[0]] = obj
    return obj


def _json(value: Any) -> str | None:
    """A JSON column's text as Django's JSONField writes it (None stays NULL)."""
    return None if value is None else json.dumps(value)


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    if end <= start:
        return start
    return start + dt.timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))


def _deal_name(rng: random.Random, company_name: str, renewal: bool, year: int) -> str:
    short = company_name
    for cut in ("有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "发展有限公司", "分公司"):
        if short.endswith(cut):
            short = short[: -len(cut)]
            break
    short = short.split(" Inc.")[0].split(" Ltd.")[0]
    if renewal:
        return f"{short} {rng.choice(['年度续约', 'Renewal', '维保续费'])} {year}"
    word = rng.choice(DEAL_WORDS)
    return f"{short} {rng.choice(PRODUCTS)}{(' ' + word) if word else ''}"


def _amount(rng: random.Random, currency_rate: float, renewal: bool) -> Decimal:
    cny = rng.lognormvariate(math.log(60_000 if renewal else 150_000), 1.0)
    value = max(500.0, min(cny, 50_000_000.0)) / currency_rate
    step = 100 if value > 10_000 else 10
    return Decimal(int(value / step) * step).quantize(Decimal("0.01"))


def deal_chunk(index: int) -> tuple[int, dict[str, list[tuple[Any, ...]]]]:
    """All rows that belong to deals index*CHUNK+1 …: the deals, their stage changes, audit rows, contacts,
    timeline events and activities, plus this chunk's share of contact-only activities."""
    from guanxi.activities.models import Activity, Kind
    from guanxi.activities.services import prepare_activity
    from guanxi.core import audit
    from guanxi.sales.models import Deal
    from guanxi.sales.services import prepare_deal

    st = _STATE
    objects = _objects()
    stages = objects["stages"]
    rng = random.Random(f"{st['seed']}:deals:{index}")
    vendor = st["vendor"]
    n: int = st["deals"]
    now: dt.datetime = st["now"]
    start: dt.datetime = now - dt.timedelta(days=365 * YEARS)
    span = (now - start).total_seconds()
    users: list[tuple[int, int | None, str]] = st["owners"]
    owner_cum: list[float] = st["owner_cum"]
    team_members: dict[int, list[tuple[int, int | None, str]]] = st["team_members"]
    companies: list[int] = st["companies"]
    company_cum: list[float] = st["company_cum"]
    contacts_of: dict[int, list[tuple[int, int | None, str, int | None]]] = st["contacts_of"]
    all_contacts: list[tuple[int, int | None, str, int | None]] = st["all_contacts"]
    pipelines: list[tuple[int, list[int], int, int]] = st["pipeline_stages"]  # (id, open ids, won, lost)
    currencies = [c for c, _s, _r in CURRENCIES]
    currency_cum = _cum([s for _c, s, _r in CURRENCIES])
    rate_of = {c: r for c, _s, r in CURRENCIES}
    lost_reasons: list[int] = st["lost_reasons"]
    sources: list[int] = st["sources"]
    per_deal: float = st["activities_per_deal"]
    people_names: list[str] = st["people_names"]
    out: dict[str, list[tuple[Any, ...]]] = {
        k: [] for k in ("deal", "stagechange", "objectchange", "dealcontact", "timelineevent", "activity")
    }
    f = st["fields"]

    def activity_row(activity: Any) -> None:
        prepare_activity(activity)
        out["activity"].append(_row_values(activity, f["activity"], vendor))

    def make_activity(
        *,
        owner: tuple[int, int | None, str],
        begin: dt.datetime,
        end: dt.datetime,
        is_open: bool,
        deal: Any = None,
        contact: Any = None,
        company_id: int | None = None,
        label: str = "",
    ) -> None:
        roll = rng.random()
        when = _between(rng, begin, end)
        common: dict[str, Any] = {
            "owner_id": owner[0],
            "team_id": owner[1],
            "deal": deal,
            "contact": contact,
            "company_id": company_id,
            "custom_field_data": {},
            "version": 1,
        }
        if roll < 0.35:
            activity = Activity(
                kind=Kind.CALL,
                subject=rng.choice(CALL_SUBJECTS) + (f" {label}" if label and rng.random() < 0.3 else ""),
                occurred_at=when,
                direction=rng.choice(["outbound", "outbound", "inbound"]),
                outcome=rng.choice(["connected", "connected", "connected", "no_answer", "voicemail", "busy"]),
                duration_minutes=rng.randint(1, 45),
                created_at=when,
                updated_at=when,
                **common,
            )
        elif roll < 0.55:
            activity = Activity(
                kind=Kind.NOTE, subject="", body=rng.choice(NOTES), occurred_at=when, created_at=when,
                updated_at=when, **common,
            )  # fmt: skip
        elif roll < 0.67:
            subject, place = rng.choice(MEETINGS)
            begin_at = when.replace(minute=rng.choice([0, 30]), second=0, microsecond=0)
            activity = Activity(
                kind=Kind.MEETING,
                subject=subject,
                location=place,
                start_at=begin_at,
                end_at=begin_at + dt.timedelta(minutes=rng.choice([30, 60, 60, 90, 120])),
                created_at=begin_at - dt.timedelta(days=rng.uniform(0, 10)),
                updated_at=begin_at,
                **common,
            )
        else:
            # an open deal's task is often due in the coming weeks, or overdue
            soon = is_open and rng.random() < 0.55
            due = now + dt.timedelta(days=rng.uniform(-20, 35)) if soon else when
            due = due.replace(minute=0, second=0, microsecond=0)
            done = due < now - dt.timedelta(days=1) and rng.random() < (0.8 if is_open else 0.97)
            done_at = min(due + dt.timedelta(hours=rng.uniform(-48, 72)), now) if done else None
            created = due - dt.timedelta(days=rng.uniform(0, 14))
            reminder = due - dt.timedelta(hours=1) if rng.random() < 0.5 else None
            activity = Activity(
                kind=Kind.TASK,
                subject=rng.choice(TASKS),
                due_at=due,
                priority=rng.choice(["normal", "normal", "normal", "high", "low"]),
                reminder_at=reminder,
                reminded_at=reminder if reminder is not None and reminder < now else None,
                done=done,
                done_at=done_at,
                created_at=created,
                updated_at=done_at or created,
                **common,
            )
        activity_row(activity)

    first = index * CHUNK + 1
    last = min(first + CHUNK, n + 1)
    for pk in range(first, last):
        created = start + dt.timedelta(seconds=max(0.0, (pk - 0.5) / n * span + rng.uniform(-3600, 3600)))
        created = min(created, now - dt.timedelta(minutes=5)).replace(microsecond=rng.randrange(1_000_000))
        age_days = (now - created).total_seconds() / 86400
        renewal = rng.random() < 0.25
        pipeline_id, open_ids, won_id, lost_id = pipelines[1 if renewal else 0]
        funnel, win_rate, median_cycle = PIPELINE_SHAPE[1 if renewal else 0]
        is_open = rng.random() < math.exp(-age_days / 160) * 0.9 + 0.02
        owner = users[bisect.bisect(owner_cum, rng.random() * owner_cum[-1])]
        currency = _pick(rng, currencies, currency_cum)
        company = None
        people: list[tuple[int, int | None, str, int | None]] = []
        if rng.random() < 0.93:
            company_id = companies[bisect.bisect(company_cum, rng.random() * company_cum[-1])]
            company = _company(company_id)
            people = contacts_of.get(company_id, [])
        # the path through the stages and the time of each move
        if is_open:
            current = bisect.bisect(_cum(funnel), rng.random() * 100)
            path = open_ids[: current + 1]
            end = now
        else:
            won = rng.random() < win_rate
            if won:
                path = [s for s in open_ids if rng.random() < 0.9 or s == open_ids[0]] + [won_id]
            else:
                drop = min(int(rng.expovariate(1.1)), len(open_ids) - 1)
                path = [*open_ids[: drop + 1], lost_id]
            cycle = min(rng.lognormvariate(math.log(median_cycle), 0.8), age_days * rng.uniform(0.5, 0.98))
            end = created + dt.timedelta(days=max(cycle, 0.05))
        if len(path) > 1 and rng.random() < 0.1 and not (not is_open and len(path) == 2):
            path = path[1:]  # created straight into a later stage
        cuts = sorted(rng.random() for _ in range(len(path) - 1))
        horizon = end if not is_open else created + (now - created) * rng.uniform(0.3, 0.99)
        times = [created] + [created + (horizon - created) * c for c in cuts]
        amount = _amount(rng, rate_of[currency], renewal)
        initial_amount = amount if rng.random() < 0.6 else _amount(rng, rate_of[currency], renewal)
        if is_open:
            close_date = (now + dt.timedelta(days=rng.uniform(-60, 270))).date()
        else:
            close_date = (end + dt.timedelta(days=rng.uniform(-25, 25))).date()
        initial_close = (
            close_date if rng.random() < 0.7 else close_date - dt.timedelta(days=rng.randint(7, 90))
        )
        deal = Deal(
            id=pk,
            name=_deal_name(
                rng, company.name if company else rng.choice(people_names), renewal, created.year
            ),
            company=company,
            pipeline=objects["pipelines"][pipeline_id],
            stage=stages[path[0]],
            amount=initial_amount,
            currency=currency,
            amount_from_lines=False,
            expected_close_date=initial_close,
            source_id=rng.choice(sources) if rng.random() < 0.8 else None,
            lost_reason_id=None,
            lost_note="",
            notes="",
            owner_id=owner[0],
            team_id=owner[1],
            created_at=created,
            updated_at=created,
            version=1,
            custom_field_data={},
        )
        prepare_deal(deal)
        snapshot = audit.snapshot(deal, tags=[])
        changes: list[tuple[dt.datetime, dict[str, Any], dict[str, Any]]] = []
        stage_rows = [(None, path[0], created)]
        for from_id, to_id, when in zip(path[:-1], path[1:], times[1:], strict=True):
            before: dict[str, Any] = {"stage": from_id}
            after: dict[str, Any] = {"stage": to_id}
            if to_id == lost_id:
                reason = rng.choice(lost_reasons)
                note = rng.choice(LOST_NOTES)
                deal.lost_reason_id, deal.lost_note = reason, note
                before["lost_reason"], after["lost_reason"] = None, reason
                if note:
                    before["lost_note"], after["lost_note"] = "", note
            changes.append((when, before, after))
            stage_rows.append((from_id, to_id, when))
        if initial_amount != amount:
            when = _between(rng, created, end if not is_open else now)
            changes.append((when, {"amount": str(initial_amount)}, {"amount": str(amount)}))
        if initial_close != close_date:
            when = _between(rng, created, end if not is_open else now)
            changes.append(
                (
                    when,
                    {"expected_close_date": initial_close.isoformat()},
                    {"expected_close_date": close_date.isoformat()},
                )
            )
        changes.sort(key=lambda c: c[0])
        actor_name = owner[2]
        oc = out["objectchange"]
        oc.append(
            _row_values(
                _Row(
                    time=created, actor_id=owner[0], actor_name=actor_name, request_id="", action="create",
                    object_type="deal", object_id=pk, object_repr=str(deal)[:200], version=1, before=None,
                    after=_json(snapshot),
                ),
                f["objectchange"],
                vendor,
            )
        )  # fmt: skip
        for version, (when, before, after) in enumerate(changes, start=2):
            oc.append(
                _row_values(
                    _Row(
                        time=when, actor_id=owner[0], actor_name=actor_name, request_id="", action="update",
                        object_type="deal", object_id=pk, object_repr=str(deal)[:200], version=version,
                        before=_json(before), after=_json(after),
                    ),
                    f["objectchange"],
                    vendor,
                )
            )  # fmt: skip
        for from_id, to_id, when in stage_rows:
            out["stagechange"].append(
                _row_values(
                    _Row(deal_id=pk, from_stage_id=from_id, to_stage_id=to_id, actor_id=owner[0],
                                actor_name=actor_name, time=when),
                    f["stagechange"],
                    vendor,
                )
            )  # fmt: skip
        deal.stage = stages[path[-1]]
        deal.amount = amount
        deal.expected_close_date = close_date
        deal.stage_entered_at = stage_rows[-1][2]
        deal.closed_at = None if is_open else stage_rows[-1][2]
        deal.version = 1 + len(changes)
        deal.updated_at = changes[-1][0] if changes else created
        prepare_deal(deal)
        out["deal"].append(_row_values(deal, f["deal"], vendor))
        roles = rng.sample(people, k=min(len(people), 1 if rng.random() < 0.6 else 2)) if people else []
        for person in roles:
            out["dealcontact"].append(
                _row_values(
                    _Row(deal_id=pk, contact_id=person[0], role=rng.choice(ROLES)), f["dealcontact"], vendor
                )
            )
        if roles and rng.random() < 0.12:
            person = roles[0]
            data = {
                "lead": None, "lead_name": person[2], "contact": person[0], "contact_name": person[2],
                "company": company.pk if company else None, "company_name": company.name if company else "",
                "deal": pk, "deal_name": deal.name,
            }  # fmt: skip
            targets = [("contact", person[0]), ("deal", pk)] + ([("company", company.pk)] if company else [])
            for object_type, object_id in targets:
                out["timelineevent"].append(
                    _row_values(
                        _Row(object_type=object_type, object_id=object_id, name="lead.converted",
                             time=created, actor_id=owner[0], actor_name=actor_name, data=_json(data)),
                        f["timelineevent"],
                        vendor,
                    )
                )  # fmt: skip
        # activities: more on won deals, fewer on lost ones, a long tail on big ones
        weight = 1.0 if is_open else (1.7 if path[-1] == won_id else 0.65)
        if rng.random() < 0.02:
            weight *= 8
        count = int(rng.expovariate(1 / (per_deal * weight)) + rng.random())
        contact_objs = [_contact(p) for p in roles]
        team = team_members.get(owner[1] or 0, [owner])
        for _ in range(count):
            doer = owner if rng.random() < 0.9 else rng.choice(team)
            make_activity(
                owner=doer,
                begin=created,
                end=end if not is_open else now,
                is_open=is_open,
                deal=deal,
                contact=rng.choice(contact_objs) if contact_objs and rng.random() < 0.7 else None,
                company_id=deal.company_id,
                label=company.name[:12] if company else "",
            )
    # contact-only activities, in this chunk's stretch of time
    window_start = start + dt.timedelta(seconds=(first - 1) / n * span)
    window_end = min(start + dt.timedelta(seconds=last / n * span), now)
    expected = st["contact_activities"] * (last - first) / n
    for _ in range(int(expected + rng.random())):
        person = rng.choice(all_contacts)
        owner_id = person[3]
        doer = st["user_by_id"].get(owner_id) or users[bisect.bisect(owner_cum, rng.random() * owner_cum[-1])]
        make_activity(
            owner=doer,
            begin=window_start,
            end=window_end,
            is_open=window_end > now - dt.timedelta(days=60),
            contact=_contact(person),
            company_id=person[1],
            label=person[2],
        )
    return index, out


# --- main side --------------------------------------------------------------------------------------


def build_base(args: argparse.Namespace, env: dict[str, str]) -> None:
    """People, companies and contacts by `gen_db.py`, into this benchmark's own database."""
    command = [sys.executable, str(ROOT / "bench" / "gen_db.py"), "--n", str(args.contacts), "--database",
               args.database, "--keep-env", "--seed", str(args.seed)]  # fmt: skip
    print("$ " + " ".join(command), flush=True)
    subprocess.run(command, check=True, env={**os.environ, **env})


def rates(now: dt.datetime, seed: int) -> list[tuple[str, Decimal, dt.date]]:
    rng = random.Random(f"{seed}:rates")
    out = []
    for code, _share, base in CURRENCIES:
        if code == "CNY":
            continue
        day = (now - dt.timedelta(days=365 * YEARS)).date().replace(day=1)
        level = base
        while day <= now.date():
            level *= 1 + rng.gauss(0, 0.015)
            out.append((code, Decimal(f"{level:.8f}"), day))
            day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--activities", type=int, default=3_000_000)
    parser.add_argument("--contacts", type=int, default=200_000, help="contacts (and contacts/20 companies)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=20251101)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--skip-base", action="store_true", help="reuse the people/contacts already loaded")
    parser.add_argument("--profile", action="store_true", help="profile building one chunk; writes nothing")
    args = parser.parse_args(argv)

    env = configure_sales(args.database, args.deals)
    started = time.perf_counter()
    if not args.skip_base:
        build_base(args, env)
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from guanxi.activities.models import Activity, TimelineEvent
    from guanxi.core import search
    from guanxi.core.audit import ObjectChange
    from guanxi.customers.models import Company, Contact
    from guanxi.sales.choices import PicklistKind, StageKind
    from guanxi.sales.models import (
        Deal,
        DealContact,
        ExchangeRate,
        PicklistValue,
        Pipeline,
        Stage,
        StageChange,
    )
    from guanxi.sales.services import ensure_defaults
    from guanxi.users.models import Team, User

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    if Deal.objects.exists() and not args.profile:
        raise SystemExit("this database already has deals; run without --skip-base to start afresh")
    ensure_defaults()
    now = timezone.now().replace(microsecond=0)
    rng = random.Random(f"{args.seed}:sales-people")
    with transaction.atomic():
        ExchangeRate.objects.all().delete()
        ExchangeRate.objects.bulk_create(
            [ExchangeRate(currency=c, rate=r, valid_from=d) for c, r, d in rates(now, args.seed)]
        )
    team_ids = list(Team.objects.filter(name__in=TEAMS).order_by("id").values_list("id", flat=True))
    sellers = list(
        User.objects.filter(team_id__in=team_ids, username__regex=r"^(rep|manager)")
        .order_by("id")
        .values_list("id", "team_id", "username")
    )
    admin = User.objects.get(username="admin")
    owners = [*sellers, (admin.pk, None, admin.username)]
    weights = [rng.uniform(0.3, 2.5) if u[2].startswith("rep") else 0.8 for u in sellers] + [0.3]
    team_members: dict[int, list[tuple[int, int | None, str]]] = {}
    for u in sellers:
        team_members.setdefault(u[1], []).append(u)
    pipelines = list(Pipeline.objects.order_by("order", "id"))[:2]
    pipeline_stages = []
    for p in pipelines:
        st = list(p.stages.order_by("order", "id"))
        pipeline_stages.append(
            (
                p.pk,
                [s.pk for s in st if s.kind == StageKind.OPEN],
                next(s.pk for s in st if s.kind == StageKind.WON),
                next(s.pk for s in st if s.kind == StageKind.LOST),
            )
        )
    companies = list(Company.objects.order_by("id").values_list("id", "name"))
    crng = random.Random(f"{args.seed}:deal-companies")
    company_weights = [min(crng.paretovariate(1.16), 400.0) for _ in companies]
    contacts_of: dict[int, list[tuple[int, int | None, str, int | None]]] = {}
    all_contacts = []
    for row in (
        Contact.objects.order_by("id")
        .values_list("id", "company_id", "full_name", "owner_id")
        .iterator(chunk_size=20_000)
    ):
        all_contacts.append(row)
        if row[1] is not None:
            contacts_of.setdefault(row[1], []).append(row)
    state = {
        "env": env,
        "seed": args.seed,
        "vendor": connection.vendor,
        "deals": args.deals,
        "now": now,
        "owners": owners,
        "owner_cum": _cum(weights),
        "user_by_id": {u[0]: u for u in owners},
        "team_members": team_members,
        "pipelines": [
            {"id": p.pk, "name": p.name, "is_default": p.is_default, "order": p.order} for p in pipelines
        ],
        "stages": list(
            Stage.objects.filter(pipeline__in=pipelines).values(
                "id", "pipeline_id", "name", "order", "probability", "kind"
            )
        ),
        "pipeline_stages": pipeline_stages,
        "companies": [c[0] for c in companies],
        "company_names": dict(companies),
        "company_cum": _cum(company_weights),
        "contacts_of": contacts_of,
        "all_contacts": all_contacts,
        "lost_reasons": list(
            PicklistValue.objects.filter(kind=PicklistKind.LOST_REASON).values_list("id", flat=True)
        ),
        "sources": list(
            PicklistValue.objects.filter(kind=PicklistKind.LEAD_SOURCE).values_list("id", flat=True)
        ),
        "activities_per_deal": 0.75 * args.activities / args.deals / 1.2,  # / mean weight
        "contact_activities": 0.25 * args.activities,
        "people_names": [c[2] for c in all_contacts[:5000]],
    }  # fmt: skip
    models = {
        "deal": Deal,
        "stagechange": StageChange,
        "objectchange": ObjectChange,
        "dealcontact": DealContact,
        "timelineevent": TimelineEvent,
        "activity": Activity,
    }
    # deals keep their ids (other rows point at them); the rest are numbered by the database in load order
    fields = {k: [f for f in _fields(m) if k == "deal" or not f.primary_key] for k, m in models.items()}
    state["fields"] = fields
    tables = {k: m._meta.db_table for k, m in models.items()}
    columns = {k: _columns(v) for k, v in fields.items()}
    chunks = (args.deals + CHUNK - 1) // CHUNK
    counts = dict.fromkeys(models, 0)
    print(f"  set-up {time.perf_counter() - started:.1f}s", flush=True)
    if args.profile:
        import cProfile
        import pstats

        _STATE.update(state)
        _memoise()
        profile = cProfile.Profile()
        profile.runcall(deal_chunk, 0)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        return 0
    connection.close()
    ctx = multiprocessing.get_context("fork")
    load_started = time.perf_counter()
    with (
        ctx.Pool(args.workers, initializer=_init_worker, initargs=(state,)) as pool,
        Loader(list(tables.values())) as loader,
    ):
        for index, rows in pool.imap(deal_chunk, range(chunks), chunksize=1):
            with transaction.atomic():
                for key in models:
                    loader.insert(tables[key], columns[key], rows[key])
                    counts[key] += len(rows[key])
            if (index + 1) % 10 == 0:
                print(
                    f"  {counts['deal']} deals, {counts['activity']} activities "
                    f"{time.perf_counter() - started:.1f}s",
                    flush=True,
                )
        print(f"  rows loaded {time.perf_counter() - load_started:.1f}s; rebuilding indexes …", flush=True)
        index_started = time.perf_counter()
    if connection.vendor == "sqlite":
        for model in (Deal, Activity):
            search.rebuild(model)
    # the board's totals: their triggers were set aside with the others while loading
    fill = import_module("guanxi.sales.migrations.0004_dealtotal").FILL[connection.vendor]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM sales_dealtotal")
        cursor.execute(fill)
    print(f"  indexes and search rebuilt {time.perf_counter() - index_started:.1f}s", flush=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            connection.set_autocommit(True)
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    for key, value in counts.items():
        print(f"gen_sales_{key}_rows={value}")
    print(f"gen_sales_now={now.isoformat()}")
    print(f"gen_sales_seconds={time.perf_counter() - started:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
