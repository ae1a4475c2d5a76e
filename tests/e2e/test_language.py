"""Switching the interface between English and 简体中文."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from guanxi.users.models import User

from .support import App

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def chinese(text: str) -> str:
    """The Chinese catalogue's translation of an interface string; fails when it has none."""
    with translation.override("zh-hans"):
        translated = translation.gettext(text).strip()
    assert translated != text, f"“{text}” has no Chinese translation"
    return translated


def switch_language(app: App, code: str) -> None:
    page = app.page
    page.click("#language-menu")
    with page.expect_navigation():
        page.locator(f".dropdown-menu.show button[data-language='{code}']").click()


def test_switching_to_chinese_and_back(admin_app: App, admin_user: Any) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#language-menu")).to_have_text("EN")

    switch_language(app, "zh-hans")
    expect(page).to_have_url(app.url("/customers/contacts/"))  # back on the same page
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#language-menu")).to_have_text("中文")
    expect(app.title()).to_have_text(chinese("Contacts"))
    expect(page.locator(".gx-navbar .nav-link.dropdown-toggle").first).to_have_text(chinese("Customers"))
    expect(page.locator("#create-button")).not_to_have_text("New contact")
    expect(page.locator("#global-search")).not_to_have_attribute(
        "placeholder", "Search: name, phone, e-mail, pinyin…"
    )
    app.shot("contacts-zh")
    admin_user.refresh_from_db()
    assert admin_user.language == "zh-hans"  # remembered for the next sign-in

    app.go("/")
    expect(page.locator(".gx-navbar .nav-link.dropdown-toggle", has_text=chinese("Settings"))).to_be_visible()
    app.shot("home-zh")

    switch_language(app, "en")
    expect(page).to_have_url(app.url("/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#language-menu")).to_have_text("EN")
    expect(app.title()).to_have_text("Welcome, boss")
    admin_user.refresh_from_db()
    assert admin_user.language == "en"


def test_the_chosen_language_follows_the_user_to_a_new_browser(
    admin_app: App, admin_user: Any, browser: Any, live_server: Any
) -> None:
    switch_language(admin_app, "zh-hans")
    context = browser.new_context(locale="en-US")
    try:
        other = App(context.new_page(), live_server.url)
        other.sign_in_as(User.objects.get(pk=admin_user.pk))
        expect(other.page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(other.page.locator("#language-menu")).to_have_text("中文")
    finally:
        context.close()


def test_the_sign_in_page_switches_language_before_signing_in(app: App, admin_user: Any) -> None:
    page = app.page
    app.go("/login/")
    with page.expect_navigation():
        page.locator("form[action='/language/'] button[value='zh-hans']").click()
    expect(page).to_have_url(app.url("/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#login-form button[type=submit]")).to_have_text(chinese("Sign in"))
    app.sign_in_as(admin_user)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(app.title()).not_to_have_text("Welcome, boss")


def test_a_browser_asking_for_chinese_gets_chinese(browser: Any, live_server: Any, admin_user: Any) -> None:
    context = browser.new_context(locale="zh-CN")
    try:
        app = App(context.new_page(), live_server.url)
        app.go("/login/")
        expect(app.page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(app.page.locator("#login-form h2")).to_have_text(chinese("Sign in to your account"))
    finally:
        context.close()


CJK = re.compile(r"[\u3400-\u9fff]")

# Where this slice's own words are (labels, headers, buttons, choices), page by page. Record data is left
# out, and so are the panels other apps add to these pages.
INTERFACE_TEXT = {
    "/customers/contacts/": "#filter-form label, #filter-form select[name=source] option, "
    "#filter-form select[name=has_email] option, #object-table .card-header, .page-header .btn, "
    "#save-view-form button, .card-title",
    "/customers/contacts/new/": "#record-form label, #record-form .form-hint, #id_source option, "
    "#record-form .btn",
    "/customers/companies/{company}/": ".gx-fields dt, #company-contacts .card-title, .page-header .btn, "
    "#company-contacts .btn",
    "/settings/": ".card-title, .page-title",
    "/settings/users/": "thead th, .page-header .btn",
    "/settings/roles/{role}/": "#role-form label, #grant-matrix thead th, #grant-matrix option, "
    "#role-form .btn",
    "/settings/audit/": "thead th, select[name=action] option, .btn",
    "/me/": "label, .card-title, .btn",
    "/me/tokens/": "label, thead th, .card-title, .btn",
}


def test_the_customer_and_settings_pages_have_no_english_left_in_chinese(
    admin_app: App, admin_user: Any
) -> None:
    from guanxi.customers.services import company_create, contact_create
    from guanxi.users.models import Role

    company = company_create(actor=admin_user, owner=admin_user, name="华拓科技有限公司")
    contact_create(actor=admin_user, owner=admin_user, full_name="张三", company=company)
    role = Role.objects.get(code="sales_rep")
    switch_language(admin_app, "zh-hans")
    untranslated = {}
    for path, selector in INTERFACE_TEXT.items():
        admin_app.go(path.format(company=company.pk, role=role.pk))
        texts = admin_app.page.locator(selector).all_text_contents()
        english = sorted(
            {t.strip() for t in texts if t.strip() and re.search("[A-Za-z]{2}", t) and not CJK.search(t)}
        )
        if english:
            untranslated[path] = english
    assert not untranslated, f"English left on Chinese pages: {untranslated}"
