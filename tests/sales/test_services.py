import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.activities.models import TimelineEvent
from guanxi.core import events
from guanxi.core.audit import ObjectChange
from guanxi.core.permissions import SYSTEM
from guanxi.core.testing import make_role, make_team, make_user
from guanxi.customers.models import Company, Contact
from guanxi.customers.services import company_create, contact_create
from guanxi.sales import services
from guanxi.sales.choices import PicklistKind, StageKind
from guanxi.sales.models import AssignmentRule, Deal, Lead, PicklistValue, Pipeline, StageChange
from guanxi.sales.selectors import board, stage_durations
from guanxi.users.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_user(is_superuser=True)


@pytest.fixture
def pipeline():
    return Pipeline.objects.get(is_default=True)


def stage(pipeline, kind=StageKind.OPEN, index=0):
    return [s for s in pipeline.stages.all() if s.kind == kind][index]


def value(kind, key):
    return PicklistValue.objects.get(kind=kind, key=key)


@pytest.fixture
def received():
    seen = []
    events.subscribe(seen.append)
    yield seen
    events.unsubscribe(seen.append)


# --- leads and conversion ------------------------------------------------------------------------------


def test_new_installations_have_lists_and_two_pipelines():
    assert Pipeline.objects.count() == 2
    assert {p.key for p in PicklistValue.objects.filter(kind=PicklistKind.LEAD_SOURCE)} >= {
        "web",
        "import",
        "referral",
        "event",
        "advertising",
        "other",
    }
    lead = services.lead_create(actor=make_user(is_superuser=True), full_name="周明")
    assert lead.status.key == "new"


def test_disqualifying_needs_a_reason(admin):
    with pytest.raises(ValidationError) as excinfo:
        services.lead_create(
            actor=admin, full_name="周明", status=value(PicklistKind.LEAD_STATUS, "disqualified")
        )
    assert "disqualification_reason" in excinfo.value.message_dict


