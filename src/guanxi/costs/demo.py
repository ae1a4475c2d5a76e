"""Demo costs: the first year of a 50-seat company that moved to Guanxi about nine months ago.

- three scenarios from the templates: Guanxi self-hosted (the plan) and the Zoho CRM and Salesforce
  scenarios it was weighed against;
- the go-live date (the first of the month nine months ago), a six-month baseline and 20% of the
  revenue uplift attributed to the CRM;
- the project's ledger from three months before go-live to today, across the ten categories: partner
  invoices, hosting every month, support every quarter, a few foreign-currency invoices, and internal time
  by the demo people (the administrator, IT operations, the sales manager, data clean-up and training);
- budgets per category and year, set from the planned spending with 10% headroom, except custom
  development, which ran over as it does;
- hours the sales team saved each month since go-live;
- when the sales app is installed, the deal history migrated from the old CRM (a year before go-live),
  so that the "before" figures are measured from real deals.

Everything is written through the services, so it is audited like any record; dates are relative to
today so the payback page always shows a lived-in year."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from guanxi.core.demodata import DemoContext

from .selectors import add_months, month_start
from .services import (
    budget_create,
    expense_create,
    payback_settings_save,
    scenario_create_from_template,
    time_entry_create,
    time_saving_create,
)

PARTNER = "杭州云启信息技术有限公司"
CLOUD = "阿里云计算有限公司"
# (months after go-live, category, vendor, description, amount, currency, exchange rate)
ONE_OFF = [
    (
        -3,
        "implementation",
        PARTNER,
        "Guanxi installation, configuration and pipeline set-up",
        "40000",
        "CNY",
        None,
    ),
    (
        -3,
        "consulting",
        "Northbridge CRM Advisory",
        "Requirements workshop and vendor comparison",
        "3200",
        "USD",
        "7.12",
    ),
    (
        -2,
        "migration_integration",
        PARTNER,
        "Data migration from spreadsheets and the old CRM",
        "20000",
        "CNY",
        None,
    ),
    (
        -2,
        "migration_integration",
        "苏州数联软件有限公司",
        "ERP integration (orders and invoices), first half",
        "25000",
        "CNY",
        None,
    ),
    (
        -1,
        "migration_integration",
        "苏州数联软件有限公司",
        "ERP integration, second half and acceptance",
        "15000",
        "CNY",
        None,
    ),
    (-1, "customization", PARTNER, "Custom fields, quote template and sales reports", "30000", "CNY", None),
    (
        -1,
        "security_compliance",
        "上海信安测评技术有限公司",
        "等保 2.0 level-2 assessment and filing",
        "30000",
        "CNY",
        None,
    ),
    (-1, "implementation", PARTNER, "Initial user training, two sessions", "10000", "CNY", None),
    (0, "subscription", CLOUD, "SMS and e-mail sending package, one year", "6000", "CNY", None),
    (1, "maintenance", CLOUD, "Domain, TLS certificate and monitoring, one year", "3000", "CNY", None),
    (2, "training", PARTNER, "Refresher course for the sales managers", "2000", "CNY", None),
    (3, "customization", PARTNER, "Dashboard and forecast report changes", "18000", "CNY", None),
    (
        4,
        "upgrade_expansion",
        "Independent developer 陈工",
        "Upgrade to the new Guanxi release and regression tests",
        "9600",
        "CNY",
        None,
    ),
    (5, "training", PARTNER, "Onboarding course for new hires", "2000", "CNY", None),
    (
        6,
        "security_compliance",
        "上海信安测评技术有限公司",
        "Penetration test of the CRM",
        "12000",
        "CNY",
        None,
    ),
    (6, "customization", PARTNER, "WeCom (企业微信) notifications", "12000", "CNY", None),
    (
        7,
        "subscription",
        "Sentry (Functional Software Inc.)",
        "Error monitoring, team plan, one year",
        "312",
        "USD",
        "7.10",
    ),
    (
        8,
        "upgrade_expansion",
        "Independent developer 陈工",
        "Upgrade to the next Guanxi release",
        "6000",
        "CNY",
        None,
    ),
    (8, "training", PARTNER, "Onboarding course for new hires", "2000", "CNY", None),
    (10, "customization", PARTNER, "Territory management for the second sales team", "16000", "CNY", None),
    (11, "training", PARTNER, "Onboarding course for new hires", "2000", "CNY", None),
]
MONTHLY = [
    ("maintenance", CLOUD, "Hosting: application server (4 vCPU, 16 GB)", "800"),
    ("maintenance", CLOUD, "Hosting: managed PostgreSQL", "600"),
    ("maintenance", CLOUD, "Backups: object storage and off-site copy", "100"),
]
QUARTERLY = ("consulting", "Guanxi commercial support", "Commercial support contract, one quarter", "7500")
BUDGET_HEADROOM = Decimal("1.10")
OVERRUN = {"customization": Decimal("0.70")}  # budgeted well below what it came to
SAVINGS = [
    ("wang.fang", "Weekly pipeline report built by the dashboard, not by hand", 12, "220"),
    ("chen.jie", "Weekly pipeline report built by the dashboard, not by hand", 12, "220"),
    ("li.na", "Quotes from templates; no more copying between spreadsheets", 6, "120"),
    ("zhang.wei", "Quotes from templates; no more copying between spreadsheets", 6, "120"),
    ("emily.chen", "Follow-up reminders instead of a personal tracking sheet", 5, "120"),
    ("liu.yang", "Quotes from templates; no more copying between spreadsheets", 6, "120"),
    ("huang.li", "Follow-up reminders instead of a personal tracking sheet", 5, "120"),
    ("david.wong", "Customer history in one place before calls", 4, "120"),
    ("zhao.min", "Month-end sales figures exported, not collected by e-mail", 10, "180"),
]
REPRESENTATIVES = ("li.na", "zhang.wei", "emily.chen", "liu.yang", "huang.li", "david.wong", "chen.jie")


@dataclass
class Plan:
    """The project's spending, planned month by month; what is dated up to today is recorded."""

    expenses: list[dict[str, Any]] = field(default_factory=list)
    time: list[dict[str, Any]] = field(default_factory=list)
    by_year: dict[int, dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Decimal))
    )

    def expense(
        self, day: datetime.date, category: str, amount: Decimal, rate: Decimal | None, **fields: Any
    ) -> None:
        self.expenses.append(
            {"date": day, "category": category, "amount": amount, "exchange_rate": rate, **fields}
        )
        self.by_year[day.year][category] += amount * (rate or 1)

    def hours(self, day: datetime.date, category: str, hours: int, rate: str, **fields: Any) -> None:
        self.time.append(
            {
                "date": day,
                "category": category,
                "hours": Decimal(hours),
                "hourly_cost": Decimal(rate),
                **fields,
            }
        )
        self.by_year[day.year][category] += hours * Decimal(rate)


