"""Duplicates already stored: the scan finds them, a merge moves everything to the survivor and is audited,
and an unmerge puts everything back."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from guanxi.activities.models import Activity, TimelineEvent
from guanxi.activities.services import activity_create
from guanxi.core.audit import ObjectChange
from guanxi.core.models import ExternalRef
from guanxi.core.testing import make_team
from guanxi.customers.models import Company, Contact
from guanxi.customers.services import company_create, contact_create, contact_update
from guanxi.sales.models import Deal, DealContact
from guanxi.sales.services import deal_create, deal_set_contact
from guanxi.transfer.duplicates import merge, scan, unmerge
from guanxi.transfer.models import DuplicatePair, MergeRecord

pytestmark = pytest.mark.django_db


def pair_reasons(key: str) -> dict[tuple[int, int], str]:
    return {(p.first_id, p.second_id): p.reason for p in DuplicatePair.objects.filter(object_type=key)}


def test_scan_finds_contacts_by_email_mobile_and_similar_names(admin_user: Any) -> None:
    acme = company_create(actor=admin_user, name="Acme Robotics Inc.")
    a = contact_create(actor=admin_user, full_name="张伟", email="zhang.wei@example.com")
    b = contact_create(actor=admin_user, full_name="张 伟", email="Zhang.Wei@Example.com")
    c = contact_create(actor=admin_user, full_name="李娜", mobile="138 0013 8000")
    d = contact_create(actor=admin_user, full_name="李娜", mobile="+86 138-0013-8000", email="li@x.com")
    e = contact_create(actor=admin_user, full_name="Jonathan Smith", company=acme)
    f = contact_create(actor=admin_user, full_name="Jonathon Smith", company=acme)
    contact_create(actor=admin_user, full_name="Mary Jones", company=acme)
    contact_create(actor=admin_user, full_name="Jonathan Smith")  # same name, no company: not proposed
    assert scan("contact") == 3
    reasons = pair_reasons("contact")
    assert reasons[(a.pk, b.pk)] == "email"
    assert reasons[(c.pk, d.pk)] == "mobile"
    assert reasons[(e.pk, f.pk)] == "similar_name"
    scores = {(p.first_id, p.second_id): p.score for p in DuplicatePair.objects.all()}
    assert scores[(a.pk, b.pk)] == 100 and scores[(c.pk, d.pk)] == 95 and scores[(e.pk, f.pk)] < 95


def test_scan_finds_companies_by_name_key_and_domain(admin_user: Any) -> None:
    a = company_create(actor=admin_user, name="北京字节跳动科技有限公司")
    b = company_create(actor=admin_user, name="北京字节跳动科技")
    c = company_create(actor=admin_user, name="Acme Robotics", website="https://acme-robotics.com")
    d = company_create(actor=admin_user, name="ACME (US)", website="http://www.acme-robotics.com/about")
    company_create(actor=admin_user, name="QQ User Co", domain="qq.com")
    company_create(actor=admin_user, name="Other QQ", domain="qq.com")  # a public mail domain says nothing
    scan("company")
    reasons = pair_reasons("company")
    assert reasons[(a.pk, b.pk)] == "name_key"
    assert reasons[(c.pk, d.pk)] == "domain"
    assert len(reasons) == 2


def test_dismissed_pairs_stay_dismissed(admin_user: Any) -> None:
    contact_create(actor=admin_user, full_name="A", email="same@example.com")
    contact_create(actor=admin_user, full_name="B", email="same@example.com")
    scan("contact")
    DuplicatePair.objects.update(status=DuplicatePair.Status.DISMISSED)
    assert scan("contact") == 0
    assert DuplicatePair.objects.count() == 1


def _world(admin_user: Any) -> dict[str, Any]:
    company = company_create(actor=admin_user, name="华拓科技有限公司", tags=["华东"])
    other_company = company_create(actor=admin_user, name="华拓科技", tags=["重点"])
    survivor = contact_create(
        actor=admin_user,
        full_name="王芳",
        email="wang@example.com",
        company=company,
        title="经理",
        tags=["A"],
    )
    other = contact_create(
        actor=admin_user,
        full_name="王芳",
        email="WANG@example.com",
        mobile="13912345678",
        company=other_company,
        title="采购经理",
        tags=["A", "B"],
    )
    deal = deal_create(actor=admin_user, name="项目", company=other_company)
    shared = deal_create(actor=admin_user, name="共同项目", company=company)
    deal_set_contact(actor=admin_user, deal=deal, contact=other, role="decision_maker")
    deal_set_contact(actor=admin_user, deal=shared, contact=other, role="user")
    deal_set_contact(actor=admin_user, deal=shared, contact=survivor, role="champion")
    call = activity_create(actor=admin_user, kind="call", subject="来电", contact=other)
    ExternalRef.objects.create(object_type="contact", object_id=other.pk, system="hubspot", external_id="101")
    TimelineEvent.objects.create(
        object_type="contact", object_id=other.pk, name="lead.converted", time=call.occurred_at, data={}
    )
    return {
        "company": company,
        "other_company": other_company,
        "survivor": survivor,
        "other": other,
        "deal": deal,
        "shared": shared,
        "call": call,
    }


def test_merge_moves_everything_and_unmerge_puts_it_back(admin_user: Any) -> None:
    w = _world(admin_user)
    survivor, other = w["survivor"], w["other"]
    scan("contact")
    pair = DuplicatePair.objects.get(object_type="contact")
    record = merge(
        actor=admin_user, key="contact", survivor=survivor, other=other, take=["mobile", "title"], pair=pair
    )
    survivor.refresh_from_db()
    assert not Contact.objects.filter(pk=other.pk).exists()
    assert survivor.mobile_e164 == "+8613912345678" and survivor.title == "采购经理"
    assert survivor.company_id == w["company"].pk  # not taken: kept
    assert Activity.objects.get(pk=w["call"].pk).contact_id == survivor.pk
    assert DealContact.objects.get(deal=w["deal"]).contact_id == survivor.pk
    # The survivor was on the shared deal already: its role stays, the other's link goes.
    assert list(DealContact.objects.filter(deal=w["shared"]).values_list("contact_id", "role")) == [
        (survivor.pk, "champion")
    ]
    assert ExternalRef.objects.get(system="hubspot").object_id == survivor.pk
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["A", "B"]
    assert TimelineEvent.objects.get(name="lead.converted").object_id == survivor.pk
    merges = ObjectChange.objects.filter(action="merge")
    assert set(merges.values_list("object_id", flat=True)) == {survivor.pk, other.pk}
    assert merges.get(object_id=other.pk).after == {"merged_into": survivor.pk}
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.MERGED

    restored = unmerge(actor=admin_user, record=record)
    assert restored.pk == other.pk
    other_now = Contact.objects.get(pk=other.pk)
    assert (other_now.email, other_now.mobile, other_now.title) == (
        "wang@example.com",
        "13912345678",
        "采购经理",
    )
    assert other_now.company_id == w["other_company"].pk
    assert other_now.created_at == other.created_at and other_now.version == other.version
    survivor.refresh_from_db()
    assert survivor.title == "经理" and survivor.mobile == ""
    assert Activity.objects.get(pk=w["call"].pk).contact_id == other.pk
    assert DealContact.objects.get(deal=w["deal"]).contact_id == other.pk
    assert sorted(
        DealContact.objects.filter(deal=w["shared"]).values_list("contact_id", flat=True)
    ) == sorted([survivor.pk, other.pk])
    assert ExternalRef.objects.get(system="hubspot").object_id == other.pk
    assert sorted(other_now.tags.values_list("name", flat=True)) == ["A", "B"]
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["A"]
    assert ObjectChange.objects.filter(action="restore").count() == 2
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.OPEN
    assert Contact.objects.filter(search_text__matches="13912345678").get().pk == other.pk


def test_merging_companies_moves_their_contacts_and_deals(admin_user: Any) -> None:
    w = _world(admin_user)
    record = merge(actor=admin_user, key="company", survivor=w["company"], other=w["other_company"])
    assert Contact.objects.get(pk=w["other"].pk).company_id == w["company"].pk
    assert Deal.objects.get(pk=w["deal"].pk).company_id == w["company"].pk
    assert sorted(w["company"].tags.values_list("name", flat=True)) == ["华东", "重点"]
    unmerge(actor=admin_user, record=record)
    assert Company.objects.filter(pk=w["other_company"].pk).exists()
    assert Deal.objects.get(pk=w["deal"].pk).company_id == w["other_company"].pk


def test_merge_needs_edit_and_delete(role_user: Any, admin_user: Any) -> None:
    rep = role_user("sales_rep", make_team("East"), username="rep")
    mine = contact_create(actor=admin_user, owner=rep, full_name="X", email="x@example.com")
    theirs = contact_create(actor=admin_user, owner=admin_user, full_name="X", email="x@example.com")
    with pytest.raises(PermissionDenied):
        merge(actor=rep, key="contact", survivor=mine, other=theirs)
    assert Contact.objects.count() == 2


def test_review_pages(admin_user: Any) -> None:
    w = _world(admin_user)
    scan("contact")
    pair = DuplicatePair.objects.get(object_type="contact")
    client = Client()
    client.force_login(admin_user)
    page = client.get("/data/duplicates/?type=contact")
    assert page.status_code == 200 and "王芳" in page.content.decode()
    page = client.get(f"/data/duplicates/{pair.pk}/")
    assert page.status_code == 200 and 'name="take_title"' in page.content.decode()
    first = Contact.objects.get(pk=pair.first_id)
    second = Contact.objects.get(pk=pair.second_id)
    assert f'name="first_version" value="{first.version}"' in page.content.decode()
    data = {"survivor": "second", "take_title": "first", "action": "merge"}
    versions = {"first_version": first.version, "second_version": second.version}
    # Somebody changes a record after the page was opened: the merge is refused (409), nothing moves.
    contact_update(actor=admin_user, instance=second, city="苏州")
    response = client.post(f"/data/duplicates/{pair.pk}/", {**data, **versions})
    assert response.status_code == 409 and "changed by somebody" in response.content.decode()
    assert Contact.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert not MergeRecord.objects.exists()
    versions["second_version"] = Contact.objects.get(pk=second.pk).version
    response = client.post(f"/data/duplicates/{pair.pk}/", {**data, **versions})
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=w["survivor"].pk).exists()
    assert Contact.objects.get(pk=w["other"].pk).title == "经理"  # taken from the first record
    page = client.get("/data/duplicates/?type=contact")
    assert "Recent merges" in page.content.decode()