def test_conversion_creates_contact_company_and_deal_and_links_the_lead(
    admin, received, django_capture_on_commit_callbacks
):
    lead = services.lead_create(
        actor=admin,
        full_name="周明",
        company_name="杭州云帆物流有限公司",
        email="Zhou@YunFan.cn",
        phone="13912345678",
        title="采购经理",
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.lead_convert(actor=admin, lead=lead, create_deal=True, amount=Decimal("50000"))
    assert result.created == {"company": True, "contact": True, "deal": True}
    contact, company, deal = result.contact, result.company, result.deal
    assert (contact.email, contact.mobile_e164, contact.company) == (
        "zhou@yunfan.cn",
        "+8613912345678",
        company,
    )
    assert company.name == "杭州云帆物流有限公司" and company.domain == "yunfan.cn"
    assert deal.company == company and deal.amount == Decimal("50000") and deal.stage.kind == StageKind.OPEN
    assert list(deal.contacts.all()) == [contact]
    lead.refresh_from_db()
    assert (lead.converted_contact, lead.converted_company, lead.converted_deal) == (contact, company, deal)
    assert lead.status.key == "converted" and lead.converted_at is not None
    for object_type, pk in (
        ("lead", lead.pk),
        ("contact", contact.pk),
        ("company", company.pk),
        ("deal", deal.pk),
    ):
        assert TimelineEvent.objects.filter(
            object_type=object_type, object_id=pk, name="lead.converted"
        ).exists()
    assert "lead.converted" in [e.name for e in received]


def test_conversion_links_existing_records_instead_of_duplicating(admin):
    company = company_create(actor=admin, name="杭州云帆物流")
    contact = contact_create(actor=admin, full_name="周明", email="zhou@yunfan.cn", company=company)
    lead = services.lead_create(
        actor=admin, full_name="周明", company_name="杭州云帆物流有限公司", email="ZHOU@yunfan.cn"
    )
    result = services.lead_convert(actor=admin, lead=lead)
    assert result.created == {"company": False, "contact": False, "deal": False}
    assert (result.contact, result.company, result.deal) == (contact, company, None)
    assert Contact.objects.count() == 1 and Company.objects.count() == 1


def test_conversion_matches_by_phone_and_by_company_domain(admin):
    company = company_create(actor=admin, name="Acme", domain="acme.cn")
    contact = contact_create(actor=admin, full_name="Li Lei", mobile="13800000000")
    lead = services.lead_create(actor=admin, full_name="李雷", phone="+86 138 0000 0000", email="li@acme.cn")
    result = services.lead_convert(actor=admin, lead=lead)
    assert (result.contact, result.company) == (contact, company)


def test_a_converted_or_disqualified_lead_cannot_be_converted(admin):
    lead = services.lead_create(actor=admin, full_name="周明")
    services.lead_convert(actor=admin, lead=lead)
    with pytest.raises(ValidationError):
        services.lead_convert(actor=admin, lead=Lead.objects.get(pk=lead.pk))
    other = services.lead_create(
        actor=admin,
        full_name="吴倩",
        disqualification_reason="no budget",
        status=value(PicklistKind.LEAD_STATUS, "disqualified"),
    )
    with pytest.raises(ValidationError):
        services.lead_convert(actor=admin, lead=other)
    assert Contact.objects.filter(full_name="吴倩").count() == 0


def test_conversion_needs_edit_permission_and_changes_nothing_otherwise():
    owner = make_user(role=make_role(lead="own", contact="own", company="own", deal="own"))
    viewer = make_user(role=make_role(lead={"view": "all"}, contact="all", company="all", deal="all"))
    lead = services.lead_create(actor=owner, full_name="周明", company_name="某公司")
    with pytest.raises(PermissionDenied):
        services.lead_convert(actor=viewer, lead=lead, create_deal=True)
    assert not Contact.objects.exists() and not Deal.objects.exists() and not Company.objects.exists()


def test_conversion_api_returns_the_ids(admin):
    from rest_framework.test import APIClient

    lead = services.lead_create(actor=admin, full_name="周明", company_name="云帆")
    client = APIClient()
    client.force_authenticate(admin)
    response = client.post(
        f"/api/v1/leads/{lead.pk}/convert/", {"create_deal": True, "amount": "1000"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (
        Contact.objects.filter(pk=body["contact"]).exists() and Deal.objects.filter(pk=body["deal"]).exists()
    )
    assert Company.objects.get(pk=body["company"]).name == "云帆"
    again = client.post(f"/api/v1/leads/{lead.pk}/convert/", {}, format="json")
    assert again.status_code == 400


# --- assignment rules -----------------------------------------------------------------------------------


def test_round_robin_within_a_team_and_rules_by_source_and_region(admin):
    east, south = make_team("East"), make_team("South")
    east_people = [make_user(team=east) for _ in range(3)]
    south_person = make_user(team=south)
    web = value(PicklistKind.LEAD_SOURCE, "web")
    AssignmentRule.objects.create(
        name="web", order=1, source=web, method=AssignmentRule.ROUND_ROBIN, team=east
    )
    AssignmentRule.objects.create(
        name="gd", order=2, region="广东", method=AssignmentRule.USER, user=south_person
    )
    owners = [services.lead_create(actor=SYSTEM, full_name=f"L{i}", source=web).owner for i in range(4)]
    assert owners == [*east_people, east_people[0]]
    canton = services.lead_create(actor=SYSTEM, full_name="粤", province="广东")
    assert canton.owner == south_person
    unmatched = services.lead_create(actor=admin, full_name="无规则")
    assert unmatched.owner == admin
    explicit = services.lead_create(actor=admin, owner=admin, full_name="指定", source=web)
    assert explicit.owner == admin
    assignment = ObjectChange.objects.filter(object_type="lead", object_id=canton.pk, action="update").get()
    assert assignment.actor_name == "system" and assignment.after == {
        "owner": south_person.pk,
        "team": south.pk,
    }


def test_a_round_robin_rule_without_a_team_assigns_nobody(admin):
    make_user(team=None)  # a user without a team must not receive leads from a team-less rule
    AssignmentRule.objects.create(name="broken", order=1, method=AssignmentRule.ROUND_ROBIN, team=None)
    lead = services.lead_create(actor=admin, full_name="No team")
    assert lead.owner == admin


# --- deals and stages -----------------------------------------------------------------------------------


def test_stage_moves_are_events_with_durations_and_closing_times(
    admin, pipeline, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deal = services.deal_create(actor=admin, name="WMS", amount=Decimal("100"))
        deal = services.deal_move_stage(actor=admin, deal=deal, stage=stage(pipeline, index=1))
        deal = services.deal_move_stage(actor=admin, deal=deal, stage=stage(pipeline, StageKind.WON))
    assert deal.closed_at is not None
    moves = list(StageChange.objects.filter(deal=deal).order_by("time", "id"))
    assert [(m.from_stage, m.to_stage) for m in moves] == [
        (None, stage(pipeline)),
        (stage(pipeline), stage(pipeline, index=1)),
        (stage(pipeline, index=1), stage(pipeline, StageKind.WON)),
    ]
    assert [e.name for e in received if e.name.startswith("deal.")] == [
        "deal.created",
        "deal.updated",
        "deal.stage_changed",
        "deal.updated",
        "deal.stage_changed",
        "deal.won",
    ]
    base = moves[0].time
    StageChange.objects.filter(pk=moves[1].pk).update(time=base + datetime.timedelta(days=2))
    StageChange.objects.filter(pk=moves[2].pk).update(time=base + datetime.timedelta(days=5))
    Deal.objects.filter(pk=deal.pk).update(closed_at=base + datetime.timedelta(days=5))
    deal.refresh_from_db()
    durations = [(s.name, d.days) for s, d in stage_durations(deal)]
    assert durations == [
        (stage(pipeline).name, 2),
        (stage(pipeline, index=1).name, 3),
        (stage(pipeline, StageKind.WON).name, 0),
    ]
    reopened = services.deal_move_stage(actor=admin, deal=deal, stage=stage(pipeline))
    assert reopened.closed_at is None


def test_losing_needs_a_reason(admin, pipeline):
    deal = services.deal_create(actor=admin, name="WMS")
    with pytest.raises(ValidationError) as excinfo:
        services.deal_move_stage(actor=admin, deal=deal, stage=stage(pipeline, StageKind.LOST))
    assert "lost_reason" in excinfo.value.message_dict
    assert Deal.objects.get(pk=deal.pk).stage == stage(pipeline)
    lost = services.deal_move_stage(
        actor=admin,
        deal=deal,
        stage=stage(pipeline, StageKind.LOST),
        lost_reason=value(PicklistKind.LOST_REASON, "price"),
    )
    assert lost.lost_reason.key == "price"


def test_a_stage_of_another_pipeline_moves_the_deal_there(admin):
    renewals = Pipeline.objects.get(is_default=False)
    deal = services.deal_create(actor=admin, name="续约")
    moved = services.deal_move_stage(actor=admin, deal=deal, stage=stage(renewals))
    assert moved.pipeline == renewals


def test_api_patch_of_stage_is_evented_like_the_board(
    admin, pipeline, received, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    deal = services.deal_create(actor=admin, name="WMS")
    client = APIClient()
    client.force_authenticate(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"/api/v1/deals/{deal.pk}/",
            {"stage": stage(pipeline, index=2).pk},
            format="json",
            HTTP_IF_MATCH='"1"',
        )
    assert response.status_code == 200, response.json()
    assert "deal.stage_changed" in [e.name for e in received]
    assert StageChange.objects.filter(deal=deal).count() == 2
    missing_reason = client.patch(
        f"/api/v1/deals/{deal.pk}/", {"stage": stage(pipeline, StageKind.LOST).pk}, format="json"
    )
    assert missing_reason.status_code == 400 and "lost_reason" in missing_reason.json()


def test_product_lines_set_the_amount(admin):
    sensor = services.product_create(actor=admin, code="s1", name="Sensor", list_price=Decimal("1200"))
    deal = services.deal_create(actor=admin, name="WMS", amount=Decimal("1"))
    deal = services.deal_set_lines(
        actor=admin,
        deal=deal,
        amount_from_lines=True,
        lines=[
            {"product": sensor, "quantity": Decimal("10"), "discount": Decimal("10")},
            {"description": "Installation", "quantity": Decimal("2"), "unit_price": Decimal("2800")},
        ],
    )
    assert deal.amount == Decimal("16400.00")
    assert sensor.code == "S1"
    with pytest.raises(ValidationError) as excinfo:
        services.deal_set_lines(
            actor=admin,
            deal=deal,
            lines=[{"description": "x", "unit_price": Decimal("1"), "discount": Decimal("120")}],
        )
    assert "lines[0].discount" in excinfo.value.message_dict
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("16400.00")


def test_board_totals_convert_currencies_and_respect_visibility(pipeline):
    from guanxi.sales.models import ExchangeRate

    ExchangeRate.objects.create(currency="USD", rate=Decimal("7"), valid_from=datetime.date(2020, 1, 1))
    rep = make_user(role=make_role(deal="own"))
    other = make_user(role=make_role(deal="own"))
    services.deal_create(actor=rep, name="a", amount=Decimal("100"), currency="USD")
    services.deal_create(actor=rep, name="b", amount=Decimal("50"), currency="CNY")
    services.deal_create(actor=rep, name="c", amount=Decimal("10"), currency="EUR")
    services.deal_create(actor=other, name="hidden", amount=Decimal("999"), currency="CNY")
    first = board(rep, pipeline)[0]
    assert first.count == 3 and first.total == Decimal("750.00") and first.missing_rates == ["EUR"]
    assert first.weighted == Decimal("75.00")
    assert {d.name for d in first.cards} == {"a", "b", "c"}


def test_board_move_answers_json_and_refuses_stale_or_forbidden_moves(pipeline, client):
    owner = make_user(role=make_role(deal="own"))
    viewer = make_user(role=make_role(deal={"view": "all"}))
    deal = services.deal_create(actor=owner, name="WMS")
    target = stage(pipeline, index=1)
    url = f"/sales/deals/{deal.pk}/move/"
    client.force_login(viewer)
    refused = client.post(url, {"stage": target.pk, "version": 1}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 403
    client.force_login(owner)
    ok = client.post(url, {"stage": target.pk, "version": 1}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.post(
        url, {"stage": stage(pipeline, index=2).pk, "version": 1}, HTTP_ACCEPT="application/json"
    )
    assert stale.status_code == 409 and stale.json()["stage"] == target.pk
    lost = client.post(
        url, {"stage": stage(pipeline, StageKind.LOST).pk, "version": 2}, HTTP_ACCEPT="application/json"
    )
    assert lost.status_code == 400 and lost.json()["needs_reason"] is True
    for garbage in ({"stage": "abc", "version": 2}, {"stage": target.pk, "version": "two"}):
        assert client.post(url, garbage, HTTP_ACCEPT="application/json").status_code == 400
    assert Deal.objects.get(pk=deal.pk).stage == target


def test_pipeline_stages_keep_an_open_stage_and_deals(admin, pipeline):
    with pytest.raises(ValidationError):
        services.pipeline_set_stages(actor=admin, pipeline=pipeline, stages=[{"name": "Won", "kind": "won"}])
    deal = services.deal_create(actor=admin, name="WMS")
    keep = [
        {"id": s.pk, "name": s.name, "probability": s.probability, "kind": s.kind}
        for s in pipeline.stages.exclude(pk=deal.stage_id)
    ]
    with pytest.raises(ValidationError):
        services.pipeline_set_stages(actor=admin, pipeline=pipeline, stages=keep)
    assert Deal.objects.get(pk=deal.pk).stage.pipeline == pipeline


def test_only_administrators_configure_pipelines_and_products():
    rep = make_user(role=Role.objects.get(code="sales_rep"))
    with pytest.raises(PermissionDenied):
        services.product_create(actor=rep, code="X", name="X")
    with pytest.raises(PermissionDenied):
        services.pipeline_create(actor=rep, name="Mine")
    assert Pipeline.objects.count() == 2


def test_default_pipelines_are_created_in_the_installations_language(settings):
    Pipeline.objects.all().delete()
    settings.LANGUAGE_CODE = "zh-hans"
    services.ensure_defaults()
    default = Pipeline.objects.get(is_default=True)
    assert default.name == "新业务"
    assert [s.name for s in default.stages.all()][:2] == ["资格确认", "需求分析"]
