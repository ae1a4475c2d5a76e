"""Webhooks: subscriptions, the SSRF guard on save and on delivery, signed JSON deliveries after commit,
retries with back-off, failure, pausing with a notice, resending, filters and secret rotation."""

from __future__ import annotations

import datetime
import itertools
import json
import socket
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from guanxi.core import events
from guanxi.core.audit import ObjectChange
from guanxi.core.registry import registry
from guanxi.core.testing import make_role, make_team, make_user
from guanxi.customers.services import company_create, company_delete, company_update
from guanxi.integrations import catalogue, delivery, services
from guanxi.integrations.models import Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from guanxi.integrations.signing import verify

pytestmark = pytest.mark.django_db

RECORD_EVENTS = ["company.created", "company.updated", "company.deleted"]


def subscribe(actor: Any, url: str, events_: list[str] | None = None, **options: Any) -> tuple[Webhook, str]:
    return services.webhook_create(actor=actor, url=url, events=events_ or RECORD_EVENTS, **options)


def at(moment: datetime.datetime) -> Any:
    """Patch "now" in the delivery engine."""
    return mock.patch("guanxi.integrations.delivery.timezone.now", return_value=moment)


def later(seconds: float) -> Any:
    return at(timezone.now() + datetime.timedelta(seconds=seconds))


# --- the catalogue of events -------------------------------------------------------------------------
def test_every_registered_type_offers_created_updated_deleted_and_declared_events_are_listed():
    names = catalogue.event_names()
    for object_type in registry.all():
        for action in ("created", "updated", "deleted"):
            assert f"{object_type.key}.{action}" in names
    events.declare("integrations_test.happened", "Something happened")
    try:
        listed = {c.name: c for c in catalogue.available_events()}
        assert listed["integrations_test.happened"].label == "Something happened"
    finally:
        events._domain_events.pop("integrations_test.happened", None)


# --- subscriptions and the SSRF guard on save ------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.0.0.5/erp",
        "http://192.168.1.20/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/",
        "http://metadata.google.internal/",
        "https://user:secret@hooks.example.com/",
        "ftp://files.example.com/",
        "file:///etc/passwd",
    ],
)
def test_internal_and_odd_addresses_are_refused_on_save(boss, url):
    with pytest.raises(ValidationError) as caught:
        subscribe(boss, url)
    assert "url" in caught.value.message_dict
    assert not Webhook.objects.exists()


def test_the_allow_list_opens_an_intranet_receiver_but_never_cloud_metadata(boss, settings):
    settings.GUANXI_WEBHOOK_ALLOW = "10.20.0.0/16, 169.254.0.0/16"
    webhook, secret = subscribe(boss, "http://10.20.3.4:8080/erp")
    assert webhook.pk and secret.startswith("whsec_")
    with pytest.raises(ValidationError):
        subscribe(boss, "http://10.21.0.1/")
    with pytest.raises(ValidationError):
        subscribe(boss, "http://169.254.169.254/")


def test_a_name_that_does_not_resolve_now_is_accepted_and_checked_again_at_delivery(boss):
    webhook, _ = subscribe(boss, "https://erp.invalid-guanxi-test.example/hook")
    assert webhook.pk
    assert delivery.check_destination(webhook.url)  # the warning the page shows


def test_unknown_events_types_and_teams_are_refused_field_by_field(boss):
    with pytest.raises(ValidationError) as caught:
        services.webhook_create(
            actor=boss,
            url="https://hooks.example.com/",
            events=["company.created", "nope.happened"],
            object_types=["spaceship"],
            teams=[999999],
        )
    assert set(caught.value.message_dict) == {"events", "object_types", "teams"}
    with pytest.raises(ValidationError) as caught:
        services.webhook_create(actor=boss, url="https://hooks.example.com/", events=[])
    assert "events" in caught.value.message_dict


