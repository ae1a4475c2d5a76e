"""Browser tests of the cost pages: building and comparing two scenarios, and the payback page. Every page
is watched for JavaScript exceptions (the conftest's `page`), console errors (a CSP violation shows there)
and sub-resources that fail to load; charts must actually be drawn by Chart.js."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from guanxi.core.testing.factories import PASSWORD
from guanxi.costs import services

from .support import seed_deal

pytestmark = pytest.mark.browser

# Chromium logs this for a page that answered 4xx on purpose (a form sent back with its errors); the
# tests assert those statuses themselves. Sub-resources that fail are caught by on_response.
EXPECTED_CONSOLE = "Failed to load resource: the server responded with a status of 4"


@pytest.fixture
def watched(page: Page) -> Iterator[Page]:
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and not message.text.startswith(EXPECTED_CONSOLE):
            problems.append(f"console error on {page.url}: {message.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    yield page
    assert not problems, "the browser saw errors:\n" + "\n".join(problems)


def sign_in(page: Page, base: str, user: Any) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")
    expect(page.locator("#user-menu")).to_have_text(user.name)


def drawn_charts(page: Page) -> list[str]:
    """Ids of the chart sources whose canvas Chart.js has drawn."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas[data-chart-source]'))
                 .filter(c => c.dataset.rendered === '1' && window.Chart.getChart(c))
                 .map(c => c.dataset.chartSource)"""
    )


def test_build_two_scenarios_and_compare_them(watched: Page, live_server: Any, role_user: Any) -> None:
    page, base = watched, live_server.url
    finance = role_user("finance")
    sign_in(page, base, finance)

    # One from a template …
    page.goto(f"{base}/costs/scenarios/templates/")
    with page.expect_navigation():
        page.click("[data-use-template='guanxi-self-hosted']")
    expect(page.locator("h2.page-title")).to_have_text("Guanxi self-hosted, 50 seats")
    expect(page.locator("[data-figure=tco]")).to_have_text("845,027")
    page.wait_for_function("document.querySelectorAll('canvas[data-rendered]').length === 3")
    assert sorted(drawn_charts(page)) == ["chart-categories", "chart-cumulative", "chart-tornado"]
    template_url = page.url

    # … and one built line by line in the form.
    page.goto(f"{base}/costs/scenarios/new/")
    page.fill("#id_name", "Spreadsheets and e-mail")
    page.fill("#id_years", "3")
    page.fill("#id_discount_rate", "8")
    page.select_option("#id_costs-0-category", "maintenance")
    page.fill("#id_costs-0-name", "File server")
    page.select_option("#id_costs-0-form", "monthly")
    page.fill("#id_costs-0-values", "1200")
    page.click("#add-costs-line")
    page.select_option("#id_costs-1-category", "internal")
    page.fill("#id_costs-1-name", "Keeping the sheets up to date")
    page.select_option("#id_costs-1-form", "hours")
    page.fill("#id_costs-1-values", "300; 200")
    page.fill("#id_costs-1-rate", "150")
    page.fill("#id_benefits-0-name", "Nothing changes")
    page.fill("#id_benefits-0-values", "0")
    with page.expect_navigation():
        page.click("#save-button")
    # The engine's problem is shown on the row it is about, and nothing was saved.
    expect(page.locator("[data-line-errors]")).to_contain_text("expected 3 values (one per year), got 2")
    page.fill("#id_costs-1-values", "300; 200; 200")
    with page.expect_navigation():
        page.click("#save-button")
    expect(page.locator("h2.page-title")).to_have_text("Spreadsheets and e-mail")
    expect(page.locator("[data-figure=tco]")).to_have_text("148,200")  # 1,200 × 36 + 700 h × 150
    page.wait_for_function("document.querySelectorAll('canvas[data-rendered]').length === 3")
    built_url = page.url

    # Compare them side by side.
    page.goto(f"{base}/costs/scenarios/compare/")
    page.check("label:has-text('Guanxi self-hosted, 50 seats') input")
    page.check("label:has-text('Spreadsheets and e-mail') input")
    with page.expect_navigation():
        page.click("#compare-button")
    headers = page.locator("#comparison-table thead th a")
    expect(headers).to_have_count(2)
    figures = page.locator("#comparison-table [data-figure=tco]")
    expect(figures).to_have_text(["845,027", "148,200"])
    page.wait_for_function("document.querySelectorAll('canvas[data-rendered]').length === 2")
    assert sorted(drawn_charts(page)) == ["chart-compare-categories", "chart-compare-cumulative"]
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename == "scenario-comparison.xlsx"
    for url in (template_url, built_url):
        assert re.search(r"/costs/scenarios/\d+/$", url)


def test_the_payback_page_draws_actual_against_plan(
    watched: Page, live_server: Any, role_user: Any, admin_user: Any
) -> None:
    page, base = watched, live_server.url
    finance = role_user("finance")
    rep = role_user("sales_rep")
    today = datetime.date.today()
    go_live = (today.replace(day=1) - datetime.timedelta(days=100)).replace(day=1)
    for days in (40, 70, 100):
        seed_deal(admin_user, owner=rep, amount="50000", closed=go_live - datetime.timedelta(days=days))
    for days in (10, 40, 70):
        seed_deal(admin_user, owner=rep, amount="90000", closed=go_live + datetime.timedelta(days=days))
    plan = services.scenario_create_from_template(actor=finance, template="guanxi-self-hosted")
    services.scenario_create_from_template(actor=finance, template="zoho-crm")
    services.payback_settings_save(
        actor=finance, go_live=go_live, baseline_months=4, attribution=Decimal("0.5"), plan=plan
    )
    services.expense_create(
        actor=finance,
        date=go_live - datetime.timedelta(days=20),
        category="implementation",
        description="Set-up",
        amount="40000",
        currency="CNY",
    )
    services.time_entry_create(
        actor=finance, person=finance, date=go_live, hours="40", hourly_cost="150", purpose="training"
    )
    services.time_saving_create(
        actor=finance,
        person=rep,
        date=go_live + datetime.timedelta(days=35),
        description="Reports",
        hours="10",
        hourly_cost="120",
    )

    sign_in(page, base, finance)
    page.click(".gx-navbar .nav-link.dropdown-toggle:has-text('Costs')")
    with page.expect_navigation():
        page.click(".gx-navbar .dropdown-menu.show .dropdown-item:has-text('Is our CRM paying back?')")
    expect(page.locator("h2.page-title")).to_have_text("Is our CRM paying back?")
    expect(page.locator("[data-figure=costs]")).to_have_text("46,000")
    expect(page.locator("#attribution-note")).to_contain_text("Attributed to the CRM: 50%")
    expect(page.locator("#before-after [data-metric=revenue_per_month] td").first).to_have_text("37,500")
    page.wait_for_function("document.querySelectorAll('canvas[data-rendered]').length === 1")
    assert drawn_charts(page) == ["chart-payback"]
    datasets = page.evaluate(
        "() => window.Chart.getChart(document.querySelector('canvas')).data.datasets.map(d => d.label)"
    )
    assert datasets[:2] == ["Actual cumulative net", "Plan cumulative net: Guanxi self-hosted, 50 seats"]

    # Another scenario as the plan: the select reloads the page.
    with page.expect_navigation():
        page.select_option("#plan-select", label="Zoho CRM Professional, 50 seats")
    page.wait_for_function("document.querySelectorAll('canvas[data-rendered]').length === 1")
    datasets = page.evaluate(
        "() => window.Chart.getChart(document.querySelector('canvas')).data.datasets.map(d => d.label)"
    )
    assert datasets[1] == "Plan cumulative net: Zoho CRM Professional, 50 seats"
