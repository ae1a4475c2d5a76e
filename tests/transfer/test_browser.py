"""The import, duplicate and export pages in a browser: the whole web flow as a person goes through it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from guanxi.core.testing.factories import PASSWORD
from guanxi.customers.models import Contact
from guanxi.customers.services import contact_create
from guanxi.transfer.models import ImportJob

from .support import DATA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, user: Any) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")


def open_menu(page: Any, section: str, item: str) -> None:
    page.locator(".gx-navbar .nav-link.dropdown-toggle", has_text=section).click()
    with page.expect_navigation():
        page.locator(".gx-navbar .dropdown-menu.show .dropdown-item", has_text=item).click()


def test_upload_map_dry_run_import_report_undo(page: Any, live_server: Any, admin_user: Any) -> None:
    base = live_server.url
    sign_in(page, base, admin_user)
    open_menu(page, "Data", "Imports")
    expect(page.locator("h2.page-title")).to_have_text("Imports")
    with page.expect_navigation():
        page.click("#new-import")
    page.set_input_files("#id_file", str(DATA / "messy_contacts.csv"))
    page.select_option("#id_object_type", "contacts")
    with page.expect_navigation():
        page.click("#upload-button")
    job = ImportJob.objects.get()
    expect(page).to_have_url(f"{base}/data/imports/{job.pk}/")
    # The preview shows the first rows under the proposed mapping; the user drops the notes column.
    expect(page.locator("#preview-table tbody tr")).to_have_count(10)
    expect(page.locator("select[data-column='姓名']")).to_have_value("full_name")
    expect(page.locator("select[data-column='邮箱']")).to_have_value("email")
    page.select_option("select[data-column='备注']", "")
    # Duplicate handling: "create anyway" first, then back to skipping; the choice is kept for the run.
    page.check("input[name='on_duplicate'][value='create']")
    page.check("input[name='on_duplicate'][value='skip']")
    with page.expect_navigation():
        page.click("#dry-run-button")
    expect(page.locator("#dry-run-result")).to_be_visible()
    expect(page.locator("input[name='on_duplicate'][value='skip']")).to_be_checked()
    expect(page.locator("select[data-column='备注']")).to_have_value("")
    expect(page.locator("#dry-run-counts")).to_contain_text("7")
    expect(page.locator("#dry-run-errors tbody tr")).to_have_count(2)
    assert Contact.objects.count() == 0
    with page.expect_navigation():
        page.click("#import-button")
    expect(page.locator("#import-status")).to_have_text("finished")
    expect(page.locator("#report-counts [data-count='created']")).to_have_text("7")
    expect(page.locator("#report-counts [data-count='failed']")).to_have_text("2")
    expect(page.locator("#import-errors")).to_contain_text("Enter a valid email address.")
    expect(page.locator("#progress-numbers")).to_contain_text("7 created")
    with page.expect_download() as download:
        page.click("#rejected-button")
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "reason" in content.splitlines()[0] and "not-an-email" in content
    assert Contact.objects.count() == 7
    job.refresh_from_db()
    assert job.on_duplicate == "skip" and job.mapping["备注"] is None
    assert not Contact.objects.exclude(notes="").exists()  # the dropped column was not imported
    with page.expect_navigation():
        page.click("#undo-button")
    with page.expect_navigation():
        page.click("#confirm-undo")
    expect(page.locator("#import-status")).to_have_text("undone")
    expect(page.locator("#undo-result")).to_contain_text("13 records deleted")  # 7 contacts, 6 companies
    assert Contact.objects.count() == 0
    open_menu(page, "Data", "Imports")
    expect(page.locator("#import-table tbody tr")).to_have_count(1)


def test_review_and_merge_duplicates(page: Any, live_server: Any, admin_user: Any) -> None:
    first = contact_create(actor=admin_user, full_name="王芳", email="wang@example.com", title="经理")
    second = contact_create(actor=admin_user, full_name="王芳", email="WANG@example.com", title="采购经理")
    base = live_server.url
    sign_in(page, base, admin_user)
    open_menu(page, "Data", "Duplicates")
    with page.expect_navigation():
        page.click("#scan-button")
    expect(page.locator("#pair-table tbody tr[data-pair]")).to_have_count(1)
    with page.expect_navigation():
        page.locator("#pair-table a.btn", has_text="Review").click()
    page.locator("tr[data-field='title'] input[value='second']").check()
    with page.expect_navigation():
        page.click("#merge-button")
    expect(page).to_have_url(re.compile(rf"/customers/contacts/{first.pk}/$"))
    assert not Contact.objects.filter(pk=second.pk).exists()
    assert Contact.objects.get(pk=first.pk).title == "采购经理"
    open_menu(page, "Data", "Duplicates")
    with page.expect_navigation():
        page.locator("#merge-list button", has_text="Undo").click()
    assert Contact.objects.filter(pk=second.pk).exists()
    assert Contact.objects.get(pk=first.pk).title == "经理"


def test_export_menu_exports_the_filtered_list(page: Any, live_server: Any, admin_user: Any) -> None:
    contact_create(actor=admin_user, full_name="上海人", email="sh@example.com", city="上海")
    contact_create(actor=admin_user, full_name="杭州人", email="hz@example.com", city="杭州")
    base = live_server.url
    sign_in(page, base, admin_user)
    page.goto(f"{base}/customers/contacts/")
    page.fill("#id_city", "上海")
    with page.expect_response(re.compile(r"/customers/contacts/\?")):
        page.locator("#filter-form button[type=submit]").click()
    expect(page.locator("#object-list tbody tr[data-id]")).to_have_count(1)
    page.click("#export-button")
    with page.expect_download() as download:
        page.locator("#export-menu .dropdown-item", has_text="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "上海人" in text and "杭州人" not in text
