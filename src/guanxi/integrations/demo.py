"""Demo: one webhook to an example ERP address, paused after its deliveries failed, with its delivery log —
so that Settings → Webhooks shows what a subscription, a pause and the attempts look like."""

from __future__ import annotations

import datetime
import json
import uuid

from django.utils import timezone

from guanxi.core.demodata import DemoContext

from .models import Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from .services import webhook_create

EXAMPLE_URL = "https://erp.example.com/guanxi/webhooks"


def load(context: DemoContext) -> str:
    if Webhook.objects.filter(url=EXAMPLE_URL).exists():
        return ""
    events = ["company.created", "company.updated", "contact.created"]
    from guanxi.core.events import domain_events

    events += [name for name in ("deal.won", "deal.lost") if name in domain_events()]
    webhook, _secret = webhook_create(
        actor=context.admin, name="ERP (example)", url=EXAMPLE_URL, events=events
    )
    now = timezone.now()
    error = "could not resolve erp.example.com: Name or service not known"
    from guanxi.customers.models import Company, Contact

    records = {
        "company": Company.objects.order_by("pk").first(),
        "contact": Contact.objects.order_by("pk").first(),
    }
    for hours_ago, event in ((30, "company.created"), (27, "company.updated"), (26, "contact.created")):
        created = now - datetime.timedelta(hours=hours_ago)
        record = records[event.split(".")[0]]
        delivery = Delivery.objects.create(
            webhook=webhook,
            event=event,
            object_type=event.split(".")[0],
            object_id=record.pk if record else None,
            body=json.dumps(
                {"id": str(uuid.uuid4()), "event": event, "time": created.isoformat(), "object": {}}
            ),
            status=DeliveryStatus.FAILED,
            attempts=3,
            created_at=created,
            finished_at=created + datetime.timedelta(hours=24),
            last_error=error,
        )
        for number, minutes in enumerate((0, 6, 17), start=1):
            DeliveryAttempt.objects.create(
                delivery=delivery,
                number=number,
                started_at=created + datetime.timedelta(minutes=minutes),
                duration_ms=12,
                error=error,
            )
    Webhook.objects.filter(pk=webhook.pk).update(
        paused_at=now - datetime.timedelta(hours=2),
        paused_reason=f"3 deliveries in a row failed; the last one: {error}",
        consecutive_failures=3,
        last_failure_at=now - datetime.timedelta(hours=2),
    )
    return "1 webhook (paused) with its delivery log"
