"""Demo sales: products, exchange rates, leads (some converted), a year of deals in two pipelines with their
stage history, contacts and product lines, an assignment rule and a web-to-lead form."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import Any

from django.utils import timezone

from guanxi.core.demodata import DemoContext

from .choices import ContactRole, PicklistKind, StageKind, StatusMeaning
from .models import (
    AssignmentRule,
    Deal,
    DealContact,
    ExchangeRate,
    PicklistValue,
    Pipeline,
    StageChange,
    WebForm,
)
from .services import deal_create, deal_move_stage, deal_set_lines, lead_convert, lead_create, product_create

PRODUCTS = [
    ("WMS-CORE", "智能仓储管理系统 WMS", "套", "380000", "13"),
    ("SENSOR-S200", "工业传感器 S200", "个", "1200", "13"),
    ("GATEWAY-G5", "物联网网关 G5", "台", "8600", "13"),
    ("IMPL-DAY", "实施服务（人天）", "人天", "2800", "6"),
    ("SUPPORT-Y", "年度维保服务", "年", "60000", "6"),
    ("TRAIN-1D", "现场培训（一天）", "天", "6000", "6"),
    ("CLOUD-SEAT", "Cloud analytics seat", "seat/yr", "1800", "6"),
    ("AGV-X1", "AGV 搬运机器人 X1", "台", "168000", "13"),
]
LEAD_NAMES = [
    "周明",
    "吴倩",
    "郑浩",
    "王磊",
    "冯雪",
    "陈晨",
    "褚亮",
    "卫东",
    "蒋涛",
    "沈佳",
    "韩梅",
    "杨帆",
    "朱丽",
    "秦川",
    "尤佳",
    "许诺",
    "何静",
    "吕鹏",
    "施展",
    "张弛",
    "孔亮",
    "曹颖",
    "严宽",
    "华峰",
    "金鑫",
    "魏然",
    "陶然",
    "姜波",
    "Chris Evans",
    "Laura Kim",
    "Ben Ho",
    "Sophie Wu",
]
LEAD_COMPANIES = [
    "杭州云帆物流有限公司",
    "苏州精工机械有限公司",
    "上海瑞丰贸易有限公司",
    "宁波远航电子有限公司",
    "厦门海纳食品有限公司",
    "成都天成医疗器械有限公司",
    "武汉博达教育科技有限公司",
    "Harbour Freight Asia",
    "深圳鼎盛新能源有限公司",
    "广州光华广告传媒有限公司",
]
DEAL_KINDS = [
    "WMS 升级",
    "传感器采购",
    "AGV 试点",
    "年度维保续约",
    "仓库自动化二期",
    "物联网改造",
    "培训与实施",
]


def _reference_data() -> dict[str, PicklistValue]:
    today = timezone.localdate()
    for currency, rate in (("USD", "7.10"), ("EUR", "7.75"), ("HKD", "0.91"), ("JPY", "0.048")):
        ExchangeRate.objects.get_or_create(
            currency=currency,
            valid_from=today - datetime.timedelta(days=400),
            defaults={"rate": Decimal(rate)},
        )
    return {p.key: p for p in PicklistValue.objects.filter(kind=PicklistKind.LEAD_SOURCE)}


def load(context: DemoContext) -> str:
    rng = context.rng
    admin = context.admin
    sources = _reference_data()
    products = [
        product_create(
            actor=admin,
            code=code,
            name=name,
            unit=unit,
            list_price=Decimal(price),
            currency="CNY",
            tax_rate=Decimal(tax),
        )
        for code, name, unit, price, tax in PRODUCTS
    ]
    east, south = context.teams["east"], context.teams["south"]
    AssignmentRule.objects.get_or_create(
        name="网站线索 → 华东轮询",
        defaults={
            "order": 10,
            "source": sources.get("web"),
            "method": AssignmentRule.ROUND_ROBIN,
            "team": east,
        },
    )
    AssignmentRule.objects.get_or_create(
        name="广东线索 → 华南轮询",
        defaults={"order": 20, "region": "广东", "method": AssignmentRule.ROUND_ROBIN, "team": south},
    )
    WebForm.objects.get_or_create(
        name="官网咨询表单 Website enquiry",
        defaults={
            "token": secrets.token_urlsafe(18),
            "enabled": True,
            "source": sources.get("web"),
            "thank_you": "感谢您的咨询，我们会尽快联系您。Thank you — we will be in touch soon.",
        },
    )

    statuses = {p.meaning: p for p in PicklistValue.objects.filter(kind=PicklistKind.LEAD_STATUS)}
    leads = []
    for index, name in enumerate(LEAD_NAMES * 2):
        owner = context.owner()
        status = rng.choice(
            [
                StatusMeaning.NEW,
                StatusMeaning.WORKING,
                StatusMeaning.WORKING,
                StatusMeaning.QUALIFIED,
                StatusMeaning.DISQUALIFIED,
            ]
        )
        company = rng.choice(LEAD_COMPANIES)
        email_local = f"lead{index}"
        leads.append(
            lead_create(
                actor=owner,
                owner=owner if index % 4 else None,
                full_name=name if index < len(LEAD_NAMES) else name + "（二）",
                company_name=company,
                title=rng.choice(["采购经理", "IT 主管", "运营总监", "Buyer"]),
                email=f"{email_local}@{rng.choice(['qq.com', '163.com', 'example.cn'])}",
                phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                source=rng.choice(list(sources.values())),
                status=statuses[status],
                disqualification_reason="预算不足" if status == StatusMeaning.DISQUALIFIED else "",
                province=rng.choice(["浙江", "江苏", "广东", "上海"]),
                city=rng.choice(["杭州", "苏州", "深圳", "广州"]),
            )
        )
    converted = 0
    for lead in leads:
        if lead.status and lead.status.meaning == StatusMeaning.QUALIFIED and converted < 8 and lead.owner_id:
            lead_convert(
                actor=lead.owner,
                lead=lead,
                create_deal=True,
                deal_name=f"{lead.company_name} 首单",
                amount=Decimal(rng.randint(5, 60) * 10000),
            )
            converted += 1

    companies = context.data.get("companies", [])
    contacts_by_company: dict[int, list[Any]] = {}
    for contact in context.data.get("contacts", []):
        if contact.company_id:
            contacts_by_company.setdefault(contact.company_id, []).append(contact)
    lost_reasons = list(PicklistValue.objects.filter(kind=PicklistKind.LOST_REASON))
    now = timezone.now()
    deals = 0
    for pipeline in Pipeline.objects.prefetch_related("stages"):
        stages = list(pipeline.stages.all())
        open_stages = [s for s in stages if s.kind == StageKind.OPEN]
        won = next(s for s in stages if s.kind == StageKind.WON)
        lost = next(s for s in stages if s.kind == StageKind.LOST)
        count = 110 if pipeline.is_default else 40
        for _ in range(count):
            company = rng.choice(companies)
            owner = company.owner or context.owner()
            age = rng.randint(5, 360)
            created = now - datetime.timedelta(days=age, hours=rng.randint(0, 23))
            currency = "CNY" if company.country == "CN" else rng.choice(["USD", "EUR", "HKD"])
            deal = deal_create(
                actor=owner,
                owner=owner,
                name=f"{company.name[:12]} · {rng.choice(DEAL_KINDS)}",
                company=company,
                pipeline=pipeline,
                stage=open_stages[0],
                amount=Decimal(rng.randint(2, 120) * 5000),
                currency=currency,
                source=rng.choice(list(sources.values())),
                expected_close_date=(created + datetime.timedelta(days=rng.randint(30, 150))).date(),
            )
            for contact in rng.sample(
                contacts_by_company.get(company.pk, []),
                k=min(2, len(contacts_by_company.get(company.pk, []))),
            ):
                DealContact.objects.get_or_create(
                    deal=deal, contact=contact, defaults={"role": rng.choice(ContactRole.values)}
                )
            if rng.random() < 0.4:
                chosen = rng.sample(products, k=rng.randint(1, 3))
                deal = deal_set_lines(
                    actor=owner,
                    deal=deal,
                    amount_from_lines=True,
                    lines=[
                        {
                            "product": p,
                            "quantity": Decimal(rng.choice([1, 2, 5, 10, 20])),
                            "discount": Decimal(rng.choice([0, 0, 5, 10])),
                        }
                        for p in chosen
                    ],
                )
            # Walk the deal through its stages, then rewrite the times so the year looks lived in.
            path = open_stages[: rng.randint(1, len(open_stages))]
            outcome = rng.random()
            closes = age > 30 and outcome < 0.75
            for stage in path[1:]:
                deal = deal_move_stage(actor=owner, deal=deal, stage=stage)
            if closes:
                if outcome < 0.45:
                    deal = deal_move_stage(actor=owner, deal=deal, stage=won)
                else:
                    deal = deal_move_stage(
                        actor=owner, deal=deal, stage=lost, lost_reason=rng.choice(lost_reasons)
                    )
            _backdate(deal, created, now, rng)
            deals += 1
    return f"{len(products)} products, {len(leads)} leads ({converted} converted), {deals} deals"


def _backdate(deal: Deal, created: datetime.datetime, now: datetime.datetime, rng: Any) -> None:
    moves = list(StageChange.objects.filter(deal=deal).order_by("time", "id"))
    span = max((now - created).total_seconds() - 3600, 3600)
    times = sorted(created + datetime.timedelta(seconds=rng.uniform(0, span)) for _ in moves[1:])
    stamps = [created, *times]
    for move, stamp in zip(moves, stamps, strict=True):
        StageChange.objects.filter(pk=move.pk).update(time=stamp)
    closed_at = stamps[-1] if deal.stage.kind != StageKind.OPEN else None
    Deal.objects.filter(pk=deal.pk).update(
        created_at=created, stage_entered_at=stamps[-1], closed_at=closed_at
    )
