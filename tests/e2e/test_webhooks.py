"""Settings → Webhooks in the browser: the list, creating one with the event picker and filters, the secret
shown once and rotated, the SSRF refusal, the delivery log with resend, the paused notice; and the scopes
on /me/tokens/."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.customers.services import company_create
from guanxi.integrations import services
from guanxi.integrations.models import Delivery, DeliveryStatus, Webhook

from .support import App

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Hook:
    def __init__(self) -> None:
        self.statuses: list[int] = [200]
        self.bodies: list[bytes] = []
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
def hook(settings: Any) -> Iterator[Hook]:
    settings.GUANXI_WEBHOOK_ALLOW = "127.0.0.1"
    state = Hook()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            state.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            status = state.statuses[min(len(state.bodies), len(state.statuses)) - 1]
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def test_an_administrator_creates_a_webhook_and_sees_its_secret_once(admin_app: App, hook: Hook) -> None:
    page = admin_app.page
    admin_app.go("/")
    admin_app.open_menu("Settings", "Webhooks")
    expect(admin_app.title()).to_have_text("Webhooks")
    expect(page.locator("#webhook-table")).to_contain_text("No webhooks yet.")
    with page.expect_navigation():
        page.click("#new-webhook")
    page.fill("#id_name", "ERP orders")
    page.fill("#id_url", hook.url)
    expect(page.locator('[data-event-group="Companies"]')).to_be_visible()
    page.check("#event-company\\.created")
    page.check("#event-company\\.updated")
    page.locator("#id_object_types").get_by_label("Companies").check()
    admin_app.submit("#save-webhook")

    secret = page.locator("#webhook-secret").inner_text().strip()
    assert secret.startswith("whsec_")
    webhook = Webhook.objects.get()
    assert webhook.secret == secret and webhook.events == ["company.created", "company.updated"]
    assert webhook.object_types == ["company"]
    with page.expect_navigation():
        page.click("#continue")
    expect(admin_app.title()).to_have_text("ERP orders")
    expect(page.locator("#event-company\\.created")).to_be_checked()
    expect(page.locator("body")).not_to_contain_text(secret)  # shown once only

    # A new secret: shown once, different, the old one kept for the receivers' switch-over.
    with page.expect_navigation():
        page.click("#rotate-secret")
    rotated = page.locator("#webhook-secret").inner_text().strip()
    assert rotated.startswith("whsec_") and rotated != secret
    webhook.refresh_from_db()
    assert webhook.secret == rotated and webhook.previous_secret == secret

    admin_app.go("/settings/webhooks/")
    row = page.locator(f'#webhook-table tr[data-id="{webhook.pk}"]')
    expect(row).to_contain_text("ERP orders")
    expect(row.locator("[data-status=active]")).to_be_visible()


def test_an_internal_address_is_refused_with_the_reason(admin_app: App) -> None:
    page = admin_app.page
    admin_app.go("/settings/webhooks/new/")
    page.fill("#id_url", "http://169.254.169.254/latest/meta-data/")
    page.check("#event-contact\\.created")
    admin_app.submit("#save-webhook", status=400)
    expect(page.locator("[data-error-for=url]")).to_contain_text("not allowed")
    expect(page.locator("#id_url")).to_have_value("http://169.254.169.254/latest/meta-data/")
    assert not Webhook.objects.exists()
    page.fill("#id_url", "https://erp.example.com/guanxi")
    page.uncheck("#event-contact\\.created")
    admin_app.submit("#save-webhook", status=400)
    expect(page.locator("[data-error-for=events]")).to_contain_text("Choose at least one event")


def test_the_delivery_log_shows_every_attempt_and_resends(
    admin_app: App, admin_user: Any, hook: Hook
) -> None:
    hook.statuses = [500, 200]
    webhook, _ = services.webhook_create(
        actor=admin_user, name="ERP", url=hook.url, events=["company.created"]
    )
    company_create(actor=admin_user, name="上海星辰科技有限公司")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    page = admin_app.page
    admin_app.go(f"/settings/webhooks/{webhook.pk}/")
    with page.expect_navigation():
        page.click("#delivery-log-link")
    row = page.locator(f'#delivery-table tr[data-id="{delivery.pk}"]')
    expect(row).to_have_attribute("data-status", "retrying")
    row.locator("summary").click()
    expect(row.locator(".attempt-table")).to_contain_text("500")
    with page.expect_navigation():
        row.get_by_role("button", name="Resend").click()
    expect(admin_app.messages()).to_contain_text("queued to be sent again")
    expect(page.locator(f'#delivery-table tr[data-id="{delivery.pk}"]')).to_have_attribute(
        "data-status", "delivered"
    )
    with page.expect_navigation():
        page.locator(f'#delivery-table tr[data-id="{delivery.pk}"] a').first.click()
    expect(page.locator("#delivery-status")).to_have_text("delivered")
    expect(page.locator('#attempt-table tr[data-number="1"]')).to_contain_text("500")
    expect(page.locator('#attempt-table tr[data-number="2"]')).to_contain_text("200")
    expect(page.locator("#attempt-table")).to_contain_text("resent")
    expect(page.locator("#delivery-body")).to_contain_text('"event": "company.created"')
    expect(page.locator("#delivery-body")).to_contain_text("上海星辰科技有限公司")
    assert len(hook.bodies) == 2 and hook.bodies[0] == hook.bodies[1]


def test_a_paused_webhook_is_announced_and_can_be_resumed(admin_app: App, admin_user: Any) -> None:
    webhook, _ = services.webhook_create(
        actor=admin_user, name="Marketing", url="https://mkt.example.com/hook", events=["lead.created"]
    )
    services.pause_for_failures(
        webhook_pk=webhook.pk, reason="3 deliveries in a row failed: HTTP 503", now=timezone.now()
    )
    page = admin_app.page
    admin_app.go("/")
    expect(page.locator("#webhook-paused-widget")).to_contain_text("Marketing")
    with page.expect_navigation():
        page.locator("#webhook-paused-widget a", has_text="Marketing").click()
    expect(page.locator("#paused-notice")).to_contain_text("HTTP 503")
    with page.expect_navigation():
        page.click("#resume-webhook")
    expect(admin_app.messages()).to_contain_text("Resumed")
    expect(page.locator("#paused-notice")).to_have_count(0)
    admin_app.go("/")
    expect(page.locator("#webhook-paused-widget")).to_have_count(0)
    webhook.refresh_from_db()
    assert not webhook.is_paused


def test_the_webhooks_pages_speak_chinese(admin_app: App, admin_user: Any) -> None:
    webhook, _ = services.webhook_create(
        actor=admin_user, name="ERP", url="https://erp.example.com/h", events=["company.created"]
    )
    admin_app.page.context.add_cookies(
        [{"name": "guanxi_language", "value": "zh-hans", "url": admin_app.base_url}]
    )
    for path in (
        "/settings/webhooks/",
        f"/settings/webhooks/{webhook.pk}/",
        f"/settings/webhooks/{webhook.pk}/deliveries/",
    ):
        admin_app.go(path)
        text = admin_app.page.locator("body").inner_text()
        assert re.search(r"[\u4e00-\u9fff]", admin_app.title().inner_text() + text), path
        for english in ("Delivery log", "How deliveries work", "New webhook", "Signing secret"):
            assert english not in text, f"{english!r} untranslated on {path}"


def test_a_token_gets_scopes_on_the_tokens_page(admin_app: App) -> None:
    page = admin_app.page
    admin_app.go("/me/tokens/")
    page.fill("#id_name", "ERP sync")
    page.check('input[name=scopes][value="customers:write"]')
    page.check('input[name=scopes][value="sales:read"]')
    admin_app.submit("#create-token")
    key = page.locator("#new-token-key").inner_text().strip()
    assert key.startswith("gx_")
    expect(page.locator('[data-scope="customers:write"]')).to_be_visible()
    expect(page.locator('[data-scope="sales:read"]')).to_be_visible()
