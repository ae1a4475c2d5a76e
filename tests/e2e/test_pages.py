"""Every page of the customers slice renders for an administrator, with the demo data and through the
company forms."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from guanxi.core.testing import make_user
from guanxi.customers.models import Company, Contact
from guanxi.users.models import Role

from .support import App

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_app(app: App) -> App:
    """The demo company loaded, signed in as its administrator."""
    admin = make_user(
        "admin", role=Role.objects.get(code="administrator"), is_superuser=True, display_name="Administrator"
    )
    call_command("demo", stdout=io.StringIO())
    app.sign_in_as(admin)
    return app


def test_home_shows_a_card_per_record_type_with_its_count(demo_app: App) -> None:
    app, page = demo_app, demo_app.page
    expect(app.title()).to_have_text("Welcome, Administrator")
    expect(page.locator("[data-figure=company]")).to_have_text(f"{Company.objects.count():,}")
    expect(page.locator("[data-figure=contact]")).to_have_text(f"{Contact.objects.count():,}")
    with page.expect_navigation():
        page.locator(".card-link", has=page.locator("[data-figure=contact]")).click()
    expect(app.title()).to_have_text("Contacts")
    app.shot("home-demo")


def test_every_page_renders_with_the_demo_data(demo_app: App) -> None:
    app, page = demo_app, demo_app.page
    company = Company.objects.order_by("pk").first()
    contact = Contact.objects.filter(company__isnull=False).order_by("pk").first()
    assert company is not None and contact is not None
    pages = [
        ("/", None),
        ("/customers/companies/", "Companies"),
        (f"/customers/companies/{company.pk}/", company.name),
        (f"/customers/companies/{company.pk}/edit/", f"Edit {company.name}"),
        (f"/customers/companies/{company.pk}/delete/", f"Delete {company.name}"),
        ("/customers/companies/new/", "New company"),
        ("/customers/contacts/", "Contacts"),
        ("/customers/contacts/?q=zs&source=referral&sort=-updated_at", "Contacts"),
        (f"/customers/contacts/{contact.pk}/", contact.full_name),
        (f"/customers/contacts/{contact.pk}/edit/", f"Edit {contact.full_name}"),
        (f"/customers/contacts/{contact.pk}/delete/", f"Delete {contact.full_name}"),
        ("/customers/contacts/new/", "New contact"),
        (f"/customers/contacts/new/?company={company.pk}", "New contact"),
        ("/search/?q=zhang", "Search results for “zhang”"),
        ("/settings/", "Settings"),
        ("/settings/users/", "Users"),
        ("/settings/users/new/", "New user"),
        ("/settings/teams/", "Teams"),
        ("/settings/teams/new/", "New team"),
        ("/settings/roles/", "Roles and permissions"),
        ("/settings/roles/new/", "New role"),
        ("/settings/custom-fields/", "Custom fields"),
        ("/settings/custom-fields/new/", "New custom field"),
        ("/settings/audit/", "Audit log"),
        ("/settings/audit/?object_type=contact&action=create", "Audit log"),
        ("/me/", "Preferences"),
        ("/me/tokens/", "API tokens"),
    ]
    for path, title in pages:
        app.go(path)
        if title is not None:
            expect(app.title(), f"title of {path}").to_have_text(title)
        expect(page.locator("#user-menu")).to_be_visible()
    app.go(f"/customers/companies/{company.pk}/")
    expect(page.locator("#company-contacts .list-group-item")).to_have_count(company.contacts.count())

    # The demo's custom fields show on the contact's page and form.
    app.go(f"/customers/contacts/{contact.pk}/")
    expect(page.locator("[data-custom-field]").first).to_be_visible()


def test_next_page_of_the_demo_contacts(demo_app: App) -> None:
    app, page = demo_app, demo_app.page
    app.go("/customers/contacts/")
    expect(page.locator("#result-count")).to_have_text(f"{Contact.objects.count()} records")
    first = app.row_ids()
    with page.expect_response(lambda r: "cursor=" in r.url):
        page.click("#next-page")
    expect(page.locator("#previous-page")).to_be_visible()
    second = app.row_ids()
    assert len(second) == 50 and not set(first) & set(second)


def test_create_edit_and_delete_a_company(admin_app: App, admin_user: Any) -> None:
    app, page = admin_app, admin_app.page
    app.open_menu("Customers", "Companies")
    expect(app.title()).to_have_text("Companies")
    with page.expect_navigation():
        page.click("#create-button")
    expect(app.title()).to_have_text("New company")
    page.fill("#id_name", "北京启明精密机械有限公司")
    page.fill("#id_website", "https://www.qiming-machinery.cn/about")
    page.select_option("#id_industry", "manufacturing")
    page.select_option("#id_size", "51-200")
    page.fill("#id_phone", "010-6552 8888")
    page.fill("#id_city", "北京")
    page.fill("#id_tags", "制造业，华北")
    app.submit("#save-button")

    company = Company.objects.get()
    expect(page).to_have_url(app.url(f"/customers/companies/{company.pk}/"))
    expect(app.title()).to_have_text("北京启明精密机械有限公司")
    expect(app.detail_value("Industry")).to_have_text("Manufacturing")
    expect(app.detail_value("Size")).to_have_text("51–200")
    expect(app.detail_value("Domain")).to_have_text("qiming-machinery.cn")  # derived from the website
    website = app.detail_value("Website").locator("a")
    expect(website).to_have_attribute("href", "https://www.qiming-machinery.cn/about")
    expect(website).to_have_attribute("rel", "noopener noreferrer")
    expect(app.detail_value("Tags").locator(".badge")).to_have_text(["制造业", "华北"])
    expect(page.locator("#company-contacts")).to_contain_text("No contacts yet.")
    app.shot("company-detail")

    # A new contact from the company's page has the company chosen already.
    with page.expect_navigation():
        page.locator("#company-contacts").get_by_role("link", name="New contact").click()
    expect(page.locator("#id_company")).to_have_value(str(company.pk))
    page.fill("#id_full_name", "赵敏")
    app.submit("#save-button")
    app.go(f"/customers/companies/{company.pk}/")
    expect(page.locator("#company-contacts .list-group-item")).to_have_text(["赵敏"])

    with page.expect_navigation():
        page.click("#edit-button")
    page.fill("#id_name", "启明精密机械")
    page.select_option("#id_industry", "technology")
    app.submit("#save-button")
    expect(app.title()).to_have_text("启明精密机械")
    expect(app.detail_value("Industry")).to_have_text("Technology and software")
    name_row = page.locator("#history tr", has=page.locator("th", has_text="Name"))
    expect(name_row.first.locator("del")).to_have_text("北京启明精密机械有限公司")

    # The contact is found by the company's new name.
    app.go("/customers/contacts/?q=启明")
    expect(app.rows()).to_have_count(1)

    with page.expect_navigation():
        page.get_by_role("link", name="启明精密机械").first.click()
    with page.expect_navigation():
        page.click("#delete-button")
    expect(app.title()).to_have_text("Delete 启明精密机械")
    app.submit("#confirm-delete")
    expect(page).to_have_url(app.url("/customers/companies/"))
    expect(app.messages()).to_have_text("Deleted 启明精密机械.")
    assert not Company.objects.exists()
    assert Contact.objects.get().company_id is None  # the contact stays, without its company
