"""Demo activities: a year of calls, meetings and notes on contacts, deals and leads, and open tasks for every
salesperson (some overdue, some today) so "My work" and the timelines are full."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from guanxi.core.demodata import DemoContext
from guanxi.sales.models import Deal, Lead

from .models import Activity, Kind
from .services import activity_create

CALL_SUBJECTS = ["确认需求", "跟进报价", "预约演示", "Follow-up on the proposal", "了解预算", "确认交付时间"]
NOTES = [
    "客户对 AGV 方案很感兴趣，下周安排现场考察。",
    "Procurement wants a second quote by Friday.",
    "决策人是运营总监，财务需要 ROI 测算。",
    "竞争对手报价低 10%，需要强调实施和维保。",
    "Prefers WeChat for quick questions; e-mail for documents.",
]
MEETINGS = [
    ("方案演示", "客户会议室"),
    ("现场考察", "客户仓库"),
    ("Quarterly business review", "Online"),
    ("合同谈判", "公司会议室 A"),
]
TASKS = [
    "发送报价单",
    "准备演示环境",
    "Send the contract draft",
    "回访满意度",
    "整理会议纪要",
    "申请特价审批",
]


def _when(rng: Any, days_back: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(
        days=rng.randint(0, days_back), hours=rng.randint(0, 10), minutes=rng.randint(0, 59)
    )


def load(context: DemoContext) -> str:
    rng = context.rng
    contacts = context.data.get("contacts", [])
    deals = list(Deal.objects.select_related("owner", "company").order_by("id"))
    leads = list(Lead.objects.filter(converted_at__isnull=True).select_related("owner")[:40])
    made = 0
    for deal in deals:
        owner = deal.owner or context.owner()
        people = list(deal.contacts.all()[:2])
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice([Kind.CALL, Kind.CALL, Kind.NOTE, Kind.MEETING])
            fields: dict[str, Any] = {"owner": owner, "deal": deal, "kind": kind}
            if people:
                fields["contact"] = rng.choice(people)
            if kind == Kind.CALL:
                fields.update(
                    subject=rng.choice(CALL_SUBJECTS),
                    occurred_at=_when(rng, 300),
                    direction=rng.choice(["outbound", "outbound", "inbound"]),
                    outcome=rng.choice(["connected", "connected", "no_answer", "voicemail"]),
                    duration_minutes=rng.randint(2, 40),
                )
            elif kind == Kind.NOTE:
                fields.update(body=rng.choice(NOTES), occurred_at=_when(rng, 300))
            else:
                subject, place = rng.choice(MEETINGS)
                start = _when(rng, 200)
                fields.update(
                    subject=subject,
                    location=place,
                    start_at=start,
                    end_at=start + datetime.timedelta(hours=1),
                )
            activity = activity_create(
                actor=owner, attendees=people if kind == Kind.MEETING else None, **fields
            )
            made += 1
            Activity.objects.filter(pk=activity.pk).update(created_at=activity.occurred_at)
    for contact in rng.sample(contacts, k=min(150, len(contacts))):
        owner = contact.owner or context.owner()
        activity_create(
            actor=owner,
            owner=owner,
            contact=contact,
            kind=Kind.CALL,
            subject=rng.choice(CALL_SUBJECTS),
            occurred_at=_when(rng, 120),
            direction="outbound",
            outcome=rng.choice(["connected", "no_answer"]),
            duration_minutes=rng.randint(1, 20),
        )
        made += 1
    for lead in leads:
        owner = lead.owner or context.owner()
        activity_create(
            actor=owner,
            owner=owner,
            lead=lead,
            kind=Kind.CALL,
            subject="首次联系",
            occurred_at=_when(rng, 60),
            direction="outbound",
            outcome="connected",
            duration_minutes=5,
        )
        made += 1
    now = timezone.now()
    for person in [context.admin, *context.users]:
        theirs = list(Deal.objects.visible_to(person).filter(stage__kind="open").order_by("id")[:30])
        for offset in (-3, -1, 0, 0, 1, 3, 6):
            related = rng.choice(theirs) if theirs else None
            due = (now + datetime.timedelta(days=offset)).replace(
                hour=rng.randint(9, 17), minute=0, second=0, microsecond=0
            )
            activity_create(
                actor=person,
                owner=person,
                kind=Kind.TASK,
                subject=rng.choice(TASKS),
                due_at=due,
                priority=rng.choice(["normal", "normal", "high", "low"]),
                deal=related,
                reminder_at=due - datetime.timedelta(hours=1) if offset >= 0 else None,
            )
            made += 1
        start = now.replace(hour=rng.choice([10, 14, 16]), minute=0, second=0, microsecond=0)
        subject, place = rng.choice(MEETINGS)
        activity_create(
            actor=person,
            owner=person,
            kind=Kind.MEETING,
            subject=subject,
            location=place,
            start_at=start,
            end_at=start + datetime.timedelta(hours=1),
            deal=rng.choice(theirs) if theirs else None,
        )
        made += 1
    return f"{made} activities"
