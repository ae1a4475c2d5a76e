"""Search: the header box (htmx) and the list page find 张三 by pinyin, initials and characters."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from guanxi.customers.services import company_create, contact_create

from .support import App

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(admin_user: Any) -> dict[str, Any]:
    company = company_create(actor=admin_user, owner=admin_user, name="华拓科技有限公司")
    return {
        name: contact_create(actor=admin_user, owner=admin_user, full_name=name, company=company)
        for name in ("张三", "周松", "李四", "王五")
    }


def header_search(app: App, text: str) -> Any:
    """Type into the header search box and wait for the results that answer exactly this text."""
    page = app.page
    with page.expect_response(
        lambda r: "/search/?q=" in r.url and r.request.headers.get("hx-request")
    ) as info:
        page.fill("#global-search", text)
    assert info.value.status == 200
    results = page.locator("#search-results")
    expect(results.locator(".dropdown-menu")).to_be_visible()
    return results


@pytest.mark.parametrize(
    "typed",
    [
        "zs",
        "zhangsan",
        "张三",
        "ZhangSan",
        "zhangs",
        "zhang san",
    ],
)
def test_the_header_search_finds_zhang_san(admin_app: App, people: dict[str, Any], typed: str) -> None:
    results = header_search(admin_app, typed)
    expect(results.get_by_role("option", name="张三")).to_be_visible()
    expect(results.get_by_role("option", name="李四")).to_have_count(0)
    expect(results.get_by_role("option", name="王五")).to_have_count(0)


def test_initials_find_every_name_they_abbreviate_and_a_result_opens_the_record(
    admin_app: App, people: dict[str, Any]
) -> None:
    app, page = admin_app, admin_app.page
    results = header_search(app, "zs")
    expect(results.get_by_role("option")).to_have_count(2)  # 张三 and 周松 (zhou song)
    expect(results.get_by_role("option", name="周松")).to_be_visible()
    app.shot("search-zs")

    results = header_search(app, "zhangsan")
    expect(results.get_by_role("option")).to_have_count(1)
    with page.expect_navigation():
        results.get_by_role("option", name="张三").click()
    expect(page).to_have_url(app.url(f"/customers/contacts/{people['张三'].pk}/"))
    expect(app.title()).to_have_text("张三")


def test_a_search_with_no_match_says_so_and_escape_closes_it(admin_app: App, people: dict[str, Any]) -> None:
    page = admin_app.page
    results = header_search(admin_app, "xyzzy")
    expect(results).to_contain_text("Nothing found for “xyzzy”.")
    page.keyboard.press("Escape")
    expect(results.locator(".dropdown-menu")).to_have_count(0)


def test_enter_opens_the_full_search_page(admin_app: App, people: dict[str, Any]) -> None:
    app, page = admin_app, admin_app.page
    page.fill("#global-search", "zs")
    with page.expect_navigation():
        page.press("#global-search", "Enter")
    expect(page).to_have_url(app.url("/search/?q=zs"))
    expect(app.title()).to_have_text("Search results for “zs”")
    app.shot("search-page")
    expect(page.locator(".page-body .list-group-item", has_text="张三")).to_be_visible()
    expect(page.locator(".page-body .list-group-item", has_text="李四")).to_have_count(0)


def test_the_search_page_titles_each_group_like_the_menu(admin_app: App, people: dict[str, Any]) -> None:
    admin_app.go("/search/?q=zs")
    expect(admin_app.page.locator(".page-body .card-title")).to_have_text(["Contacts"])


@pytest.mark.parametrize("typed", ["zs", "zhangsan", "张三"])
def test_the_contact_list_filters_by_q(admin_app: App, people: dict[str, Any], typed: str) -> None:
    app = admin_app
    app.go(f"/customers/contacts/?q={typed}")
    assert people["张三"].pk in app.row_ids()
    assert people["李四"].pk not in app.row_ids()
    expect(app.page.locator("#id_q")).to_have_value(typed)


def test_typing_in_the_list_search_box_filters_the_table(admin_app: App, people: dict[str, Any]) -> None:
    app, page = admin_app, admin_app.page
    app.go("/customers/contacts/")
    expect(app.rows()).to_have_count(4)
    page.fill("#id_q", "zhangsan")
    with page.expect_response(lambda r: "q=zhangsan" in r.url):
        page.press("#id_q", "Enter")
    expect(app.rows()).to_have_count(1)
    expect(app.rows().first).to_contain_text("张三")
    expect(page.locator("#result-count")).to_have_text("1 record")
    expect(page).to_have_url(app.url_pattern(r"/customers/contacts/\?.*q=zhangsan.*"))
