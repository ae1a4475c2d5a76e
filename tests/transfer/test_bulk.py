"""The batched services keep the rules of single writes: normalisation, validation, owners, custom fields,
audit, duplicates, and nothing written when nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.core import audit
from guanxi.core.context import request_context
from guanxi.core.models import CustomField, ExternalRef
from guanxi.core.testing import make_role, make_team, make_user
from guanxi.customers.bulk import companies_upsert_many, contacts_upsert_many
from guanxi.customers.models import Company, Contact
from guanxi.customers.services import contact_create
from guanxi.transfer.bulk import BulkRow, Snapshotter

pytestmark = pytest.mark.django_db


def rows(*dicts: dict[str, Any]) -> list[BulkRow]:
    return [BulkRow(number=i, fields=dict(d)) for i, d in enumerate(dicts, 1)]


def test_contacts_are_normalised_validated_and_audited(admin_user: Any) -> None:
    batch = rows(
        {"full_name": "  王芳 ", "email": "WangFang＠Tencent．com", "mobile": "１３９１２３４５６７８"},
        {"full_name": "Bad", "email": "not-an-email"},
        {"full_name": "", "email": "x@example.com"},
    )
    with request_context("import-test"):
        result = contacts_upsert_many(actor=admin_user, rows=batch)
    assert (result.created, result.failed) == (1, 2)
    contact = Contact.objects.get()
    assert contact.full_name == "王芳"
    assert contact.email == "wangfang@tencent.com"
    assert contact.mobile_e164 == "+8613912345678"
    assert contact.owner_id == admin_user.pk
    assert contact.sort_name == "wangfang"
    assert "wf" in contact.search_text.split()
    assert Contact.objects.filter(search_text__matches="wangf").count() == 1
    assert [e.field for e in batch[1].errors] == ["email"]
    assert [e.field for e in batch[2].errors] == ["full_name"]
    change = audit.ObjectChange.objects.get(object_type="contact", object_id=contact.pk)
    assert change.action == "create" and change.request_id == "import-test"
    assert change.after["email"] == "wangfang@tencent.com"


def test_snapshot_matches_the_audit_snapshot(admin_user: Any) -> None:
    contact = contact_create(actor=admin_user, full_name="张伟", email="z@example.com", mobile="13812345678")
    contact = Contact.objects.get(pk=contact.pk)
    assert Snapshotter(Contact)(contact, tags=[]) == audit.snapshot(contact, tags=[])


def test_duplicates_skip_update_and_create(admin_user: Any) -> None:
    stored = contact_create(actor=admin_user, full_name="张伟", email="zhang.wei@bytedance.com")
    again = rows({"full_name": "张伟", "email": "Zhang.Wei@ByteDance.com", "title": "销售总监"})
    result = contacts_upsert_many(actor=admin_user, rows=again)
    assert (result.created, result.duplicates) == (0, 1)
    assert again[0].object_id == stored.pk
    update = rows({"full_name": "张伟", "email": "zhang.wei@bytedance.com", "title": "销售总监"})
    result = contacts_upsert_many(actor=admin_user, rows=update, on_duplicate="update")
    assert result.updated == 1
    stored.refresh_from_db()
    assert stored.title == "销售总监" and stored.version == 2
    # Again: nothing changes, no version bump, no audit row.
    changes = audit.ObjectChange.objects.count()
    result = contacts_upsert_many(actor=admin_user, rows=rows(update[0].fields), on_duplicate="update")
    assert (result.updated, result.duplicates) == (0, 1)
    stored.refresh_from_db()
    assert stored.version == 2 and audit.ObjectChange.objects.count() == changes
    result = contacts_upsert_many(actor=admin_user, rows=rows(update[0].fields), on_duplicate="create")
    assert result.created == 1 and Contact.objects.count() == 2


def test_duplicates_within_a_batch_and_by_mobile(admin_user: Any) -> None:
    batch = rows(
        {"full_name": "李娜", "mobile": "138 0013 8000"},
        {"full_name": "李娜", "mobile": "+86 138-0013-8000", "title": "经理"},
        {"full_name": "A", "email": "a@example.com"},
        {"full_name": "A2", "email": "A@EXAMPLE.COM"},
    )
    result = contacts_upsert_many(actor=admin_user, rows=batch, on_duplicate="update")
    # A record repeated in one run is written from its first row.
    assert (result.created, result.updated, result.duplicates) == (2, 0, 2)
    assert Contact.objects.count() == 2
    assert Contact.objects.get(mobile_e164="+8613800138000").title == ""


def test_companies_match_on_name_key_and_domain(admin_user: Any) -> None:
    result = companies_upsert_many(
        actor=admin_user,
        rows=rows(
            {"name": "北京字节跳动科技有限公司", "website": "https://www.bytedance.com"},
            {"name": "北京字节跳动科技"},
            {"name": "ByteDance", "domain": "bytedance.com"},
            {"name": "Acme, Inc."},
            {"name": "ACME Inc"},
        ),
    )
    assert (result.created, result.duplicates) == (2, 3)
    assert Company.objects.get(name_key="北京字节跳动科技").domain == "bytedance.com"


def test_external_ids(admin_user: Any) -> None:
    first = rows({"full_name": "Tom", "email": "tom@example.com"})
    first[0].external_id = "003A"
    contacts_upsert_many(actor=admin_user, rows=first, system="salesforce")
    ref = ExternalRef.objects.get()
    assert (ref.object_type, ref.system, ref.external_id, ref.object_id) == (
        "contact",
        "salesforce",
        "003A",
        first[0].object_id,
    )
    again = rows({"full_name": "Tom Changed", "email": "other@example.com"})
    again[0].external_id = "003A"
    result = contacts_upsert_many(actor=admin_user, rows=again, system="salesforce", on_duplicate="update")
    assert result.updated == 1
    assert Contact.objects.get().email == "other@example.com"


def test_owner_outside_the_scope_is_refused(role_user: Any) -> None:
    team = make_team("East")
    rep = role_user("sales_rep", team)
    colleague = make_user(team=team)
    stranger = make_user(team=make_team("West"))
    result = contacts_upsert_many(
        actor=rep,
        rows=rows(
            {"full_name": "Mine", "email": "m@example.com"},
            {"full_name": "Colleague's", "email": "c@example.com", "owner": colleague},
            {"full_name": "Stranger's", "email": "s@example.com", "owner": stranger},
        ),
    )
    owners = dict(Contact.objects.values_list("full_name", "owner_id"))
    assert owners.get("Mine") == rep.pk
    assert "Stranger's" not in owners
    assert result.failed >= 1


def test_custom_fields_are_validated(admin_user: Any) -> None:
    CustomField.objects.create(
        object_type="contact", name="level", label="Level", type="choice", choices=["A", "B"]
    )
    batch = rows({"full_name": "X", "email": "x@example.com"}, {"full_name": "Y", "email": "y@example.com"})
    batch[0].custom_fields = {"level": "A"}
    batch[1].custom_fields = {"level": "Z"}
    result = contacts_upsert_many(actor=admin_user, rows=batch)
    assert (result.created, result.failed) == (1, 1)
    assert Contact.objects.get().custom_field_data == {"level": "A"}
    assert batch[1].errors[0].field == "cf_level"


def test_no_permission_to_create() -> None:
    from django.core.exceptions import PermissionDenied

    viewer = make_user(role=make_role(contact={"view": "all"}))
    with pytest.raises(PermissionDenied):
        contacts_upsert_many(actor=viewer, rows=rows({"full_name": "X"}))
