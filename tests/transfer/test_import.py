"""Imports of real files: vendor exports, the GBK file with Chinese headers, the messy file; duplicates,
re-runs, dry runs, crashes and resumes, undo, permissions, events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guanxi.activities.models import Activity
from guanxi.core import events
from guanxi.core.audit import ObjectChange
from guanxi.core.models import CustomField, ExternalRef
from guanxi.core.testing import make_team, make_user
from guanxi.customers.models import Company, Contact
from guanxi.customers.services import contact_create
from guanxi.sales.models import Deal, DealContact, Lead, StageChange
from guanxi.transfer.engine import ImportRunner, SimulatedCrash, report
from guanxi.transfer.models import ImportIssue, ImportJob
from guanxi.transfer.services import import_create, rejected_rows
from guanxi.transfer.undo import revert_import

from .support import DATA, import_file, salesforce_mapping, vendor_world

pytestmark = pytest.mark.django_db

VENDOR_FILES = {
    "salesforce": ["salesforce_accounts.csv", "salesforce_contacts.csv", "salesforce_leads.csv",
                   "salesforce_opportunities.csv", "salesforce_tasks.csv", "salesforce_events.csv"],
    "hubspot": ["hubspot_companies.csv", "hubspot_contacts.csv", "hubspot_leads.csv", "hubspot_deals.csv",
                "hubspot_calls.csv", "hubspot_tasks.csv"],
    "zoho": ["zoho_accounts.csv", "zoho_contacts.csv", "zoho_leads.csv", "zoho_deals.csv", "zoho_tasks.csv",
             "zoho_calls.csv"],
    "pipedrive": ["pipedrive_organizations.csv", "pipedrive_persons.csv", "pipedrive_leads.csv",
                  "pipedrive_deals.csv", "pipedrive_activities.csv"],
    "fxiaoke": ["fxiaoke_accounts.xlsx", "fxiaoke_contacts.xlsx", "fxiaoke_leads.xlsx",
                "fxiaoke_opportunities.xlsx", "fxiaoke_activities.xlsx"],
}  # fmt: skip


def issues(job: ImportJob, level: str = ImportIssue.ERROR) -> list[tuple[int, str, str]]:
    return list(job.issues.filter(level=level).order_by("row", "id").values_list("row", "column", "message"))


# --- the messy file -------------------------------------------------------------------------------------


def test_messy_file(admin_user: Any) -> None:
    job = import_file(admin_user, "messy_contacts.csv", object_type="contacts")
    assert job.status == ImportJob.Status.FINISHED
    # 10 data rows: 7 written, 1 repeat of row 1 (e-mail case, phone shape), 2 rejected.
    assert (job.rows, job.created, job.duplicates, job.failed) == (10, 7, 1, 2)
    assert issues(job) == [
        (3, "姓名", "This field cannot be blank."),
        (5, "邮箱", "Enter a valid email address."),
    ]
    zhang = Contact.objects.get(full_name="张伟")
    assert zhang.email == "zhang.wei@bytedance.com"
    assert zhang.mobile_e164 == "+8613812345678"
    assert zhang.notes == "第一行\n第二行, 含逗号"  # an embedded line break survives
    assert zhang.company.name == "北京字节跳动科技有限公司"
    wang = Contact.objects.get(full_name="王芳")  # full-width characters folded
    assert (wang.email, wang.mobile, wang.mobile_e164) == (
        "wangfang@tencent.com",
        "13912345678",
        "+8613912345678",
    )
    li = Contact.objects.get(full_name="李娜")  # spaces trimmed, landline with extension
    assert (li.email, li.mobile_e164) == ("li.na@example.cn", "+861058341234")
    assert Contact.objects.get(full_name='引号"内"的名字').company.name == "公司, 带逗号"
    # A formula cell is only text; an unparseable phone is kept as typed, with a warning.
    formula = Contact.objects.get(full_name="公式")
    assert formula.mobile.startswith("=HYPERLINK(") and formula.mobile_e164 == ""
    warnings = issues(job, ImportIssue.WARNING)
    assert any(
        row == 8 and column == "手机" and "kept as typed" in message for row, column, message in warnings
    )
    assert any(row == 10 and "多余1" in message for row, _column, message in warnings)
    # Nothing of a rejected row was written.
    assert not Contact.objects.filter(email="no-name@example.com").exists()
    assert not Company.objects.filter(name="无名公司").exists()
    assert Contact.objects.count() == 7


def test_rejected_rows_as_csv_ready_to_fix(admin_user: Any) -> None:
    import csv
    import io

    job = import_file(admin_user, "messy_contacts.csv", object_type="contacts")
    out = io.StringIO()
    assert rejected_rows(job, out) == 2
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == [*job.headers, "reason"]
    assert [r[0] for r in rows[1:]] == ["", "Bad Email"]
    assert rows[1][-1] == "姓名: This field cannot be blank."
    assert rows[2][2] == "not-an-email"


def test_gbk_file_with_chinese_headers(admin_user: Any) -> None:
    vendor_world()
    job = import_file(admin_user, "gbk_contacts.csv", object_type="contacts")
    assert job.encoding in ("gb18030", "gbk")
    assert job.mapping["姓名"] == "full_name" and job.mapping["手机号码"] == "mobile"
    assert job.mapping["负责人"] == "owner"
    assert job.status == ImportJob.Status.FINISHED and job.failed == 0
    zhang = Contact.objects.get(full_name="张伟")
    assert zhang.owner.username == "li.na"  # the owner column holds e-mails
    assert zhang.title == "销售总监" and zhang.city == "北京市"
    assert Contact.objects.filter(search_text__matches="ouyang").exists()


@pytest.mark.parametrize("name", ["utf16_contacts.txt", "contacts.json", "contacts.jsonl"])
def test_other_encodings_and_formats(admin_user: Any, name: str) -> None:
    vendor_world()
    job = import_file(admin_user, name, object_type="contacts")
    assert job.status == ImportJob.Status.FINISHED
    assert job.created > 0 and job.created + job.duplicates + job.failed == job.rows


def test_xls_workbook(admin_user: Any) -> None:
    job = import_file(admin_user, "legacy_contacts.xls")  # the Chinese headers tell it holds contacts
    assert job.status == ImportJob.Status.FINISHED, job.error
    assert (job.rows, job.created, job.failed) == (4, 3, 1)
    chen = Contact.objects.get(email="chen.jing@example.cn")
    assert chen.full_name == "陈静" and chen.mobile_e164 == "+8613512345678"
    assert chen.company is not None and chen.company.name == "成都金石医疗器械有限责任公司"
    assert Contact.objects.get(full_name="刘洋").mobile_e164 == "+8613900139000"
    assert list(job.issues.filter(level="error").values_list("row", "column")) == [(4, "姓名"), (4, "邮箱")]


# --- vendor exports -------------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", list(VENDOR_FILES))
def test_vendor_exports_import_with_their_relations(admin_user: Any, vendor: str, tmp_path: Path) -> None:
    vendor_world()
    options: dict[str, Any] = {}
    if vendor in ("salesforce", "zoho"):
        options["mapping_file"] = salesforce_mapping(tmp_path)
    jobs = {}
    for name in VENDOR_FILES[vendor]:
        job = import_file(admin_user, name, **options)
        assert job.preset == vendor, name
        assert job.status == ImportJob.Status.FINISHED, (name, job.error)
        jobs[name] = job
        for row, column, message in issues(job):
            # The only rejections the samples hold on purpose: a disqualified lead without a reason.
            assert "disqualified" in message, (name, row, column, message)
    assert Company.objects.count() == 12
    assert Contact.objects.count() == 15
    assert Deal.objects.count() == 10
    assert Lead.objects.count() >= 9
    # Contacts found their companies (by the vendor's id or name), deals their company and stage.
    assert Contact.objects.filter(company__isnull=True).count() <= 1
    zhang = Contact.objects.get(email="zhang.wei@bytedance.com")
    assert zhang.company.name_key == "北京字节跳动科技"
    assert zhang.owner.username == "li.na"
    deal = Deal.objects.get(name="字节跳动 2025 年度 CRM 订阅")
    assert deal.company_id == zhang.company_id
    assert deal.amount == 1280000 and deal.owner.username == "li.na"
    assert StageChange.objects.filter(deal=deal, from_stage=None).count() == 1
    assert (
        Deal.objects.filter(stage__kind="won").exists() and Deal.objects.filter(stage__kind="lost").exists()
    )
    lost = Deal.objects.filter(stage__kind="lost").first()
    assert lost.closed_at is not None and lost.lost_reason is not None
    # Activities are linked to what they were about.
    assert Activity.objects.count() >= 7
    assert Activity.objects.filter(deal__isnull=False).exists()
    assert Activity.objects.filter(contact__isnull=False).exists() or vendor == "salesforce"
    # Record ids are kept, so a second import of the same file finds the same records.
    assert ExternalRef.objects.filter(system=vendor, object_type="contact").count() == 15
    again = import_file(admin_user, VENDOR_FILES[vendor][1], on_duplicate="update", **options)
    assert (again.created, again.updated, again.duplicates) == (0, 0, 15)


def test_hubspot_deals_link_their_contact(admin_user: Any) -> None:
    vendor_world()
    import_file(admin_user, "hubspot_companies.csv")
    import_file(admin_user, "hubspot_contacts.csv")
    import_file(admin_user, "hubspot_deals.csv")
    deal = Deal.objects.get(name="字节跳动 2025 年度 CRM 订阅")
    # "伟 张" (given name first) is the contact 张伟.
    assert list(DealContact.objects.filter(deal=deal).values_list("contact__full_name", flat=True)) == [
        "张伟"
    ]


def test_an_owner_nobody_matches_is_rejected_until_mapped(admin_user: Any, tmp_path: Path) -> None:
    job = import_file(admin_user, "salesforce_contacts.csv")
    assert job.created == 0 and job.failed == 15
    _row, column, message = issues(job)[0]
    assert column == "OwnerId" and "0055g00000000000AAQ" in message
    vendor_world()
    job = import_file(admin_user, "salesforce_contacts.csv", mapping_file=salesforce_mapping(tmp_path))
    assert job.created == 15
    # The accounts were not imported first: the contacts have no company, with a warning each.
    assert not Contact.objects.filter(company__isnull=False).exists()
    assert "no company" in issues(job, ImportIssue.WARNING)[0][2]


# --- duplicates and re-runs -------------------------------------------------------------------------------


def test_rerun_with_skip_or_update_changes_nothing(admin_user: Any) -> None:
    vendor_world()
    first = import_file(admin_user, "hubspot_contacts.csv")
    assert first.created == 15
    versions = dict(Contact.objects.values_list("pk", "version"))
    changes = ObjectChange.objects.count()
    for mode in ("skip", "update"):
        again = import_file(admin_user, "hubspot_contacts.csv", on_duplicate=mode)
        assert (again.created, again.updated, again.duplicates, again.failed) == (0, 0, 15, 0), mode
    assert dict(Contact.objects.values_list("pk", "version")) == versions
    assert ObjectChange.objects.count() == changes


def test_update_mode_updates_only_given_fields_and_is_audited(admin_user: Any, tmp_path: Path) -> None:
    stored = contact_create(
        actor=admin_user, full_name="张伟", email="zhang.wei@bytedance.com", title="旧职务", wechat="keep_me"
    )
    path = tmp_path / "update.csv"
    path.write_text("姓名,邮箱,职务,微信\n张伟,ZHANG.WEI@bytedance.com,销售总监,\n", encoding="utf-8")
    job = import_file(admin_user, path, object_type="contacts", on_duplicate="update")
    assert (job.created, job.updated) == (0, 1)
    stored.refresh_from_db()
    assert stored.title == "销售总监" and stored.wechat == "keep_me" and stored.version == 2
    change = ObjectChange.objects.filter(object_type="contact", object_id=stored.pk, action="update").get()
    assert change.request_id == job.request_id
    assert change.before == {"title": "旧职务"} and change.after == {"title": "销售总监"}


def test_create_anyway(admin_user: Any) -> None:
    job = import_file(admin_user, "messy_contacts.csv", object_type="contacts", on_duplicate="create")
    assert job.duplicates == 0 and job.created == 8
    assert Contact.objects.filter(full_name="张伟").count() == 2


def test_duplicates_across_batches(admin_user: Any, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    lines = ["name,email,mobile"]
    for i in range(30):
        lines.append(f"Person {i},p{i}@example.com,1380013{i:04d}")
    lines.append("Again,P3@EXAMPLE.COM,")  # a repeat of row 4, in a later batch
    lines.append("NoMail,,+86 138-0013-0005")  # the mobile of row 6, without an e-mail
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    job = import_file(admin_user, path, object_type="contacts", batch_size=7)
    assert (job.created, job.duplicates) == (31, 1)  # "NoMail" has no e-mail: it matches by mobile only if
    # the stored one has no e-mail either; a contact's key is its e-mail when it has one.
    assert Contact.objects.filter(email="p3@example.com").count() == 1


# --- dry runs, crashes, undo --------------------------------------------------------------------------------


def test_dry_run_writes_nothing(admin_user: Any) -> None:
    vendor_world()
    changes = ObjectChange.objects.count()
    job = import_file(admin_user, "hubspot_contacts.csv", dry_run=True)
    assert job.status == ImportJob.Status.CHECKED
    assert job.check_report["created"] == 15 and job.check_report["failed"] == 0
    assert Contact.objects.count() == 0 and Company.objects.count() == 0
    assert ObjectChange.objects.count() == changes
    assert not CustomField.objects.exists()  # the custom fields it would create are not created either


def test_crash_and_resume(admin_user: Any, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    rows = ["name,email,company"] + [f"Person {i},p{i}@example.com,Firm {i % 7}" for i in range(100)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    job = import_create(actor=admin_user, source=path, file_name="contacts.csv", object_type="contacts")
    with pytest.raises(SimulatedCrash):
        ImportRunner(job, batch_size=15, crash_after_batches=3).run()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # as if the process had been killed
    assert job.rows_done == 45 and Contact.objects.count() == 45
    ImportRunner(job, resume=True, batch_size=15).run()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FINISHED
    assert (job.rows, job.created, job.duplicates) == (100, 100, 0)
    assert Contact.objects.count() == 100 and Company.objects.count() == 7
    assert ObjectChange.objects.filter(request_id=job.request_id, object_type="contact").count() == 100


def test_crash_and_resume_with_worker_processes(admin_user: Any, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    rows = ["name,email,mobile"] + [f"Person {i},p{i % 90}@example.com,13900{i:06d}" for i in range(120)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    job = import_create(actor=admin_user, source=path, file_name="contacts.csv", object_type="contacts")
    with pytest.raises(SimulatedCrash):
        ImportRunner(job, batch_size=20, workers=2, crash_after_batches=2).run()
    job.refresh_from_db()
    assert job.rows_done == 40
    ImportRunner(job, resume=True, batch_size=20, workers=2).run()
    job.refresh_from_db()
    assert (job.rows, job.created, job.duplicates, job.status) == (120, 90, 30, ImportJob.Status.FINISHED)
    assert Contact.objects.count() == 90


def test_undo_deletes_what_was_created_and_restores_what_was_updated(admin_user: Any, tmp_path: Path) -> None:
    stored = contact_create(
        actor=admin_user, full_name="张伟", email="zhang.wei@bytedance.com", title="旧职务"
    )
    job = import_file(admin_user, "messy_contacts.csv", object_type="contacts", on_duplicate="update")
    # Row 1 updates the stored contact; row 2, the same person again, is a duplicate.
    assert (job.created, job.updated, job.duplicates) == (6, 1, 1)
    stored.refresh_from_db()
    assert stored.mobile == "13812345678" and stored.version == 2
    counts = revert_import(actor=admin_user, job=job)
    assert counts == {"deleted": 6 + job.related_created, "restored": 1, "kept": 0}
    assert list(Contact.objects.values_list("pk", flat=True)) == [stored.pk]
    assert not Company.objects.exists()
    stored.refresh_from_db()
    assert stored.title == "旧职务" and stored.mobile == "" and stored.company_id is None
    assert stored.version == 3
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REVERTED
    undo = ObjectChange.objects.filter(request_id=job.revert_request_id)
    assert undo.filter(action="delete").count() == 6 + job.related_created
    assert undo.filter(action="restore", object_id=stored.pk).count() == 1


def test_undo_keeps_records_changed_since(admin_user: Any) -> None:
    from guanxi.customers.services import contact_update

    job = import_file(admin_user, "messy_contacts.csv", object_type="contacts")
    edited = Contact.objects.get(full_name="王芳")
    contact_update(actor=admin_user, instance=edited, title="经理")
    counts = revert_import(actor=admin_user, job=job)
    assert counts["kept"] >= 1
    assert Contact.objects.filter(pk=edited.pk).exists()


# --- permissions -------------------------------------------------------------------------------------------


def test_owners_only_within_the_importers_scope(role_user: Any, tmp_path: Path) -> None:
    east = make_team("East")
    rep = role_user("sales_rep", east, username="rep", email="rep@example.com")
    colleague = make_user("colleague", team=east, email="colleague@example.com")
    make_user("stranger", team=make_team("West"), email="stranger@example.com")
    path = tmp_path / "owners.csv"
    path.write_text(
        "name,email,owner\nMine,a@example.com,\nTheirs,b@example.com,colleague@example.com\n"
        "Other team,c@example.com,stranger@example.com\n",
        encoding="utf-8",
    )
    job = import_file(rep, path, object_type="contacts")
    owners = dict(Contact.objects.values_list("full_name", "owner__username"))
    assert owners["Mine"] == "rep"
    assert "Other team" not in owners
    assert (3, "owner", "not allowed to create this contact for that owner") in issues(job)
    if (
        "Theirs" in owners
    ):  # a representative may give records to someone of the own team only with team scope
        assert owners["Theirs"] == colleague.username


def test_update_mode_needs_edit_permission_on_the_match(
    role_user: Any, admin_user: Any, tmp_path: Path
) -> None:
    rep = role_user("sales_rep", make_team("East"), username="rep")
    theirs = contact_create(actor=admin_user, owner=admin_user, full_name="X", email="x@example.com")
    path = tmp_path / "x.csv"
    path.write_text("name,email,title\nX,x@example.com,CEO\n", encoding="utf-8")
    job = import_file(rep, path, object_type="contacts", on_duplicate="update")
    theirs.refresh_from_db()
    if job.failed:
        assert theirs.title == "" and "may not edit" in issues(job)[0][2]


def test_no_create_permission_refuses_the_import(tmp_path: Path) -> None:
    from django.core.exceptions import PermissionDenied

    from guanxi.core.testing import make_role

    viewer = make_user(role=make_role(contact={"view": "all"}))
    with pytest.raises(PermissionDenied):
        import_file(viewer, "messy_contacts.csv", object_type="contacts")


# --- events, custom fields, reports -----------------------------------------------------------------------


def test_import_finished_event(admin_user: Any, django_capture_on_commit_callbacks: Any) -> None:
    seen: list[events.Event] = []
    subscriber = events.subscribe(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = import_file(admin_user, "messy_contacts.csv", object_type="contacts")
    finally:
        events.unsubscribe(subscriber)
    finished = [e for e in seen if e.name == "import.finished"]
    assert len(finished) == 1
    assert finished[0].object_id == job.pk and finished[0].data["created"] == 7
    assert finished[0].request_id == job.request_id
    assert "import.finished" in events.domain_events()


def test_unmapped_columns_into_new_custom_fields(admin_user: Any) -> None:
    vendor_world()
    job = import_file(admin_user, "hubspot_contacts.csv")
    assert job.mapping["Lifecycle Stage"] == "custom:lifecycle_stage"
    field = CustomField.objects.get(object_type="contact", name="lifecycle_stage")
    assert field.type == "text"
    assert (
        Contact.objects.get(email="zhang.wei@bytedance.com").custom_field_data["lifecycle_stage"]
        == "Customer"
    )


def test_custom_field_values_are_validated(admin_user: Any, tmp_path: Path) -> None:
    CustomField.objects.create(
        object_type="contact", name="level", label="Level", type="choice", choices=["A", "B"]
    )
    path = tmp_path / "levels.csv"
    path.write_text("name,email,level\nOne,one@example.com,A\nTwo,two@example.com,Z\n", encoding="utf-8")
    job = import_file(admin_user, path, object_type="contacts", mapping={"level": "custom:level"})
    assert job.created == 1
    assert issues(job) == [(2, "level", "“Z” is not one of the choices.")]


def test_report_shape(admin_user: Any) -> None:
    job = import_file(admin_user, "messy_contacts.csv", object_type="contacts")
    data = report(job)
    assert {"rows", "created", "updated", "duplicates", "failed", "warnings", "errors"} <= set(data)
    assert data["errors"][0] == {"row": 3, "column": "姓名", "message": "This field cannot be blank."}


def test_unreadable_file(admin_user: Any, tmp_path: Path) -> None:
    from guanxi.transfer.readers import ReadError

    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(ReadError):
        import_create(actor=admin_user, source=path, file_name="image.csv", object_type="contacts")
    assert not ImportJob.objects.exists()


READER_FILES = {
    "contacts.json", "contacts.jsonl", "gbk_contacts.csv", "legacy_contacts.xls", "messy_contacts.csv",
    "semicolon_deals.csv", "utf16_contacts.txt", "workbook_two_sheets.xlsx",
}  # fmt: skip


def test_data_file_list_is_complete() -> None:
    """Every vendor export and reader file the tests name is in the data folder, and nothing else is:
    a file added there gets a test, and each preset has sample exports of its objects."""
    from guanxi.transfer.mapping import list_presets

    stored = {p.name for p in DATA.iterdir() if p.is_file() and p.suffix != ".py"}
    vendor_files = {name for names in VENDOR_FILES.values() for name in names}
    assert stored == vendor_files | READER_FILES
    assert sorted(VENDOR_FILES) == sorted(list_presets())


@pytest.mark.parametrize("workers", [0, 2])
def test_audit_values_of_imported_records_are_their_snapshot(admin_user: Any, workers: int) -> None:
    from guanxi.core import audit
    from guanxi.transfer.bulk import compact

    vendor_world()
    CustomField.objects.create(object_type="contact", name="level", label="Level", type="text")
    job = import_file(
        admin_user,
        "gbk_contacts.csv",
        object_type="contacts",
        workers=workers,
        batch_size=5,
        mapping={"备注": "custom:level"},
    )
    assert job.created > 5
    for contact in Contact.objects.all():
        change = ObjectChange.objects.get(object_type="contact", object_id=contact.pk, action="create")
        assert change.after == compact(audit.snapshot(contact, tags=[])), contact
