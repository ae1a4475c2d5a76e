"""The default queue (django-tasks-db, what `make run` uses): a delivery is queued as a database task, the
worker delivers it, and a failed attempt comes back as a task deferred until its retry time."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command

from guanxi.customers.services import company_create
from guanxi.integrations import services
from guanxi.integrations.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_delivery_goes_through_the_database_queue_and_its_retry_is_deferred(database_tasks, boss, receiver):
    from django_tasks_db.models import DBTaskResult

    services.webhook_create(actor=boss, url=receiver.url, events=["company.created"])
    receiver.answer(503, 204)
    company_create(actor=boss, name="Queued in the database")
    sent = Delivery.objects.get()
    assert sent.status == DeliveryStatus.PENDING and receiver.requests == []
    assert DBTaskResult.objects.count() == 1
    with mock.patch("guanxi.integrations.delivery.backoff", return_value=datetime.timedelta(hours=1)):
        call_command("worker", "--burst")
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.RETRYING and len(receiver.requests) == 1
    deferred = DBTaskResult.objects.filter(status="READY").get()
    assert deferred.run_after is not None
    assert abs((deferred.run_after - sent.next_attempt_at).total_seconds()) < 1
    call_command("worker", "--burst")  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    # An hour later:
    DBTaskResult.objects.filter(pk=deferred.pk).update(run_after=sent.created_at)
    Delivery.objects.filter(pk=sent.pk).update(next_attempt_at=sent.created_at)
    call_command("worker", "--burst")
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.DELIVERED and len(receiver.requests) == 2