def _on(month: datetime.date, day: int) -> datetime.date:
    return month.replace(day=min(day, 28))


def plan_project(
    rng: Any, users: dict[str, Any], admin: Any, go_live: datetime.date, end: datetime.date
) -> Plan:
    plan = Plan()
    start = add_months(go_live, -3)
    invoice = 1000
    for offset, category, vendor, description, amount, currency, rate in ONE_OFF:
        day = _on(add_months(go_live, offset), rng.randint(3, 26))
        invoice += rng.randint(1, 9)
        if day > end:
            continue
        plan.expense(
            day,
            category,
            Decimal(amount),
            Decimal(rate) if rate else None,
            currency=currency,
            vendor=vendor,
            description=description,
            invoice_number=f"FP{day:%Y%m}{invoice}",
        )
    manager = users.get("wang.fang")
    month = start
    while month <= end:
        before = month < go_live
        for category, vendor, description, amount in MONTHLY:
            plan.expense(
                _on(month, 2),
                category,
                Decimal(amount),
                None,
                currency="CNY",
                vendor=vendor,
                description=description,
            )
        if month >= go_live and (month.year * 12 + month.month - go_live.year * 12 - go_live.month) % 3 == 0:
            category, vendor, description, amount = QUARTERLY
            plan.expense(
                _on(month, 10),
                category,
                Decimal(amount),
                None,
                currency="CNY",
                vendor=vendor,
                description=description,
            )
        plan.hours(
            _on(month, 25),
            "internal",
            70 if before else rng.choice([24, 28, 32]),
            "150",
            person=admin,
            role="CRM administrator",
            purpose="implementation" if before else "administration",
            description="Project work" if before else "Users, permissions, imports and backups",
        )
        plan.hours(
            _on(month, 26),
            "maintenance",
            8 if before else 4,
            "130",
            person_name="IT 运维 刘工",
            role="IT operations",
            purpose="administration",
            description="Server updates and backup checks",
        )
        if before and manager is not None:
            plan.hours(
                _on(month, 20),
                "implementation",
                16,
                "220",
                person=manager,
                role="Sales manager",
                purpose="implementation",
                description="Pipelines, stages and reports with the partner",
            )
        month = add_months(month, 1)
    for username in REPRESENTATIVES:
        person = users.get(username)
        if person is None:
            continue
        plan.hours(
            _on(add_months(go_live, -1), 12 + rng.randint(0, 10)),
            "migration_integration",
            rng.choice([4, 6, 8]),
            "120",
            person=person,
            role="Sales",
            purpose="data_cleanup",
            description="Merged duplicate customers and filled in missing phones",
        )
        plan.hours(
            _on(go_live, 3 + rng.randint(0, 4)),
            "training",
            8,
            "120",
            person=person,
            role="Sales",
            purpose="training",
            description="Guanxi training day",
        )
    return plan


