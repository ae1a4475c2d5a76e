"""The import pages: upload → preview and mapping → dry run → import → report → rejected rows → undo."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from guanxi.core.testing import make_role, make_user
from guanxi.customers.models import Contact
from guanxi.transfer.models import ImportJob

from .support import DATA, vendor_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_admin(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def upload(client: Client, name: str, **fields: str) -> Any:
    with open(DATA / name, "rb") as handle:
        return client.post("/data/imports/new/", {"file": handle, **fields})


def mapping_post(job: ImportJob, action: str, **changes: str) -> dict[str, str]:
    data = {f"col_{i}": (job.mapping.get(h) or "") for i, h in enumerate(job.headers)}
    data.update(on_duplicate=job.on_duplicate, system=job.system, action=action)
    data.update(changes)
    return data


def test_the_whole_flow(client_admin: Client, django_capture_on_commit_callbacks: Any) -> None:
    assert client_admin.get("/data/imports/").status_code == 200
    assert client_admin.get("/data/imports/new/").status_code == 200
    response = upload(client_admin, "messy_contacts.csv", object_type="contacts")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/data/imports/{job.pk}/"
    page = client_admin.get(f"/data/imports/{job.pk}/").content.decode()
    assert 'id="preview-table"' in page and "Zhang.Wei@ByteDance.com" in page
    assert 'value="full_name" selected' in page
    # Do not import the notes; dry run.
    notes = job.headers.index("备注")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_admin.post(
            f"/data/imports/{job.pk}/", mapping_post(job, "dry_run", **{f"col_{notes}": ""})
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and job.mapping["备注"] is None
    page = client_admin.get(f"/data/imports/{job.pk}/").content.decode()
    assert 'id="dry-run-result"' in page and Contact.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client_admin.post(f"/data/imports/{job.pk}/", mapping_post(job, "import", on_duplicate="skip"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FINISHED and job.created == 7
    assert not Contact.objects.exclude(notes="").exists()
    page = client_admin.get(f"/data/imports/{job.pk}/").content.decode()
    assert (
        'id="import-report"' in page
        and 'id="import-errors"' in page
        and "Enter a valid email address." in page
    )
    progress = client_admin.get(f"/data/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    rejected = client_admin.get(f"/data/imports/{job.pk}/rejected.csv")
    assert rejected.status_code == 200 and "not-an-email" in rejected.content.decode("utf-8-sig")
    assert client_admin.get(f"/data/imports/{job.pk}/undo/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client_admin.post(f"/data/imports/{job.pk}/undo/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REVERTED and Contact.objects.count() == 0
    assert "Undone" in client_admin.get(f"/data/imports/{job.pk}/").content.decode()


def test_owner_mapping_on_the_page(client_admin: Client, django_capture_on_commit_callbacks: Any) -> None:
    users = vendor_world()
    upload(client_admin, "salesforce_contacts.csv")
    job = ImportJob.objects.get()
    page = client_admin.get(f"/data/imports/{job.pk}/").content.decode()
    assert 'id="owner-table"' in page and "0055g00000000000AAQ" in page
    owner_fields = {
        "owner_0": str(users["li.na"].pk),
        "owner_1": str(users["wang.wei"].pk),
        "owner_2": str(users["sarah.lee"].pk),
    }
    with django_capture_on_commit_callbacks(execute=True):
        client_admin.post(f"/data/imports/{job.pk}/", mapping_post(job, "import", **owner_fields))
    job.refresh_from_db()
    assert job.created == 15
    assert Contact.objects.get(email="zhang.wei@bytedance.com").owner == users["li.na"]


def test_unreadable_upload_shows_the_reason(client_admin: Client, tmp_path: Any) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"%PDF-1.7 not a table")
    with open(path, "rb") as handle:
        response = client_admin.post("/data/imports/new/", {"file": handle, "object_type": "contacts"})
    assert response.status_code == 400 and "PDF" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_imports_need_create_permission_and_are_private() -> None:
    viewer = make_user(role=make_role(contact={"view": "all"}))
    client = Client()
    client.force_login(viewer)
    assert client.get("/data/imports/").status_code == 403
    assert client.get("/data/imports/new/").status_code == 403
    owner = make_user(role=make_role(contact="all"))
    other = make_user(role=make_role(contact="all"))
    client.force_login(owner)
    upload(client, "messy_contacts.csv", object_type="contacts")
    job = ImportJob.objects.get()
    client.force_login(other)
    assert client.get(f"/data/imports/{job.pk}/").status_code == 404
    assert client.post(f"/data/imports/{job.pk}/cancel/").status_code == 404


def test_menu_has_a_data_section(client_admin: Client) -> None:
    page = client_admin.get("/data/imports/").content.decode()
    assert "/data/duplicates/" in page and "/data/imports/" in page


def test_list_pages_offer_an_export_menu(client_admin: Client) -> None:
    page = client_admin.get("/customers/contacts/?city=上海").content.decode()
    assert 'id="export-menu"' in page
    assert "/data/export/contact/?format=xlsx&amp;city=%E4%B8%8A%E6%B5%B7" in page


def test_the_chinese_catalogue_is_complete() -> None:
    import re
    from pathlib import Path

    po = Path(__file__).resolve().parents[2] / "src/guanxi/transfer/locale/zh_Hans/LC_MESSAGES/django.po"
    text = po.read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text and "#, fuzzy" not in text
    placeholder = re.compile(r"%\(\w+\)[sdfi]")
    for block in text.split("\n\n")[1:]:
        msgid = "".join(
            re.findall(r'"(.*)"', block.split("msgstr")[0].split("msgid_plural")[0].split("msgid", 1)[1])
        )
        msgstr = "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[1]))
        assert msgstr.strip(), msgid
        assert sorted(placeholder.findall(msgstr)) == sorted(placeholder.findall(msgid)), msgid


def test_pages_in_chinese(client_admin: Client) -> None:
    from pathlib import Path

    mo = Path(__file__).resolve().parents[2] / "src/guanxi/transfer/locale/zh_Hans/LC_MESSAGES/django.mo"
    if not mo.exists():
        pytest.skip("catalogues not compiled (make install compiles them)")
    client_admin.cookies["guanxi_language"] = "zh-hans"
    page = client_admin.get("/data/imports/").content.decode()
    assert "新建导入" in page and "还没有导入" in page


def test_our_translations_are_the_ones_used() -> None:
    """Another app's catalogue may translate the same text: then both must say the same."""
    import re
    from pathlib import Path

    from django.utils import translation

    po = Path(__file__).resolve().parents[2] / "src/guanxi/transfer/locale/zh_Hans/LC_MESSAGES/django.po"
    if not po.with_suffix(".mo").exists():
        pytest.skip("catalogues not compiled (make install compiles them)")
    wrong = []
    with translation.override("zh-hans"):
        for block in po.read_text(encoding="utf-8").split("\n\n")[1:]:
            if "msgid_plural" in block:
                continue
            context = re.search(r'^msgctxt "(.*)"', block, re.M)
            msgid = "".join(re.findall(r'"(.*)"', block.split("msgstr")[0].split("msgid", 1)[1]))
            msgstr = "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[1]))
            msgid, msgstr = (
                bytes(t, "utf-8").decode("unicode_escape").encode("latin-1").decode() for t in (msgid, msgstr)
            )
            got = translation.pgettext(context.group(1), msgid) if context else translation.gettext(msgid)
            if got != msgstr:
                wrong.append((msgid, msgstr, got))
    assert not wrong, wrong
