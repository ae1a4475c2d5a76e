"""`guanxi import`: exit statuses, the report's shape, dry runs, mapping files, acting users."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from guanxi.customers.models import Contact
from guanxi.transfer.models import ImportJob

from .support import DATA, salesforce_mapping, vendor_world

pytestmark = pytest.mark.django_db


def run(*args: str) -> None:
    call_command("import", *args, "--quiet")


def test_report_json(admin_user: Any, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    run("contacts", str(DATA / "messy_contacts.csv"), "--report", str(report))
    data = json.loads(report.read_text(encoding="utf-8"))
    assert set(data) == {"rows", "created", "updated", "duplicates", "failed", "warnings", "errors"}
    assert (data["rows"], data["created"], data["updated"], data["duplicates"], data["failed"]) == (
        10,
        7,
        0,
        1,
        2,
    )
    assert data["errors"] == [
        {"row": 3, "column": "姓名", "message": "This field cannot be blank."},
        {"row": 5, "column": "邮箱", "message": "Enter a valid email address."},
    ]
    assert data["warnings"] == 2  # a phone kept as typed, cells beyond the last column
    assert job_warnings() == [(8, "手机"), (10, "")]
    assert Contact.objects.count() == 7
    job = ImportJob.objects.get()
    assert job.created_by == admin_user and job.status == "finished"


def job_warnings() -> list[tuple[int, str]]:
    return list(ImportJob.objects.get().issues.filter(level="warning").values_list("row", "column"))


def test_exit_status_2_when_the_file_cannot_be_read(admin_user: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as info:
        run("contacts", str(tmp_path / "missing.csv"))
    assert info.value.returncode == 2 and "not found" in str(info.value)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(CommandError) as info:
        run("contacts", str(bad))
    assert info.value.returncode == 2


def test_exit_status_2_when_the_columns_cannot_be_mapped(admin_user: Any, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        run("contacts", str(path))
    assert info.value.returncode == 2
    assert "\n" not in str(info.value)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  foo: no_such_field\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        run("contacts", str(path), "--map", str(mapping))
    assert info.value.returncode == 2 and "no_such_field" in str(info.value)
    with pytest.raises(CommandError) as info:
        run("unicorns", str(path))
    assert info.value.returncode == 2


def test_rejected_rows_still_exit_0(admin_user: Any, tmp_path: Path) -> None:
    path = tmp_path / "all-bad.csv"
    path.write_text("name,email\n,a@b.cn\nX,not-an-email\n", encoding="utf-8")
    run("contacts", str(path))  # no exception: the file was processed
    assert ImportJob.objects.get().failed == 2


def test_dry_run_and_duplicate_handling(admin_user: Any, tmp_path: Path) -> None:
    run("contacts", str(DATA / "messy_contacts.csv"), "--dry-run")
    assert Contact.objects.count() == 0
    run("contacts", str(DATA / "messy_contacts.csv"))
    report = tmp_path / "r.json"
    run("contacts", str(DATA / "messy_contacts.csv"), "--on-duplicate", "update", "--report", str(report))
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (data["created"], data["updated"]) == (0, 0)


def test_mapping_file_with_users_and_preset(admin_user: Any, tmp_path: Path) -> None:
    vendor_world()
    report = tmp_path / "r.json"
    run(
        "contacts",
        str(DATA / "salesforce_contacts.csv"),
        "--preset",
        "salesforce",
        "--map",
        str(salesforce_mapping(tmp_path)),
        "--report",
        str(report),
    )
    assert json.loads(report.read_text(encoding="utf-8"))["created"] == 15


def test_import_as_a_user(role_user: Any, tmp_path: Path) -> None:
    from guanxi.core.testing import make_team

    rep = role_user("sales_rep", make_team("East"), username="rep")
    run("contacts", str(DATA / "messy_contacts.csv"), "--as", "rep")
    assert set(Contact.objects.values_list("owner_id", flat=True)) == {rep.pk}
    with pytest.raises(CommandError):
        run("contacts", str(DATA / "messy_contacts.csv"), "--as", "nobody")


def test_the_guanxi_command_exits_with_2(tmp_path: Path) -> None:
    """Through the real `guanxi` console script: a one-line reason and status 2."""
    result = subprocess.run(
        [sys.executable, "-m", "guanxi.cli", "import", "contacts", str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **__import__("os").environ,
            "GUANXI_DATA_DIR": str(tmp_path / "data"),
            "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        },
    )
    assert result.returncode == 2, result.stderr
    assert "not found" in result.stderr and len(result.stderr.strip().splitlines()) == 1
