"""What the costs tests share (a plain module, not a conftest): dates, seeded deals and ledgers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone


def aware(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed_deal(
    actor: Any,
    *,
    owner: Any,
    amount: str | Decimal,
    closed: datetime.date,
    created: datetime.date | None = None,
    won: bool = True,
    currency: str = "CNY",
    name: str = "Deal",
) -> Any:
    """A real deal, created and closed through the sales services, then dated into the past (the services
    stamp the closing time with now, as they must)."""
    from guanxi.sales.models import Deal
    from guanxi.sales.services import deal_create, deal_move_stage, default_pipeline, picklist

    pipeline = default_pipeline()
    stage = pipeline.stages.get(kind="won" if won else "lost")
    deal = deal_create(actor=actor, owner=owner, name=name, amount=Decimal(amount), currency=currency)
    extra = {} if won else {"lost_reason": picklist("lost_reason", "price")}
    deal = deal_move_stage(actor=actor, deal=deal, stage=stage, **extra)
    Deal.objects.filter(pk=deal.pk).update(
        created_at=aware(created or closed - datetime.timedelta(days=30)), closed_at=aware(closed)
    )
    return Deal.objects.get(pk=deal.pk)
