import pytest
from django.core.cache import cache

from guanxi.core.testing import make_team, make_user
from guanxi.sales.choices import PicklistKind
from guanxi.sales.models import AssignmentRule, Lead, PicklistValue, WebForm
from guanxi.sales.settings_views import WEB_FORM_LIMIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_form():
    cache.clear()
    web = PicklistValue.objects.get(kind=PicklistKind.LEAD_SOURCE, key="web")
    return WebForm.objects.create(name="Enquiry", token="tok-123", enabled=True, source=web, thank_you="谢谢")


def post(client, data, address="10.0.0.1"):
    return client.post("/forms/lead/tok-123/", data, REMOTE_ADDR=address)


def test_a_visitor_leaves_a_lead_that_the_rules_assign(client, web_form):
    team = make_team("Web")
    rep = make_user("rep.web", team=team, display_name="秘密销售")
    AssignmentRule.objects.create(
        name="web", source=web_form.source, method=AssignmentRule.ROUND_ROBIN, team=team
    )
    form = client.get("/forms/lead/tok-123/")
    assert form.status_code == 200 and 'name="website_url"' in form.content.decode()
    assert "frame-ancestors *" in form["Content-Security-Policy"]
    response = post(client, {"full_name": "访客", "email": "Visitor@Example.com", "company_name": "某厂"})
    assert response.status_code == 200 and "谢谢" in response.content.decode()
    assert "秘密销售" not in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.email, lead.source.key, lead.owner) == ("visitor@example.com", "web", rep)
    assert WebForm.objects.get().submissions == 1


def test_bots_filling_the_honeypot_get_thanked_and_nothing_is_stored(client, web_form):
    response = post(client, {"full_name": "Bot", "email": "bot@spam.example", "website_url": "http://spam"})
    assert response.status_code == 200 and "谢谢" in response.content.decode()
    assert not Lead.objects.exists()


def test_invalid_input_is_explained_and_nothing_stored(client, web_form):
    response = post(client, {"full_name": "访客"})
    assert response.status_code == 400 and not Lead.objects.exists()


def test_submissions_are_rate_limited_per_address(client, web_form):
    for i in range(WEB_FORM_LIMIT):
        assert post(client, {"full_name": f"v{i}", "phone": "13800000000"}).status_code == 200
    limited = post(client, {"full_name": "one more", "phone": "13800000000"})
    assert limited.status_code == 429 and limited["Retry-After"]
    assert (
        post(client, {"full_name": "elsewhere", "phone": "13800000000"}, address="10.0.0.2").status_code
        == 200
    )
    assert Lead.objects.count() == WEB_FORM_LIMIT + 1


def test_a_disabled_or_unknown_form_reveals_nothing(client, web_form):
    WebForm.objects.update(enabled=False)
    assert client.get("/forms/lead/tok-123/").status_code == 404
    assert client.get("/forms/lead/nope/").status_code == 404


def test_only_administrators_edit_sales_settings(client):
    admin = make_user(is_superuser=True)
    rep = make_user()
    client.force_login(rep)
    for area in ("lists", "rules", "forms", "rates"):
        assert client.get(f"/sales/settings/{area}/").status_code == 403
    client.force_login(admin)
    for area in ("lists", "rules", "forms", "rates"):
        assert client.get(f"/sales/settings/{area}/").status_code == 200
    response = client.post("/sales/settings/forms/", {"name": "New form", "enabled": "on"})
    assert response.status_code == 302
    created = WebForm.objects.get(name="New form")
    assert len(created.token) > 16
    from guanxi.core.audit import ObjectChange

    assert ObjectChange.objects.filter(object_type="webform", object_id=created.pk, action="create").exists()