def load(context: DemoContext) -> str:
    rng = context.rng
    users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}
    finance: Any = users.get("zhao.min") or context.admin
    today = timezone.localdate()
    go_live = add_months(month_start(today), -9)

    scenario = scenario_create_from_template(actor=finance, template="guanxi-self-hosted", owner=finance)
    for template in ("zoho-crm", "salesforce-sales-cloud"):
        scenario_create_from_template(actor=finance, template=template, owner=finance)
    payback_settings_save(
        actor=finance, go_live=go_live, baseline_months=6, attribution=Decimal("0.20"), plan=scenario
    )

    end_of_year = datetime.date(today.year, 12, 31)
    plan = plan_project(rng, users, context.admin, go_live, end_of_year)
    for year, categories in sorted(plan.by_year.items()):
        for category, amount in categories.items():
            budget = amount * BUDGET_HEADROOM * OVERRUN.get(category, Decimal(1))
            budget_create(
                actor=finance,
                owner=finance,
                year=year,
                category=category,
                amount=Decimal(math.ceil(budget / 1000) * 1000),
                notes="From the project plan, with 10% headroom.",
            )
    expenses = [e for e in plan.expenses if e["date"] <= today]
    for fields in expenses:
        expense_create(actor=finance, owner=finance, **fields)
    entries = [t for t in plan.time if t["date"] <= today]
    for fields in entries:
        time_entry_create(actor=finance, owner=finance, **fields)
    savings = _savings(rng, users, finance, go_live, today)
    history = _legacy_deals(context, go_live) if apps.is_installed("guanxi.sales") else 0
    return (
        f"3 scenarios, go-live {go_live:%Y-%m-%d}, {len(expenses)} expenses, {len(entries)} time entries, "
        f"{savings} hours-saved entries, budgets for {len(plan.by_year)} years, "
        f"{history} deals from the old CRM"
    )


def _savings(
    rng: Any, users: dict[str, Any], finance: Any, go_live: datetime.date, today: datetime.date
) -> int:
    count = 0
    month = add_months(go_live, 1)
    while add_months(month, 1) <= today:
        last_day = add_months(month, 1) - datetime.timedelta(days=1)
        for username, description, hours, rate in SAVINGS:
            person = users.get(username)
            if person is None:
                continue
            time_saving_create(
                actor=finance,
                owner=finance,
                person=person,
                date=last_day,
                description=description,
                hours=Decimal(hours + rng.choice([-1, 0, 0, 1])),
                hourly_cost=Decimal(rate),
            )
            count += 1
        month = add_months(month, 1)
    return count


def _legacy_deals(context: DemoContext, go_live: datetime.date) -> int:
    """The year of deals before go-live, as migrated from the old CRM (won and lost, in CNY)."""
    from guanxi.sales.models import Deal, StageChange  # type: ignore[import-not-found,unused-ignore]
    from guanxi.sales.services import deal_create, deal_move_stage, default_pipeline, picklist  # type: ignore[import-not-found,unused-ignore]

    rng, admin = context.rng, context.admin
    companies = context.data.get("companies") or []
    owners = context.users or [admin]
    if not companies:
        return 0
    pipeline = default_pipeline()
    won = pipeline.stages.get(kind="won")
    lost = pipeline.stages.get(kind="lost")
    reasons = [r for r in (picklist("lost_reason", k) for k in ("price", "competitor", "no_decision")) if r]
    count = 0
    month = add_months(go_live, -12)
    while month < go_live:
        for _ in range(rng.randint(9, 13)):
            company = rng.choice(companies)
            owner = company.owner or rng.choice(owners)
            closed = timezone.make_aware(
                datetime.datetime.combine(_on(month, rng.randint(1, 28)), datetime.time(rng.randint(9, 18)))
            )
            created = closed - datetime.timedelta(days=rng.randint(45, 160))
            count += 1
            deal = deal_create(
                actor=admin,
                owner=owner,
                name=f"{company.name[:12]} · 历史商机",
                company=company,
                pipeline=pipeline,
                amount=Decimal(rng.randint(4, 40) * 5000),
                currency="CNY",
                external_ref=("legacy-crm", f"OPP-{go_live:%y}{count:04d}"),
            )
            if rng.random() < 0.55:
                deal = deal_move_stage(actor=admin, deal=deal, stage=won)
            else:
                deal = deal_move_stage(
                    actor=admin, deal=deal, stage=lost, lost_reason=rng.choice(reasons) if reasons else None
                )
            Deal.objects.filter(pk=deal.pk).update(
                created_at=created, stage_entered_at=closed, closed_at=closed
            )
            moves = list(StageChange.objects.filter(deal=deal).order_by("time", "id"))
            for move, stamp in zip(moves, [created, closed], strict=False):
                StageChange.objects.filter(pk=move.pk).update(time=stamp)
        month = add_months(month, 1)
    return count
