"""The generic list page, as an administrator uses it on contacts: filters, sorting, the column picker,
saved views and paging."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from guanxi.core.models import SavedView
from guanxi.customers.models import Contact
from guanxi.customers.services import company_create, contact_create

from .support import App

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_SIZE = 50


@pytest.fixture
def contacts(admin_user: Any) -> list[Any]:
    """60 contacts: Person 01 … Person 60; the odd ones in 上海 from a referral, the even ones in 北京."""
    company = company_create(actor=admin_user, owner=admin_user, name="华拓科技有限公司")
    made = []
    for n in range(1, 61):
        made.append(
            contact_create(
                actor=admin_user,
                owner=admin_user,
                full_name=f"Person {n:02d}",
                email=f"p{61 - n:02d}@example.com",  # e-mail order is the reverse of name order
                city="上海" if n % 2 else "北京",
                source="referral" if n % 2 else "event",
                company=company,
            )
        )
    return made


def wait_for_table(app: App) -> Any:
    """A context manager that waits for the htmx request that redraws the table."""
    return app.page.expect_response(lambda r: r.request.headers.get("hx-target") == "object-table")


def test_the_list_shows_the_first_page_and_pages_forward_and_back(
    admin_app: App, contacts: list[Any]
) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/")
    expect(page.locator("#result-count")).to_have_text("60 records")
    expect(app.rows()).to_have_count(PAGE_SIZE)
    first_page = app.row_ids()
    assert first_page == [c.pk for c in contacts[:PAGE_SIZE]]
    expect(page.locator("#previous-page")).to_have_count(0)

    with wait_for_table(app):
        page.click("#next-page")
    expect(app.rows()).to_have_count(10)
    assert app.row_ids() == [c.pk for c in contacts[PAGE_SIZE:]]
    expect(page.locator("#next-page")).to_have_count(0)
    expect(page).to_have_url(app.url_pattern(r"/customers/contacts/\?.*cursor=.*"))
    app.shot("list-page-2")

    with wait_for_table(app):
        page.click("#previous-page")
    expect(app.rows()).to_have_count(PAGE_SIZE)
    assert app.row_ids() == first_page


def test_sorting_by_a_column_and_reversing_it(admin_app: App, contacts: list[Any]) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/")
    header = page.locator("#object-list thead a.gx-sort", has_text="E-mail")
    with wait_for_table(app):
        header.click()
    expect(page).to_have_url(app.url_pattern(r"/customers/contacts/\?(.*&)?sort=email(&.*)?"))
    expect(page.locator("#object-list thead a.gx-sort.asc")).to_have_text("E-mail")
    expect(app.rows().first).to_contain_text("p01@example.com")
    expect(app.rows().first).to_contain_text("Person 60")

    with wait_for_table(app):
        page.locator("#object-list thead a.gx-sort", has_text="E-mail").click()
    expect(page.locator("#object-list thead a.gx-sort.desc")).to_have_text("E-mail")
    expect(app.rows().first).to_contain_text("p60@example.com")

    # The sort survives paging.
    with wait_for_table(app):
        page.click("#next-page")
    expect(app.rows().first).to_contain_text("p10@example.com")


def test_filtering_redraws_the_table_and_keeps_the_url(admin_app: App, contacts: list[Any]) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/")
    page.fill("#filter-form input[name=city]", "上海")
    with wait_for_table(app):
        page.press("#filter-form input[name=city]", "Enter")
    expect(page.locator("#result-count")).to_have_text("30 records")
    assert set(app.row_ids()) == {c.pk for c in contacts if c.city == "上海"}
    expect(page).to_have_url(app.url_pattern(r"/customers/contacts/\?.*city=%E4%B8%8A%E6%B5%B7.*"))

    # A second filter narrows further; ticking a choice filters at once.
    with wait_for_table(app):
        page.check("#filter-form input[name=source][value=event]")
    expect(page.locator("#result-count")).to_have_text("0 records")
    expect(page.locator("#object-list tbody")).to_contain_text("No records match.")

    # Reloading the pushed URL shows the same result.
    page.reload()
    expect(page.locator("#result-count")).to_have_text("0 records")
    expect(page.locator("#filter-form input[name=city]")).to_have_value("上海")

    with page.expect_navigation():
        page.locator("#filter-form a", has_text="Clear").click()
    expect(page.locator("#result-count")).to_have_text("60 records")


def test_changing_a_filter_replaces_its_previous_value(admin_app: App, contacts: list[Any]) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/")
    with wait_for_table(app):
        page.check("#filter-form input[name=source][value=event]")
    expect(page.locator("#result-count")).to_have_text("30 records")
    with wait_for_table(app):
        page.uncheck("#filter-form input[name=source][value=event]")
    expect(page.locator("#result-count")).to_have_text("60 records")
    with wait_for_table(app):
        page.check("#filter-form input[name=source][value=referral]")
    expect(page.locator("#result-count")).to_have_text("30 records")
    assert set(app.row_ids()) == {c.pk for c in contacts if c.source == "referral"}
    assert page.url.count("source=") == 1, page.url


def test_an_invalid_filter_says_so(admin_app: App, contacts: list[Any]) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/?created_after=not-a-date")
    expect(page.locator("#object-table .alert-danger")).to_contain_text("Some filters are not valid")
    expect(app.rows()).to_have_count(0)


def test_the_column_picker_chooses_the_columns(admin_app: App, contacts: list[Any]) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/")
    assert app.column_headers() == ["Name", "Company", "E-mail", "Mobile", "Owner", "Updated"]
    page.click("#column-picker-button")
    picker = page.locator("#column-picker")
    expect(picker).to_be_visible()
    picker.get_by_label("City").check()
    picker.get_by_label("Mobile").uncheck()
    picker.get_by_label("Owner").uncheck()
    with page.expect_navigation():
        picker.get_by_role("button", name="Show").click()
    assert app.column_headers() == ["Name", "Company", "E-mail", "City", "Updated"]
    expect(app.rows().first.locator("td").nth(3)).to_have_text("上海")
    app.shot("list-columns")

    # The chosen columns stay while paging and sorting.
    with wait_for_table(app):
        page.click("#next-page")
    assert app.column_headers()[3] == "City"
    with wait_for_table(app):
        page.locator("#object-list thead a.gx-sort", has_text="City").click()
    assert app.column_headers() == ["Name", "Company", "E-mail", "City", "Updated"]


def test_saving_a_view_and_reopening_it(admin_app: App, admin_user: Any, contacts: list[Any]) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/?city=%E5%8C%97%E4%BA%AC&sort=-email")
    expect(page.locator("#result-count")).to_have_text("30 records")
    form = page.locator("#save-view-form")
    form.locator("input[name=name]").fill("北京的联系人")
    app.submit(form.get_by_role("button", name="Save"))
    expect(app.messages()).to_have_text("Saved the view “北京的联系人”.")
    view = SavedView.objects.get(user=admin_user, name="北京的联系人")
    expect(page).to_have_url(app.url(f"/customers/contacts/?view={view.pk}"))

    app.go("/customers/contacts/")
    expect(page.locator("#result-count")).to_have_text("60 records")
    with page.expect_navigation():
        page.get_by_role("link", name="北京的联系人").click()
    expect(page.locator("#result-count")).to_have_text("30 records")
    expect(page.locator("#filter-form input[name=city]")).to_have_value("北京")
    expect(page.locator("#object-list thead a.gx-sort.desc")).to_have_text("E-mail")
    expect(app.rows().first).to_contain_text("Person 02")  # p59, the highest e-mail in 北京
    app.shot("list-saved-view")

    # Deleting it.
    with page.expect_navigation():
        page.locator(".list-group-item", has_text="北京的联系人").get_by_role("button").click()
    expect(page.get_by_role("link", name="北京的联系人")).to_have_count(0)
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_default_view_opens_by_itself(admin_app: App, contacts: list[Any]) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/?city=%E4%B8%8A%E6%B5%B7")
    form = page.locator("#save-view-form")
    form.locator("input[name=name]").fill("上海")
    form.get_by_label("Open by default").check()
    app.submit(form.get_by_role("button", name="Save"))
    app.go("/customers/contacts/")
    expect(page.locator("#result-count")).to_have_text("30 records")
    expect(page.locator(".list-group-item.active", has_text="上海")).to_be_visible()


def test_a_view_saved_right_after_filtering_keeps_the_filter(
    admin_app: App, admin_user: Any, contacts: list[Any]
) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/")
    page.fill("#filter-form input[name=city]", "北京")
    with wait_for_table(app):
        page.press("#filter-form input[name=city]", "Enter")
    expect(page.locator("#result-count")).to_have_text("30 records")
    form = page.locator("#save-view-form")
    form.locator("input[name=name]").fill("北京")
    app.submit(form.get_by_role("button", name="Save"))
    expect(page.locator("#result-count")).to_have_text("30 records")
    assert "city=" in SavedView.objects.get(user=admin_user, name="北京").query


def test_filtering_after_sorting_keeps_the_sort(admin_app: App, contacts: list[Any]) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/")
    with wait_for_table(app):
        page.locator("#object-list thead a.gx-sort", has_text="E-mail").click()
    page.fill("#filter-form input[name=city]", "北京")
    with wait_for_table(app):
        page.press("#filter-form input[name=city]", "Enter")
    expect(page.locator("#result-count")).to_have_text("30 records")
    expect(page.locator("#object-list thead a.gx-sort.asc")).to_have_text("E-mail")


def test_the_company_filter_of_the_contact_list(admin_app: App, admin_user: Any, contacts: list[Any]) -> None:
    app, page = admin_app, admin_app.page
    other = company_create(actor=admin_user, owner=admin_user, name="远航物流有限公司")
    contact_create(actor=admin_user, owner=admin_user, full_name="Someone Else", company=other)
    app.go(f"/customers/companies/{other.pk}/")
    with page.expect_navigation():
        page.locator("#company-contacts").get_by_role("link", name="Open as list").click()
    expect(page.locator("#result-count")).to_have_text("1 record")
    expect(app.rows().first).to_contain_text("Someone Else")
    assert Contact.objects.count() == 61
