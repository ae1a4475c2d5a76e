"""The administrator's settings: users, teams, roles with the grant matrix, custom fields, the audit log."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from guanxi.core.audit import ObjectChange
from guanxi.core.models import CustomField
from guanxi.customers.models import Contact
from guanxi.customers.services import contact_create
from guanxi.users.models import Role, Team, User

from .support import App

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_settings_home_links_every_settings_page(admin_app: App) -> None:
    app, page = admin_app, admin_app.page
    app.open_menu("Settings", "Users")
    expect(app.title()).to_have_text("Users")
    with page.expect_navigation():
        page.locator(".page-pretitle a", has_text="Settings").click()
    expect(app.title()).to_have_text("Settings")
    for card, title in [
        ("Users", "Users"),
        ("Teams", "Teams"),
        ("Roles and permissions", "Roles and permissions"),
        ("Custom fields", "Custom fields"),
        ("Audit log", "Audit log"),
    ]:
        app.go("/settings/")
        with page.expect_navigation():
            page.locator(".card-link", has=page.locator(".card-title", has_text=card)).click()
        expect(app.title()).to_have_text(title)


def test_create_a_user_and_see_the_generated_password_once_then_edit_them(admin_app: App) -> None:
    app, page = admin_app, admin_app.page
    app.go("/settings/users/")
    expect(page.locator("#user-table")).to_contain_text("boss")
    with page.expect_navigation():
        page.get_by_role("link", name="New user").click()
    expect(app.title()).to_have_text("New user")
    page.fill("#id_username", "mei.lin")
    page.fill("#id_display_name", "林梅")
    page.fill("#id_email", "mei.lin@example.com")
    page.select_option("#id_team", label="HQ")
    page.select_option("#id_role", label="Sales representative")
    page.select_option("#id_language", "zh-hans")
    app.submit(page.get_by_role("button", name="Save"))

    expect(page).to_have_url(app.url("/settings/users/"))
    warning = app.messages().filter(has_text="mei.lin")
    expect(warning).to_contain_text("it is shown only now")
    password = re.search(r"mei\.lin: (\S+) —", warning.inner_text())
    assert password, warning.inner_text()
    row = page.locator("#user-table tr", has_text="mei.lin")
    expect(row).to_contain_text("林梅")
    expect(row).to_contain_text("HQ")
    expect(row).to_contain_text("Sales representative")
    user = User.objects.get(username="mei.lin")
    assert user.check_password(password.group(1))
    app.shot("users-created")

    app.go("/settings/users/")
    expect(page.locator("body")).not_to_contain_text(password.group(1))  # shown once only

    with page.expect_navigation():
        row.get_by_role("link", name="mei.lin").click()
    expect(app.title()).to_have_text("mei.lin")
    page.fill("#id_display_name", "林美")
    page.uncheck("#id_is_active")
    app.submit(page.get_by_role("button", name="Save"))
    expect(app.messages()).to_contain_text("Saved 林美.")
    row = page.locator("#user-table tr", has_text="mei.lin")
    expect(row).to_contain_text("林美")
    user.refresh_from_db()
    assert (user.display_name, user.is_active, user.version) == ("林美", False, 2)


def test_a_new_user_with_a_weak_password_is_refused_with_the_reason(admin_app: App) -> None:
    app, page = admin_app, admin_app.page
    app.go("/settings/users/new/")
    page.fill("#id_username", "weak")
    page.fill("#id_password", "123")
    app.submit(page.get_by_role("button", name="Save"), status=400)
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    assert not User.objects.filter(username="weak").exists()


def test_create_and_rename_a_team(admin_app: App) -> None:
    app, page = admin_app, admin_app.page
    app.go("/settings/teams/")
    with page.expect_navigation():
        page.get_by_role("link", name="New team").click()
    page.fill("#id_name", "华南销售")
    page.fill("#id_description", "广州和深圳")
    app.submit(page.get_by_role("button", name="Save"))
    expect(page).to_have_url(app.url("/settings/teams/"))
    expect(page.locator("table")).to_contain_text("华南销售")
    with page.expect_navigation():
        page.get_by_role("link", name="华南销售").click()
    page.fill("#id_name", "华南大区")
    app.submit(page.get_by_role("button", name="Save"))
    expect(page.locator("table")).to_contain_text("华南大区")
    assert Team.objects.filter(name="华南大区", description="广州和深圳").exists()


def grant(page: Any, object_type: str, action: str) -> Any:
    return page.locator(f"#grant-matrix select[name=grant__{object_type}__{action}]")


def test_roles_show_their_grant_matrix_and_a_new_role_saves_it(admin_app: App) -> None:
    app, page = admin_app, admin_app.page
    rep = Role.objects.get(code="sales_rep")
    app.go("/settings/roles/")
    with page.expect_navigation():
        page.get_by_role("link", name="Sales representative").click()
    expect(page).to_have_url(app.url(f"/settings/roles/{rep.pk}/"))
    matrix = page.locator("#grant-matrix")
    expect(matrix).to_be_visible()
    expect(matrix.locator("tbody tr", has_text="Contacts")).to_have_count(1)
    expect(matrix.locator("tbody tr", has_text="Companies")).to_have_count(1)
    expect(grant(page, "contact", "view")).to_have_value(rep.grants["contact"]["view"])
    expect(grant(page, "contact", "edit")).to_have_value(rep.grants["contact"]["edit"])
    expect(page.locator("#id_name")).to_be_disabled()  # a built-in role keeps its name
    app.shot("role-sales-rep")

    app.go("/settings/roles/new/")
    page.fill("#id_name", "Auditor")
    page.fill("#id_description", "Reads contacts, nothing else")
    grant(page, "contact", "view").select_option("all")
    grant(page, "company", "view").select_option("team")
    app.submit(page.get_by_role("button", name="Save"))
    expect(page).to_have_url(app.url("/settings/roles/"))
    expect(page.get_by_role("link", name="Auditor")).to_be_visible()
    role = Role.objects.get(name="Auditor")
    assert role.grants["contact"] == {"view": "all", "create": "none", "edit": "none", "delete": "none"}
    assert role.grants["company"]["view"] == "team"

    # Editing a grant in the matrix.
    with page.expect_navigation():
        page.get_by_role("link", name="Auditor").click()
    expect(grant(page, "contact", "view")).to_have_value("all")
    grant(page, "contact", "edit").select_option("own")
    app.submit(page.get_by_role("button", name="Save"))
    role.refresh_from_db()
    assert role.grants["contact"]["edit"] == "own"


def test_the_administrator_role_does_not_claim_it_may_do_nothing(admin_app: App) -> None:
    role = Role.objects.get(code="administrator")
    admin_app.go(f"/settings/roles/{role.pk}/")
    expect(grant(admin_app.page, "contact", "view")).not_to_have_value("none")


def test_a_custom_field_appears_on_the_contact_form_detail_and_list(admin_app: App, admin_user: Any) -> None:
    app, page = admin_app, admin_app.page
    app.go("/settings/custom-fields/")
    expect(page.locator("#customfield-table")).to_contain_text("No custom fields yet.")
    with page.expect_navigation():
        page.click("#new-custom-field")
    form = page.locator("#customfield-form")
    form.locator("#id_object_type").select_option("contact")
    form.locator("#id_name").fill("customer_level")
    form.locator("#id_label").fill("Customer level")
    form.locator("#id_label_zh").fill("客户等级")
    form.locator("#id_type").select_option("choice")
    form.locator("#id_choices_text").fill("VIP\nA\nB\nC")
    form.locator("#id_show_in_list").check()
    app.submit(form.get_by_role("button", name="Save"))
    expect(page).to_have_url(app.url("/settings/custom-fields/"))
    row = page.locator("#customfield-table tbody tr", has_text="Customer level")
    expect(row).to_contain_text("customer_level")
    expect(row).to_contain_text("Choice")
    app.shot("customfields")

    # The contact form offers it, validates it, the detail page and the list show it.
    app.go("/customers/contacts/new/")
    select = page.locator("#id_cf_customer_level")
    expect(page.locator("label[for=id_cf_customer_level]")).to_have_text("Customer level")
    expect(select.locator("option")).to_contain_text(["VIP", "A", "B", "C"])
    page.fill("#id_full_name", "钱七")
    select.select_option("A")
    app.submit("#save-button")
    contact = Contact.objects.get(full_name="钱七")
    assert contact.custom_field_data == {"customer_level": "A"}
    expect(app.detail_value("Customer level")).to_have_text("A")

    # A change of it is in the record's history under its label.
    with page.expect_navigation():
        page.click("#edit-button")
    expect(select).to_have_value("A")
    select.select_option("VIP")
    app.submit("#save-button")
    expect(app.detail_value("Customer level")).to_have_text("VIP")
    history_row = page.locator("#history tr", has=page.locator("th", has_text="Customer level"))
    expect(history_row.locator("del")).to_have_text("A")
    expect(history_row.locator("td").last).to_have_text("VIP")

    app.go("/customers/contacts/")
    assert "Customer level" in app.column_headers()
    index = app.column_headers().index("Customer level")
    expect(app.rows().first.locator("td").nth(index)).to_have_text("VIP")

    # And the list filters on it.
    contact_create(
        actor=admin_user, owner=admin_user, full_name="孙八", custom_fields={"customer_level": "B"}
    )
    app.go("/customers/contacts/?cf_customer_level=B")
    expect(app.rows()).to_have_count(1)
    expect(app.rows().first).to_contain_text("孙八")


def test_a_required_custom_field_is_required_on_the_form(admin_app: App) -> None:
    app, page = admin_app, admin_app.page
    app.go("/settings/custom-fields/new/")
    page.select_option("#id_object_type", "company")
    page.fill("#id_name", "tax_id")
    page.fill("#id_label", "Tax ID")
    page.select_option("#id_type", "text")
    page.check("#id_required")
    app.submit(page.locator("#customfield-form").get_by_role("button", name="Save"))
    assert CustomField.objects.filter(name="tax_id", required=True).exists()

    app.go("/customers/companies/new/")
    page.fill("#id_name", "鼎盛贸易")
    app.submit("#save-button", status=400)
    expect(page.locator("[data-error-for=cf_tax_id]")).to_be_visible()
    page.fill("#id_cf_tax_id", "91310000MA1FL0000X")
    app.submit("#save-button")
    expect(app.detail_value("Tax ID")).to_have_text("91310000MA1FL0000X")


def test_a_custom_field_key_with_capitals_is_refused_on_the_form(admin_app: App) -> None:
    app, page = admin_app, admin_app.page
    app.go("/settings/custom-fields/new/")
    page.select_option("#id_object_type", "contact")
    page.fill("#id_name", "Level")
    page.fill("#id_label", "Level")
    page.select_option("#id_type", "text")
    app.submit(page.locator("#customfield-form").get_by_role("button", name="Save"), status=400)
    expect(page.locator("[data-error-for=name]")).to_be_visible()
    assert not CustomField.objects.exists()


def test_the_audit_log_lists_changes_and_filters_them(admin_app: App, admin_user: Any) -> None:
    app, page = admin_app, admin_app.page
    contact = contact_create(actor=admin_user, owner=admin_user, full_name="周九")
    team = Team.objects.create(name="Ops")
    app.go("/settings/audit/")
    table = page.locator("#audit-table")
    expect(table.locator("tbody tr", has_text="周九")).to_have_count(1)
    expect(table.locator("tbody tr", has_text="周九")).to_contain_text("boss")
    app.shot("audit")

    page.select_option("select[name=object_type]", "contact")
    page.select_option("select[name=action]", "create")
    app.submit(page.get_by_role("button", name="Filter"))
    expect(table.locator("tbody tr")).to_have_count(
        ObjectChange.objects.filter(object_type="contact", action="create").count()
    )
    expect(table.locator("tbody tr", has_text="周九")).to_have_count(1)
    expect(table).not_to_contain_text("Ops")
    assert team.pk and contact.pk
