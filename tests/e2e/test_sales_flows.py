"""Browser tests of the sales slice: converting a lead, dragging deals on the board (and a stale drag being
put back), logging a call from a timeline, and the dashboard drawing its charts."""

from decimal import Decimal

import pytest

from guanxi.activities.models import Activity
from guanxi.core.testing import make_user
from guanxi.core.testing.factories import PASSWORD
from guanxi.customers.models import Company, Contact
from guanxi.customers.services import contact_create
from guanxi.sales.models import Deal, Lead, Pipeline
from guanxi.sales.services import deal_create, deal_update, lead_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def boss(db):
    from guanxi.users.models import Role

    return make_user("boss", role=Role.objects.get(code="administrator"), display_name="Boss")


def login(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def expect_refused(page, status):
    """The board's fetch answered `status` on purpose: take it off the list of browser errors (kept by the
    e2e conftest's page fixture)."""
    problems = getattr(page, "problems", None)
    if problems is None:
        return
    expected = [p for p in problems if p.startswith(f"{status} for fetch POST") and "/move/" in p]
    assert expected, page.problems
    problems[:] = [p for p in problems if p not in expected]


def test_converting_a_lead_into_contact_company_and_deal(page, live_server, boss):
    lead = lead_create(
        actor=boss, full_name="周明", company_name="杭州云帆物流有限公司", email="zhou@yunfan.cn"
    )
    login(page, live_server, boss)
    page.goto(f"{live_server.url}/sales/leads/{lead.pk}/")
    page.click("#convert-button")
    page.fill("#id_deal_name", "云帆 WMS")
    page.fill("#id_amount", "88000")
    page.click("#confirm-convert")
    page.wait_for_selector("text=云帆 WMS")
    deal = Deal.objects.get(name="云帆 WMS")
    assert page.url.endswith(f"/sales/deals/{deal.pk}/")
    assert deal.amount == Decimal("88000.00") and deal.company.name == "杭州云帆物流有限公司"
    assert Contact.objects.get().email == "zhou@yunfan.cn" and Company.objects.count() == 1
    assert page.locator("#history [data-entry=event]").count() == 1
    page.goto(f"{live_server.url}/sales/leads/{lead.pk}/")
    assert page.locator("#conversion").is_visible()
    assert page.locator("#convert-button").count() == 0
    assert Lead.objects.get().converted_deal == deal


def test_dragging_deals_between_stages_and_a_stale_drag_is_put_back(page, live_server, boss):
    pipeline = Pipeline.objects.get(is_default=True)
    first, second, third = list(pipeline.stages.filter(kind="open"))[:3]
    fresh = deal_create(actor=boss, name="Fresh deal", amount=Decimal("1000"), stage=first)
    stale = deal_create(actor=boss, name="Stale deal", amount=Decimal("2000"), stage=first)
    login(page, live_server, boss)
    page.goto(f"{live_server.url}/sales/board/")
    target = page.locator(f".gx-board-cards[data-stage='{second.pk}']")
    page.locator(f".gx-deal-card[data-id='{fresh.pk}']").drag_to(target)
    page.wait_for_selector("#board-message.alert-success")
    assert Deal.objects.get(pk=fresh.pk).stage == second
    assert target.locator(f"[data-id='{fresh.pk}']").count() == 1
    # Someone else moves the other deal meanwhile: this page still shows version 1.
    deal_update(actor=make_user(is_superuser=True), instance=stale, stage=third)
    page.locator(f".gx-deal-card[data-id='{stale.pk}']").drag_to(target)
    page.wait_for_selector("#board-message.alert-danger")
    assert "changed this deal meanwhile" in page.locator("#board-message").inner_text()
    expect_refused(page, 409)
    home = page.locator(f".gx-board-cards[data-stage='{first.pk}'] [data-id='{stale.pk}']")
    assert home.count() == 1, "the refused card goes back where it was"
    assert Deal.objects.get(pk=stale.pk).stage == third


def test_a_forbidden_drag_is_refused_and_put_back(page, live_server):
    from guanxi.core.testing import make_role

    owner = make_user(role=make_role(deal="own"))
    viewer = make_user("viewer", role=make_role(deal={"view": "all", "edit": "own"}))
    pipeline = Pipeline.objects.get(is_default=True)
    first, second = list(pipeline.stages.filter(kind="open"))[:2]
    deal = deal_create(actor=owner, name="Not yours", stage=first)
    login(page, live_server, viewer)
    page.goto(f"{live_server.url}/sales/board/")
    page.locator(f".gx-deal-card[data-id='{deal.pk}']").drag_to(
        page.locator(f".gx-board-cards[data-stage='{second.pk}']")
    )
    page.wait_for_selector("#board-message.alert-danger")
    expect_refused(page, 403)
    assert page.locator(f".gx-board-cards[data-stage='{first.pk}'] [data-id='{deal.pk}']").count() == 1
    assert Deal.objects.get(pk=deal.pk).stage == first


def test_logging_a_call_from_a_contact_timeline(page, live_server, boss):
    contact = contact_create(actor=boss, full_name="张三")
    login(page, live_server, boss)
    page.goto(f"{live_server.url}/customers/contacts/{contact.pk}/")
    page.check(f"#quick-kind-call-{contact.pk}", force=True)
    page.fill("#quick-log [name=subject]", "确认预算")
    page.select_option("#quick-log [name=outcome]", "voicemail")
    page.fill("#quick-log [name=body]", "下周再打")
    page.click("#quick-log-save")
    page.wait_for_selector("#timeline-entries [data-entry=activity]")
    assert "确认预算" in page.locator("#timeline-entries").inner_text()
    call = Activity.objects.get()
    assert (call.kind, call.outcome, call.contact) == ("call", "voicemail", contact)
    page.click(f"#quick-kind-note-{contact.pk} + label")
    assert not page.locator("#quick-log [name=outcome]").is_visible()


def test_the_dashboard_draws_its_charts(page, live_server, boss):
    pipeline = Pipeline.objects.get(is_default=True)
    for index, stage in enumerate(pipeline.stages.filter(kind="open")):
        deal_create(actor=boss, name=f"D{index}", amount=Decimal(1000 * (index + 1)), stage=stage)
    login(page, live_server, boss)
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 2")
    assert page.locator("#chart-stages").bounding_box()["height"] > 100
    assert page.locator("#figure-win-rate").is_visible()
    page.click("#forecast-table a >> nth=0")
    assert "/sales/deals/" in page.url