def test_only_administrators_manage_webhooks_and_every_change_is_audited(boss, role_user):
    rep = role_user("sales_rep")
    with pytest.raises(PermissionDenied):
        subscribe(rep, "https://hooks.example.com/")
    webhook, _ = subscribe(boss, "https://hooks.example.com/")
    services.webhook_update(actor=boss, webhook=webhook, name="ERP", expected_version=1)
    services.webhook_rotate_secret(actor=boss, webhook=webhook)
    actions = list(
        ObjectChange.objects.filter(object_type="webhook").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update"]
    client = Client()
    client.force_login(rep)
    assert client.get("/settings/webhooks/").status_code == 403


def test_a_stale_edit_is_refused(boss):
    from guanxi.core.services import StaleVersionError

    webhook, _ = subscribe(boss, "https://hooks.example.com/")
    services.webhook_update(actor=boss, webhook=webhook, name="first")
    with pytest.raises(StaleVersionError):
        services.webhook_update(actor=boss, webhook=webhook, name="second", expected_version=1)
    assert Webhook.objects.get().name == "first"


# --- deliveries -----------------------------------------------------------------------------------
def test_a_committed_create_is_delivered_signed_as_json_with_the_serialised_record(
    boss, receiver, django_capture_on_commit_callbacks
):
    _webhook, secret = subscribe(boss, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        company = company_create(actor=boss, name="上海星辰科技有限公司", city="上海", tags=["重点"])
    [request] = receiver.requests
    headers = request.headers
    assert headers["content-type"] == "application/json"
    assert headers["x-guanxi-event"] == "company.created"
    assert verify(secret, headers["x-guanxi-timestamp"], request.body, headers["x-guanxi-signature"])
    assert not verify(
        "whsec_other", headers["x-guanxi-timestamp"], request.body, headers["x-guanxi-signature"]
    )
    payload = request.json()
    assert payload["event"] == "company.created"
    assert payload["actor"] == {"id": boss.pk, "username": "boss"}
    assert payload["object_type"] == "company" and payload["object_id"] == company.pk
    assert payload["object"]["name"] == "上海星辰科技有限公司"
    assert payload["object"]["tags"] == ["重点"]
    assert payload["object"]["version"] == 1
    assert datetime.datetime.fromisoformat(payload["time"]) <= timezone.now()
    sent = Delivery.objects.get()
    assert str(sent.delivery_id) == headers["x-guanxi-delivery"]
    assert sent.status == DeliveryStatus.DELIVERED and sent.attempts == 1
    [attempt] = DeliveryAttempt.objects.all()
    assert attempt.success and attempt.status_code == 204 and attempt.duration_ms >= 0


def test_an_update_carries_the_changed_fields_old_and_new_and_a_delete_the_last_state(
    boss, receiver, django_capture_on_commit_callbacks
):
    company = company_create(actor=boss, name="旧名字", city="杭州", external_ref=("erp", "C-1001"))
    subscribe(boss, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        company = company_update(actor=boss, instance=company, name="新名字")
    payload = receiver.requests[-1].json()
    assert payload["event"] == "company.updated"
    assert payload["changes"]["name"] == {"old": "旧名字", "new": "新名字"}
    assert "city" not in payload["changes"]
    assert payload["object"]["name"] == "新名字"
    with django_capture_on_commit_callbacks(execute=True):
        company_delete(actor=boss, instance=company)
    payload = receiver.requests[-1].json()
    assert payload["event"] == "company.deleted"
    assert payload["object"]["id"] == company.pk and payload["object"]["name"] == "新名字"
    assert payload["external_ids"] == {"erp": "C-1001"}


def test_nothing_is_sent_for_a_write_that_rolled_back(boss, receiver, django_capture_on_commit_callbacks):
    subscribe(boss, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                company_create(actor=boss, name="Doomed Ltd")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert receiver.requests == []
    assert not Delivery.objects.exists()


def test_unsubscribed_events_and_filtered_out_records_are_not_sent(
    boss, receiver, django_capture_on_commit_callbacks
):
    north, south = make_team("North"), make_team("South")
    north_rep = make_user(role=make_role(company="all"), team=north)
    south_rep = make_user(role=make_role(company="all"), team=south)
    subscribe(boss, receiver.url, ["company.created"], teams=[north.pk], object_types=["company"])
    with django_capture_on_commit_callbacks(execute=True):
        north_co = company_create(actor=north_rep, name="North Co")
        company_create(actor=south_rep, name="South Co")
        company_update(actor=north_rep, instance=north_co, city="哈尔滨")  # not subscribed
    names = [r.json()["object"]["name"] for r in receiver.requests]
    assert names == ["North Co"]
    assert Delivery.objects.count() == 1


def test_a_domain_event_is_delivered_with_its_data(boss, receiver, django_capture_on_commit_callbacks):
    events.declare("company.audited", "Company audited")
    try:
        company = company_create(actor=boss, name="Audit Me")
        subscribe(boss, receiver.url, ["company.audited"])
        with django_capture_on_commit_callbacks(execute=True):
            events.emit("company.audited", instance=company, actor=boss, data={"score": 9})
        payload = receiver.requests[-1].json()
        assert payload["event"] == "company.audited"
        assert payload["data"] == {"score": 9}
        assert payload["object"]["name"] == "Audit Me"
    finally:
        events._domain_events.pop("company.audited", None)


def test_failures_are_retried_with_growing_delays_under_the_same_delivery_id_then_fail(
    boss, receiver, settings, django_capture_on_commit_callbacks
):
    settings.GUANXI_WEBHOOK_RETRIES = 3
    settings.GUANXI_WEBHOOK_RETRY_HOURS = 24
    settings.GUANXI_WEBHOOK_PAUSE_AFTER = 5
    receiver.answer(500)
    webhook, secret = subscribe(boss, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        company_create(actor=boss, name="Retry Co")
    sent = Delivery.objects.get()
    assert sent.status == DeliveryStatus.RETRYING and sent.attempts == 1
    delays = []
    previous = timezone.now()
    for _ in range(3):
        sent.refresh_from_db()
        wait = (sent.next_attempt_at - previous).total_seconds()
        delays.append(wait)
        with at(sent.next_attempt_at - datetime.timedelta(seconds=10)):
            assert delivery.retry_due() == 0  # not due yet
        with at(sent.next_attempt_at + datetime.timedelta(seconds=1)):
            assert delivery.retry_due() == 1
        previous = sent.next_attempt_at
    assert delays[0] < delays[1] < delays[2]
    assert 0.8 * 24 * 3600 < sum(delays) < 1.2 * 24 * 3600  # spread over about a day
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.FAILED and sent.attempts == 4
    assert sent.last_status_code == 500 and "HTTP 500" in sent.last_error
    ids = {r.headers["x-guanxi-delivery"] for r in receiver.requests}
    assert ids == {str(sent.delivery_id)} and len(receiver.requests) == 4
    assert all(
        verify(secret, r.headers["x-guanxi-timestamp"], r.body, r.headers["x-guanxi-signature"])
        for r in receiver.requests
    )
    assert len({r.body for r in receiver.requests}) == 1  # the same bytes every time
    assert list(DeliveryAttempt.objects.order_by("number").values_list("number", "status_code")) == [
        (1, 500),
        (2, 500),
        (3, 500),
        (4, 500),
    ]
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 1 and not webhook.is_paused


def test_a_timeout_is_retried_and_a_later_success_delivers(
    boss, receiver, settings, django_capture_on_commit_callbacks
):
    settings.GUANXI_WEBHOOK_TIMEOUT = 0.5
    receiver.slow = True
    subscribe(boss, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        company_create(actor=boss, name="Slow Co")
    sent = Delivery.objects.get()
    assert sent.status == DeliveryStatus.RETRYING
    assert "within" in sent.last_error and sent.last_status_code is None
    receiver.slow = False
    receiver.answer(200)
    with later(3 * 24 * 3600):
        delivery.retry_due()
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.DELIVERED and sent.attempts == 2


def test_a_webhook_that_keeps_failing_is_paused_and_the_administrators_are_told(
    boss, receiver, settings, django_capture_on_commit_callbacks
):
    settings.GUANXI_WEBHOOK_RETRIES = 0
    settings.GUANXI_WEBHOOK_PAUSE_AFTER = 2
    receiver.answer(503)
    webhook, _ = subscribe(boss, receiver.url)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        company_create(actor=boss, name="One")
    webhook.refresh_from_db()
    assert not webhook.is_paused and webhook.consecutive_failures == 1
    with django_capture_on_commit_callbacks(execute=True):
        company_create(actor=boss, name="Two")
    webhook.refresh_from_db()
    assert webhook.is_paused and "503" in webhook.paused_reason
    assert [m.to for m in mail.outbox] == [["boss@example.com"]]
    assert webhook.name in mail.outbox[0].subject
    # Paused: new events are not queued at all.
    with django_capture_on_commit_callbacks(execute=True):
        company_create(actor=boss, name="Three")
    assert Delivery.objects.count() == 2 and len(receiver.requests) == 2
    # The notice shows on the webhooks page and on the administrators' home page.
    client = Client()
    client.force_login(boss)
    assert 'id="paused-notice"' in client.get("/settings/webhooks/").content.decode()
    assert 'id="webhook-paused-widget"' in client.get("/").content.decode()
    rep = make_user(role=make_role(company="all"))
    client.force_login(rep)
    assert 'id="webhook-paused-widget"' not in client.get("/").content.decode()
    # Resuming starts over.
    receiver.answer(200)
    services.webhook_resume(actor=boss, webhook=webhook)
    with django_capture_on_commit_callbacks(execute=True):
        company_create(actor=boss, name="Four")
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 1


def test_no_mail_without_a_configured_mailer(boss, receiver, settings, django_capture_on_commit_callbacks):
    settings.MAILERS = {}
    settings.GUANXI_WEBHOOK_RETRIES = 0
    settings.GUANXI_WEBHOOK_PAUSE_AFTER = 1
    receiver.answer(500)
    webhook, _ = subscribe(boss, receiver.url)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        company_create(actor=boss, name="Quiet")
    webhook.refresh_from_db()
    assert webhook.is_paused and mail.outbox == []


def test_an_address_that_turns_internal_is_refused_at_delivery_and_the_webhook_paused(
    boss, settings, django_capture_on_commit_callbacks
):
    """A public name at save time that later resolves to an internal address (DNS rebinding)."""
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
    internal = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))]
    with mock.patch("guanxi.integrations.delivery.resolve", return_value=public):
        webhook, _ = subscribe(boss, "https://hooks.rebind.example/")
        assert delivery.check_destination(webhook.url) is None  # resolved, and public
    with (
        mock.patch("guanxi.integrations.delivery.resolve", return_value=internal),
        mock.patch("guanxi.integrations.http._connect") as connect,
        django_capture_on_commit_callbacks(execute=True),
    ):
        company_create(actor=boss, name="Target")
    connect.assert_not_called()
    sent = Delivery.objects.get()
    assert sent.status == DeliveryStatus.FAILED and sent.attempts == 1
    assert "10.0.0.7" in sent.last_error
    webhook.refresh_from_db()
    assert webhook.is_paused and "refused" in webhook.paused_reason


def test_a_resend_sends_the_same_delivery_again_even_while_paused(
    boss, receiver, settings, django_capture_on_commit_callbacks
):
    settings.GUANXI_WEBHOOK_RETRIES = 0
    settings.GUANXI_WEBHOOK_PAUSE_AFTER = 1
    receiver.answer(500, 200)
    webhook, _ = subscribe(boss, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        company_create(actor=boss, name="Again")
    sent = Delivery.objects.get()
    webhook.refresh_from_db()
    assert sent.status == DeliveryStatus.FAILED and webhook.is_paused
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_resend(actor=boss, delivery=sent)
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.DELIVERED and sent.attempts == 2
    first, second = receiver.requests
    assert first.headers["x-guanxi-delivery"] == second.headers["x-guanxi-delivery"]
    assert first.body == second.body
    manual = DeliveryAttempt.objects.get(number=2)
    assert manual.manual and manual.actor == boss
    webhook.refresh_from_db()
    assert webhook.is_paused  # a resend tests the receiver; resuming is a decision of its own


def test_rotation_signs_with_both_secrets_for_a_while(boss, receiver, django_capture_on_commit_callbacks):
    webhook, old = subscribe(boss, receiver.url)
    webhook, new = services.webhook_rotate_secret(actor=boss, webhook=webhook)
    assert new != old
    with django_capture_on_commit_callbacks(execute=True):
        company_create(actor=boss, name="Rotated")
    request = receiver.requests[-1]
    args = (request.headers["x-guanxi-timestamp"], request.body, request.headers["x-guanxi-signature"])
    assert verify(new, *args) and verify(old, *args)
    Webhook.objects.filter(pk=webhook.pk).update(previous_secret_expires_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        company_create(actor=boss, name="Rotated again")
    request = receiver.requests[-1]
    args = (request.headers["x-guanxi-timestamp"], request.body, request.headers["x-guanxi-signature"])
    assert verify(new, *args) and not verify(old, *args)


def test_a_lost_claim_is_picked_up_again(boss, receiver, django_capture_on_commit_callbacks):
    receiver.answer(200)
    subscribe(boss, receiver.url)
    with (
        mock.patch("guanxi.integrations.delivery.enqueue", return_value=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        company_create(actor=boss, name="Queued")
    sent = Delivery.objects.get()
    assert sent.status == DeliveryStatus.PENDING and receiver.requests == []
    Delivery.objects.filter(pk=sent.pk).update(status=DeliveryStatus.SENDING, next_attempt_at=timezone.now())
    assert delivery.attempt(sent.pk) == "skipped"  # being sent by someone else
    assert delivery.retry_due() == 1
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.DELIVERED
    assert json.loads(receiver.requests[0].body)["object"]["name"] == "Queued"


def test_backoff_doubles_and_fills_the_window(settings):
    settings.GUANXI_WEBHOOK_RETRIES = 8
    settings.GUANXI_WEBHOOK_RETRY_HOURS = 24
    schedule = [d.total_seconds() for d in delivery.schedule()]
    assert len(schedule) == 8
    assert all(b == pytest.approx(2 * a) for a, b in itertools.pairwise(schedule))
    assert sum(schedule) == pytest.approx(24 * 3600, rel=0.01)
