"""Exports: the list's filters, only what the user sees, custom fields, formula cells neutralised, and an
export that imports back into Guanxi unchanged."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from guanxi.activities.models import Activity
from guanxi.core.models import CustomField, ExternalRef
from guanxi.core.testing import make_role, make_team, make_user
from guanxi.customers.models import Company, Contact
from guanxi.customers.services import company_create, contact_create
from guanxi.sales.models import Deal, Lead
from guanxi.transfer.export import export_to, neutralise
from guanxi.transfer.readers import open_table

from .support import import_file, vendor_world

pytestmark = pytest.mark.django_db

ORDER = [("companies", "company"), ("contacts", "contact"), ("leads", "lead"), ("deals", "deal"),
         ("activities", "activity")]  # fmt: skip
VOLATILE = {"id", "created_at", "updated_at"}


def export_bytes(user: Any, key: str, fmt: str, **filters: Any) -> bytes:
    out = io.BytesIO()
    export_to(user, key, filters, fmt, out)
    return out.getvalue()


def table(data: bytes, fmt: str, tmp_path: Path) -> tuple[list[str], list[list[str]]]:
    path = tmp_path / f"t.{fmt}"
    path.write_bytes(data)
    with open_table(path) as t:
        return list(t.headers), [cells for _n, cells in t.rows()]


def comparable(headers: list[str], rows: list[list[str]]) -> list[dict[str, str]]:
    return [{h: v for h, v in zip(headers, row, strict=True) if h not in VOLATILE} for row in rows]


@pytest.fixture
def world(admin_user: Any) -> dict[str, Any]:
    """Records of every kind, from the HubSpot samples, with custom fields, tags and formula-like text."""
    users = vendor_world()
    for name in (
        "hubspot_companies.csv",
        "hubspot_contacts.csv",
        "hubspot_leads.csv",
        "hubspot_deals.csv",
        "hubspot_calls.csv",
        "hubspot_tasks.csv",
    ):
        job = import_file(admin_user, name)
        assert job.status == "finished", job.error
    CustomField.objects.create(
        object_type="contact", name="level", label="Level", type="choice", choices=["A", "B"]
    )
    CustomField.objects.create(
        object_type="contact",
        name="hobbies",
        label="Hobbies",
        type="multichoice",
        choices=["golf", "tea", "go"],
    )
    CustomField.objects.create(object_type="contact", name="budget", label="Budget", type="money")
    CustomField.objects.create(object_type="contact", name="since", label="Since", type="date")
    CustomField.objects.create(object_type="contact", name="vip", label="VIP", type="boolean")
    company = company_create(
        actor=admin_user,
        owner=users["li.na"],
        name="-Minus 科技有限公司",
        tags=["重点", "华东"],
        notes="=SUM(1,2)",
    )
    contact_create(
        actor=admin_user,
        owner=users["wang.wei"],
        full_name="公式 测试",
        email="formula@example.com",
        mobile="+86 139 1111 2222",
        title="+CEO",
        wechat="@me",
        notes='=HYPERLINK("http://evil")',
        company=company,
        tags=["重点"],
        custom_fields={
            "level": "A",
            "hobbies": ["golf", "tea"],
            "budget": {"amount": "12.50", "currency": "USD"},
            "since": "2024-05-01",
            "vip": True,
        },
    )
    return users


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_an_export_imports_back_unchanged(
    world: dict[str, Any], admin_user: Any, fmt: str, tmp_path: Path
) -> None:
    exported = {key: export_bytes(admin_user, key, fmt) for _obj, key in ORDER}
    before = {key: table(data, fmt, tmp_path) for key, data in exported.items()}
    assert len(before["contact"][1]) == Contact.objects.count() == 16
    assert all(len(rows) > 0 for _headers, rows in before.values())
    # Into an empty installation (the same database, emptied): import each export in order.
    Activity.objects.all().delete()
    Deal.objects.all().delete()
    Lead.objects.all().delete()
    Contact.objects.all().delete()
    Company.objects.all().delete()
    ExternalRef.objects.all().delete()
    for obj, key in ORDER:
        path = tmp_path / f"{obj}.{fmt}"
        path.write_bytes(exported[key])
        job = import_file(admin_user, path, object_type=obj)
        assert job.status == "finished", (obj, job.error)
        assert job.failed == 0, (obj, list(job.issues.values_list("row", "column", "message")[:5]))
        assert job.created == len(before[key][1]), obj
    for _obj, key in ORDER:
        headers, rows = table(export_bytes(admin_user, key, fmt), fmt, tmp_path)
        assert headers == before[key][0]
        assert comparable(headers, rows) == comparable(*before[key]), key


def test_reimport_into_the_same_installation_changes_nothing(
    world: dict[str, Any], admin_user: Any, tmp_path: Path
) -> None:
    for obj, key in ORDER:
        path = tmp_path / f"{obj}.csv"
        path.write_bytes(export_bytes(admin_user, key, "csv"))
        if obj in ("deals", "activities"):
            continue  # these match only by source id: a re-import would add them again
        job = import_file(admin_user, path, object_type=obj, on_duplicate="update")
        assert (job.created, job.updated, job.failed) == (0, 0, 0), (obj, job.issues.values_list("message"))


def test_formula_cells_are_neutralised(world: dict[str, Any], admin_user: Any, tmp_path: Path) -> None:
    assert neutralise("=1+1") == "'=1+1" and neutralise("+86") == "'+86" and neutralise("-x") == "'-x"
    assert neutralise("@a") == "'@a" and neutralise("\tx") == "'\tx" and neutralise("\rx") == "'\rx"
    assert neutralise("张三") == "张三" and neutralise("") == ""
    text = export_bytes(admin_user, "contact", "csv", q="formula").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["notes"] == '\'=HYPERLINK("http://evil")'
    assert row["title"] == "'+CEO" and row["wechat"] == "'@me" and row["mobile"] == "'+86 139 1111 2222"
    assert row["company"] == "'-Minus 科技有限公司"
    # In a spreadsheet the cell keeps its text and is marked as text (quote prefix), never a formula.
    data = export_bytes(admin_user, "contact", "xlsx", q="formula")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    assert "<f>" not in sheet and 'quotePrefix="1"' in styles
    headers, rows_x = table(data, "xlsx", tmp_path)
    assert rows_x[0][headers.index("notes")] == '=HYPERLINK("http://evil")'


def test_custom_fields_and_tags_are_exported(world: dict[str, Any], admin_user: Any) -> None:
    data = json.loads(export_bytes(admin_user, "contact", "json", q="formula"))
    assert data[0]["custom:level"] == "A"
    assert data[0]["custom:hobbies"] == "golf, tea"
    assert data[0]["custom:budget"] == "12.50 USD"
    assert data[0]["custom:vip"] == "true"
    assert data[0]["tags"] == "重点"
    company = json.loads(export_bytes(admin_user, "company", "json", q="minus"))[0]
    assert company["tags"] == "华东, 重点"


def test_an_export_holds_only_visible_records_and_the_filters(role_user: Any, admin_user: Any) -> None:
    team = make_team("East")
    rep = role_user("sales_rep", team, username="rep")
    other = make_user("other", team=make_team("West"))
    contact_create(actor=admin_user, owner=rep, full_name="Mine", email="mine@example.com", city="上海")
    contact_create(actor=admin_user, owner=rep, full_name="Mine too", email="mine2@example.com", city="杭州")
    contact_create(actor=admin_user, owner=other, full_name="Theirs", email="theirs@example.com", city="上海")
    scope = Contact.objects.visible_to(rep)
    rows = list(csv.DictReader(io.StringIO(export_bytes(rep, "contact", "csv").decode("utf-8-sig"))))
    assert {r["full_name"] for r in rows} == set(scope.values_list("full_name", flat=True))
    assert "Theirs" not in {r["full_name"] for r in rows} or scope.filter(full_name="Theirs").exists()
    rows = list(
        csv.DictReader(
            io.StringIO(export_bytes(admin_user, "contact", "csv", city="上海").decode("utf-8-sig"))
        )
    )
    assert sorted(r["full_name"] for r in rows) == ["Mine", "Theirs"]


def test_export_view_streams_the_filtered_list(role_user: Any, admin_user: Any) -> None:
    rep = role_user("sales_rep", make_team("East"), username="rep")
    contact_create(actor=admin_user, owner=rep, full_name="Mine", email="mine@example.com", city="上海")
    contact_create(
        actor=admin_user, owner=admin_user, full_name="Boss's", email="boss@example.com", city="上海"
    )
    client = Client()
    client.force_login(rep)
    response = client.get("/data/export/contact/", {"format": "csv", "city": "上海", "cursor": "x"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    names = [r["full_name"] for r in csv.DictReader(io.StringIO(body))]
    assert "Mine" in names
    if not Contact.objects.visible_to(rep).filter(full_name="Boss's").exists():
        assert "Boss's" not in names
    response = client.get("/data/export/contact/", {"format": "xlsx"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    response = client.get("/data/export/contact/", {"format": "json"})
    assert json.loads(b"".join(response.streaming_content))
    assert client.get("/data/export/contact/", {"format": "pdf"}).status_code == 400
    viewer = make_user(role=make_role(company={"view": "all"}))
    client.force_login(viewer)
    assert client.get("/data/export/contact/", {"format": "csv"}).status_code == 404


def test_large_spreadsheets_are_made_in_the_background(
    admin_user: Any, settings: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from guanxi.transfer import export as export_module
    from guanxi.transfer.models import ExportJob

    monkeypatch.setattr(export_module, "XLSX_BACKGROUND_ROWS", 1)
    for i in range(3):
        contact_create(actor=admin_user, full_name=f"P{i}", email=f"p{i}@example.com")
    client = Client()
    client.force_login(admin_user)
    response = client.get("/data/export/contact/", {"format": "xlsx"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FINISHED and job.rows_done == 3
    download = client.get(f"/data/exports/{job.pk}/", {"download": "1"})
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"


def test_cli_export(admin_user: Any, tmp_path: Path) -> None:
    contact_create(actor=admin_user, full_name="上海人", email="sh@example.com", city="上海")
    contact_create(actor=admin_user, full_name="杭州人", email="hz@example.com", city="杭州")
    out = tmp_path / "c.csv"
    call_command(
        "export",
        "contacts",
        "--format",
        "csv",
        "-o",
        str(out),
        "--filter",
        "city=上海",
        "--as",
        admin_user.username,
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["full_name"] for r in rows] == ["上海人"]
    out = tmp_path / "c.xlsx"
    call_command("export", "contacts", "--format", "xlsx", "-o", str(out))
    assert out.read_bytes()[:2] == b"PK"
    # A filter the list does not have is refused (it would otherwise export everything).
    out = tmp_path / "none.csv"
    with pytest.raises(CommandError) as info:
        call_command("export", "contacts", "-o", str(out), "--filter", "cty=上海")
    assert info.value.returncode == 2 and "'cty'" in str(info.value) and "city" in str(info.value)
    assert not out.exists()
    with pytest.raises(CommandError) as info:
        call_command("export", "contacts", "--filter", "city")
    assert info.value.returncode == 2
    with pytest.raises(CommandError) as info:
        call_command("export", "contacts", "-o", str(out), "--filter", "created_after=yesterday")
    assert info.value.returncode == 2 and "created_after" in str(info.value)
    assert not out.exists()
