"""Signing in and out, and the lock-out after repeated failures (django-axes)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from guanxi.core.testing import make_user

from .support import App

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signing_in_lands_on_home(app: App, admin_user: Any) -> None:
    app.go("/login/")
    expect(app.page.locator("#id_username")).to_be_focused()
    app.page.fill("#id_username", "boss")
    app.page.fill("#id_password", "correct-horse-battery-staple")
    app.submit("#login-form button[type=submit]")

    expect(app.page).to_have_url(app.url("/"))
    expect(app.title()).to_have_text("Welcome, boss")
    expect(app.page.locator("#user-menu")).to_have_text("boss")
    expect(app.page.locator("#login-form")).to_have_count(0)


def test_a_page_asked_for_before_signing_in_opens_after_it(app: App, admin_user: Any) -> None:
    app.go("/customers/contacts/")
    expect(app.page).to_have_url(app.url_pattern(r"/login/\?next=/customers/contacts/"))
    app.sign_in("boss")
    expect(app.page).to_have_url(app.url("/customers/contacts/"))
    expect(app.title()).to_have_text("Contacts")


def test_a_wrong_password_shows_the_error_and_signs_nobody_in(app: App, admin_user: Any) -> None:
    app.go("/login/")
    app.page.fill("#id_username", "boss")
    app.page.fill("#id_password", "not-the-password")
    app.submit("#login-form button[type=submit]")

    expect(app.page.locator("#login-error")).to_be_visible()
    expect(app.page.locator("#login-error")).to_contain_text("correct username and password")
    expect(app.page.locator("#id_username")).to_have_value("boss")
    expect(app.page.locator("#id_password")).to_have_value("")
    expect(app.page.locator("#user-menu")).to_have_count(0)
    app.go("/")
    expect(app.page).to_have_url(app.url_pattern(r"/login/\?next=/"))


def test_signing_out_ends_the_session(admin_app: App) -> None:
    page = admin_app.page
    page.click("#user-menu")
    with page.expect_navigation():
        page.locator(".dropdown-menu.show button", has_text="Sign out").click()
    expect(page).to_have_url(admin_app.url("/login/"))
    admin_app.go("/customers/contacts/")
    expect(page).to_have_url(admin_app.url_pattern(r"/login/\?next=/customers/contacts/"))


def test_repeated_failures_lock_the_account_even_for_the_right_password(app: App, admin_user: Any) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for attempt in range(1, limit):
        app.sign_in("boss", password=f"wrong-{attempt}")
        expect(app.page.locator("#login-error")).to_be_visible()
        expect(app.page.locator("#locked-out")).to_have_count(0)

    response = app.sign_in("boss", password=f"wrong-{limit}")
    assert response.status in (403, 429)
    expect(app.page.locator("#locked-out")).to_be_visible()
    expect(app.page.locator("#locked-out")).to_contain_text("Too many failed sign-in attempts")
    app.shot("locked-out")

    # The right password is refused while the lock lasts.
    app.go("/login/")
    response = app.sign_in("boss")
    assert response.status in (403, 429)
    expect(app.page.locator("#locked-out")).to_be_visible()
    expect(app.page.locator("#user-menu")).to_have_count(0)
    app.go("/")
    expect(app.page).to_have_url(app.url_pattern(r"/login/\?next=/"))

    # The lock is per user name and address: a colleague at the same address still signs in.
    colleague = make_user("colleague")
    app.go("/login/")
    app.sign_in_as(colleague)
    expect(app.page).to_have_url(app.url("/"))
