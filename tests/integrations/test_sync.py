"""Inbound sync: upsert by the source system's id and bulk writes, for every registered object type, with
the same validation, permissions, audit and events as the normal endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from guanxi.core.audit import ObjectChange
from guanxi.core.models import ExternalRef
from guanxi.core.registry import registry
from guanxi.core.testing import make_role, make_user
from guanxi.customers.models import Company, Contact
from guanxi.customers.services import company_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/companies/by-external-id/erp/{}/"
BULK = "/api/v1/companies/bulk/"


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def clerk(db: Any) -> Any:
    return make_user(role=make_role(company="all", contact="all"))


def test_every_object_type_with_an_api_gets_the_sync_routes():
    from django.urls import resolve

    for object_type in registry.all():
        if not (object_type.viewset and object_type.api_path and object_type.create and object_type.update):
            continue
        match = resolve(f"/api/v1/{object_type.api_path}/by-external-id/erp/A-1/")
        assert match.func.cls.object_type_key == object_type.key
        assert resolve(f"/api/v1/{object_type.api_path}/bulk/").func.cls.object_type_key == object_type.key


def test_put_by_external_id_creates_then_updates_and_repeating_it_changes_nothing(clerk):
    client = api(clerk)
    body = {"name": "宁波远航贸易有限公司", "city": "宁波", "tags": ["ERP"]}
    created = client.put(URL.format("C-1001"), body, format="json")
    assert created.status_code == 201, created.json()
    record = created.json()
    assert created["ETag"] == '"1"' and created["Location"] == f"/api/v1/companies/{record['id']}/"
    assert ExternalRef.objects.get(system="erp", external_id="C-1001").object_id == record["id"]

    again = client.put(URL.format("C-1001"), body, format="json")
    assert again.status_code == 200 and again.json()["version"] == 1  # idempotent
    assert Company.objects.count() == 1
    assert ObjectChange.objects.filter(object_type="company").count() == 1

    changed = client.put(URL.format("C-1001"), {**body, "city": "杭州"}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2 and changed.json()["city"] == "杭州"
    fetched = client.get(URL.format("C-1001"))
    assert fetched.status_code == 200 and fetched.json()["id"] == record["id"]
    assert client.get(URL.format("C-404")).status_code == 404
    assert client.put("/api/v1/companies/by-external-id/shop/C-1001/", body, format="json").status_code == 201
    assert Company.objects.count() == 2  # another system's id is another record


def test_put_honours_if_match_and_validates_like_the_normal_endpoint(clerk):
    client = api(clerk)
    client.put(URL.format("C-1"), {"name": "Acme"}, format="json")
    stale = client.put(URL.format("C-1"), {"name": "Acme 2"}, format="json", HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412 and stale.json()["current_version"] == 1
    assert (
        client.put(URL.format("C-1"), {"name": "Acme 2"}, format="json", HTTP_IF_MATCH='"1"').status_code
        == 200
    )
    assert (
        client.put(URL.format("C-2"), {"name": "New"}, format="json", HTTP_IF_MATCH='"1"').status_code == 412
    )
    invalid = client.put(URL.format("C-3"), {"name": "", "website": "not a url"}, format="json")
    assert invalid.status_code == 400 and {"name", "website"} <= set(invalid.json())
    assert (
        client.put(
            "/api/v1/companies/by-external-id/erp/" + "x" * 256 + "/", {"name": "A"}, format="json"
        ).status_code
        == 400
    )
    assert not Company.objects.filter(name="New").exists()


def test_delete_by_external_id(clerk):
    client = api(clerk)
    client.put(URL.format("C-9"), {"name": "Gone Soon"}, format="json")
    assert client.delete(URL.format("C-9")).status_code == 204
    assert not Company.objects.exists() and not ExternalRef.objects.exists()
    assert client.delete(URL.format("C-9")).status_code == 404


def test_permissions_are_those_of_the_normal_endpoints(clerk):
    reader = make_user(role=make_role(company={"view": "all"}))
    assert api(reader).put(URL.format("C-1"), {"name": "No"}, format="json").status_code == 403
    assert api(reader).post(BULK, {"items": [{"data": {"name": "No"}}]}, format="json").status_code == 403
    assert not Company.objects.exists()
    # A record the user may not see is 404, as anywhere else; the other user's record is untouched.
    owner = make_user(role=make_role(company="own"))
    stranger = make_user(role=make_role(company="own"))
    api(owner).put(URL.format("C-5"), {"name": "Mine"}, format="json")
    assert api(stranger).get(URL.format("C-5")).status_code == 404
    assert api(stranger).put(URL.format("C-5"), {"name": "Yours now"}, format="json").status_code == 404
    assert Company.objects.get().name == "Mine"
    assert APIClient().put(URL.format("C-5"), {"name": "x"}, format="json").status_code == 401


def test_bulk_reports_a_result_per_item_and_applies_the_valid_ones(clerk):
    existing = company_create(actor=clerk, name="Existing Co")
    linked = company_create(actor=clerk, name="To Link")
    items = [
        {"external_id": "C-1", "data": {"name": "Alpha", "city": "上海"}},
        {"external_id": "C-2", "data": {"name": ""}},
        {"id": existing.pk, "data": {"city": "深圳"}},
        {"id": existing.pk, "version": 99, "data": {"city": "北京"}},
        {"data": {"name": "Plain New"}},
        {"id": 987654321, "data": {"name": "Ghost"}},
        {"id": linked.pk, "external_id": "C-3", "data": {}},
    ]
    response = api(clerk).post(BULK, {"system": "erp", "items": items}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    statuses = [r["status"] for r in body["results"]]
    assert statuses == [
        "created",
        "error",
        "updated",
        "error",
        "created",
        "error",
        "unchanged",
    ]
    assert [r["index"] for r in body["results"]] == list(range(len(items)))
    assert (body["created"], body["updated"], body["unchanged"], body["failed"]) == (2, 1, 1, 3)
    results = body["results"]
    assert "name" in results[1]["errors"]
    assert "version" in results[3]["errors"]
    assert "id" in results[5]["errors"]
    assert results[0]["system"] == "erp" and results[0]["external_id"] == "C-1"
    existing.refresh_from_db()
    assert existing.city == "深圳" and existing.version == 2
    assert ExternalRef.objects.get(external_id="C-3").object_id == linked.pk
    assert set(Company.objects.values_list("name", flat=True)) == {
        "Existing Co",
        "To Link",
        "Alpha",
        "Plain New",
    }

    # The same batch again: nothing new is created, the upserted record is unchanged.
    again = api(clerk).post(BULK, {"system": "erp", "items": items[:1]}, format="json").json()
    assert again["results"][0]["status"] == "unchanged" and again["unchanged"] == 1
    assert Company.objects.filter(name="Alpha").count() == 1


def test_a_malformed_item_refuses_the_whole_request_naming_it(clerk):
    items = [
        {"external_id": "C-1", "data": {"name": "Fine"}},
        {"external_id": "bad/id", "data": {"name": "Slash"}},
        {"data": "not an object"},
        {"id": "seven", "data": {}},
        {"external_id": "C-4"},
    ]
    response = api(clerk).post(BULK, {"system": "erp", "items": items}, format="json")
    assert response.status_code == 400
    errors = response.json()["items"]
    assert set(errors) == {"1", "2", "3", "4"}
    assert "external_id" in errors["1"] and "data" in errors["2"] and "id" in errors["3"]
    assert "data" in errors["4"]
    assert not Company.objects.exists()


def test_bulk_refuses_more_than_a_thousand_items_and_an_external_id_without_a_system(clerk):
    too_many = {"items": [{"data": {"name": f"C{i}"}} for i in range(1001)]}
    response = api(clerk).post(BULK, too_many, format="json")
    assert response.status_code == 400 and "items" in response.json()
    assert not Company.objects.exists()
    result = (
        api(clerk).post(BULK, {"items": [{"external_id": "X", "data": {"name": "A"}}]}, format="json").json()
    )
    assert result["results"][0]["errors"] == {"system": ["Give the system the external id comes from."]}
    assert api(clerk).post(BULK, {"items": []}, format="json").status_code == 400


def test_bulk_handles_a_full_batch(clerk):
    items = [{"external_id": f"C-{i}", "data": {"name": f"Company {i}"}} for i in range(1000)]
    body = api(clerk).post(BULK, {"system": "erp", "items": items}, format="json").json()
    assert body["created"] == 1000 and body["failed"] == 0
    assert ExternalRef.objects.filter(system="erp").count() == 1000


def test_bulk_items_obey_the_record_permissions_one_by_one(db):
    rep = make_user(role=make_role(company={"view": "all", "create": "own", "edit": "own"}))
    other = make_user(role=make_role(company="all"))
    theirs = company_create(actor=other, owner=other, name="Theirs")
    result = (
        api(rep)
        .post(
            BULK,
            {"items": [{"data": {"name": "Mine"}}, {"id": theirs.pk, "data": {"name": "Taken"}}]},
            format="json",
        )
        .json()
    )
    assert [r["status"] for r in result["results"]] == ["created", "error"]
    assert "non_field_errors" in result["results"][1]["errors"]
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_contacts_and_their_company_links_sync_too(clerk):
    client = api(clerk)
    company = client.put("/api/v1/companies/by-external-id/erp/C-1/", {"name": "Acme"}, format="json").json()
    contact = client.put(
        "/api/v1/contacts/by-external-id/erp/P-1/",
        {"full_name": "王小明", "email": "XM@Example.com", "company": company["id"]},
        format="json",
    )
    assert contact.status_code == 201, contact.json()
    assert contact.json()["email"] == "xm@example.com"
    assert Contact.objects.get().company_id == company["id"]
