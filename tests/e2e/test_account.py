"""A person's own settings: preferences (language, time zone), password, API tokens; the API docs."""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from playwright.sync_api import expect

from guanxi.customers.services import contact_create
from guanxi.users.models import ApiToken, User

from .support import App

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown_time(value: Any, zone: str) -> str:
    with translation.override("en"):
        return date_format(localtime(value, zoneinfo.ZoneInfo(zone)), "SHORT_DATETIME_FORMAT")


def test_changing_the_time_zone_changes_the_times_shown(admin_app: App, admin_user: Any) -> None:
    app, page = admin_app, admin_app.page
    contact = contact_create(actor=admin_user, owner=admin_user, full_name="吴十")
    app.go(f"/customers/contacts/{contact.pk}/")
    expect(app.detail_value("Created")).to_have_text(shown_time(contact.created_at, "Asia/Shanghai"))

    page.click("#user-menu")
    with page.expect_navigation():
        page.locator(".dropdown-menu.show a", has_text="Preferences").click()
    expect(app.title()).to_have_text("Preferences")
    form = page.locator("#preferences-form")
    form.locator("#id_time_zone").select_option("America/New_York")
    form.locator("#id_display_name").fill("老板")
    app.submit(form.get_by_role("button", name="Save"))
    expect(app.messages()).to_have_text("Preferences saved.")
    expect(form.locator("#id_time_zone")).to_have_value("America/New_York")
    expect(page.locator("#user-menu")).to_have_text("老板")

    app.go(f"/customers/contacts/{contact.pk}/")
    expect(app.detail_value("Created")).to_have_text(shown_time(contact.created_at, "America/New_York"))
    app.go("/customers/contacts/")
    expect(app.rows().first.locator("td").last).to_have_text(
        shown_time(contact.updated_at, "America/New_York")
    )
    user = User.objects.get(pk=admin_user.pk)
    assert (user.time_zone, user.display_name) == ("America/New_York", "老板")


def test_choosing_chinese_in_the_preferences(admin_app: App, admin_user: Any) -> None:
    app, page = admin_app, admin_app.page
    app.go("/me/")
    page.select_option("#id_language", "zh-hans")
    app.submit(page.locator("#preferences-form button[type=submit]"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#language-menu")).to_have_text("中文")
    expect(page.locator("#id_language")).to_have_value("zh-hans")
    app.shot("preferences-zh")
    page.select_option("#id_language", "en")
    app.submit(page.locator("#preferences-form button[type=submit]"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(app.title()).to_have_text("Preferences")


def test_changing_the_password(admin_app: App, admin_user: Any) -> None:
    app, page = admin_app, admin_app.page
    app.go("/me/")
    form = page.locator("#password-form")
    form.locator("#id_old_password").fill("wrong password")
    form.locator("#id_new_password").fill("a much longer secret 2026")
    app.submit(form.get_by_role("button", name="Change password"), status=400)
    expect(page.locator("#password-form [data-error-for=old_password]")).to_have_text(
        "The current password is not right."
    )

    form.locator("#id_old_password").fill("correct-horse-battery-staple")
    form.locator("#id_new_password").fill("a much longer secret 2026")
    app.submit(form.get_by_role("button", name="Change password"))
    expect(app.messages()).to_have_text("Your password was changed.")
    app.go("/")  # still signed in
    expect(page.locator("#user-menu")).to_be_visible()
    assert User.objects.get(pk=admin_user.pk).check_password("a much longer secret 2026")


def api_get(browser: Any, url: str, key: str) -> Any:
    """GET with only the token: a fresh browser context, so no session cookie helps."""
    context = browser.new_context()
    try:
        answer = context.request.get(url, headers={"Authorization": f"Token {key}"})
        return answer.status, (answer.json() if answer.ok else None)
    finally:
        context.close()


def test_create_a_token_see_the_key_once_use_it_and_revoke_it(
    admin_app: App, admin_user: Any, browser: Any
) -> None:
    app, page = admin_app, admin_app.page
    contact_create(actor=admin_user, owner=admin_user, full_name="郑十一")
    page.click("#user-menu")
    with page.expect_navigation():
        page.locator(".dropdown-menu.show a", has_text="API tokens").click()
    expect(app.title()).to_have_text("API tokens")
    expect(page.locator("table")).to_contain_text("No tokens yet.")

    page.fill("#id_name", "ERP sync")
    page.check("#id_read_only")
    app.submit("#create-token")
    key = page.locator("#new-token-key").inner_text().strip()
    assert len(key) >= 20
    expect(page.locator("#new-token")).to_contain_text("cannot be shown again")
    row = page.locator("table tbody tr", has_text="ERP sync")
    expect(row).to_contain_text("read-only")
    token = ApiToken.objects.get(user=admin_user, name="ERP sync")
    expect(row).to_contain_text(f"{token.prefix}…")
    assert key.startswith(token.prefix)
    app.shot("token-created")

    status, body = api_get(browser, app.url("/api/v1/contacts/"), key)
    assert status == 200
    assert [r["full_name"] for r in body["results"]] == ["郑十一"]

    # The key is not shown again.
    app.go("/me/tokens/")
    expect(page.locator("#new-token-key")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(key)

    with page.expect_navigation():
        row.get_by_role("button", name="Revoke").click()
    expect(app.messages()).to_have_text("The token was revoked.")
    expect(page.locator("table tbody tr", has_text="ERP sync")).to_contain_text("revoked")
    status, _body = api_get(browser, app.url("/api/v1/contacts/"), key)
    assert status == 401


def test_the_api_documentation_loads(admin_app: App) -> None:
    app, page = admin_app, admin_app.page
    page.click("#user-menu")
    with page.expect_response(lambda r: "/api/schema/" in r.url) as schema, page.expect_navigation():
        page.locator(".dropdown-menu.show a", has_text="API documentation").click()
    assert schema.value.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Guanxi API")
    expect(page.locator(".opblock").first).to_be_visible()

    # A deep link opens the contacts section (Swagger UI renders sections lazily as they scroll in).
    page.goto("about:blank")
    page.goto(app.url("/api/docs/#/contacts"))
    expect(page.locator("#operations-tag-contacts")).to_be_visible()
    operation = page.locator("#operations-contacts-contacts_list")
    expect(operation).to_be_visible()
    operation.locator(".opblock-summary").click()
    expect(operation).to_have_class(re.compile(r"\bis-open\b"))
    expect(operation.locator(".parameters-container")).to_contain_text("q")
    app.shot("api-docs")


def test_the_confirmation_speaks_the_language_just_chosen(admin_app: App) -> None:
    app, page = admin_app, admin_app.page
    app.go("/me/")
    page.select_option("#id_language", "zh-hans")
    app.submit(page.locator("#preferences-form button[type=submit]"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(app.messages()).not_to_have_text("Preferences saved.")
