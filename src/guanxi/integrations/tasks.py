"""Background tasks of the integrations app (Django's Tasks API; the database queue by default, Redis with
GUANXI_TASKS=redis)."""

from __future__ import annotations

from django.tasks import task

from guanxi.core.context import request_context


@task
def deliver_webhook(delivery_pk: int) -> str:
    """One attempt at one webhook delivery (retries queue themselves with a delay)."""
    from .delivery import attempt

    with request_context(f"webhook-{delivery_pk}"):
        return attempt(delivery_pk)


@task
def retry_due_deliveries() -> int:
    """Re-queue deliveries whose attempt is due (after a worker crash, or where tasks cannot be deferred)."""
    from .delivery import retry_due

    return retry_due()
