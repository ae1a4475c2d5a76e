"""What people without every right see: a sales rep who sees only their own customers, a read-only user."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from guanxi.core.testing import make_role, make_team, make_user
from guanxi.customers.models import Contact
from guanxi.customers.services import company_create, contact_create

from .support import App

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team() -> Any:
    return make_team("East")


@pytest.fixture
def own_scope_role() -> Any:
    """A sales-rep role that sees, creates and edits only its own customers."""
    return make_role(
        contact={"view": "own", "create": "own", "edit": "own"},
        company={"view": "own", "create": "own", "edit": "own"},
    )


def test_a_rep_with_own_scope_sees_only_their_contacts(app: App, team: Any, own_scope_role: Any) -> None:
    me = make_user("li.na", display_name="李娜", role=own_scope_role, team=team)
    colleague = make_user("zhang.wei", display_name="张伟", role=own_scope_role, team=team)
    mine = contact_create(actor=me, owner=me, full_name="客户甲")
    theirs = contact_create(actor=colleague, owner=colleague, full_name="客户乙")
    their_company = company_create(actor=colleague, owner=colleague, name="乙公司")

    app.sign_in_as(me)
    app.go("/customers/contacts/")
    assert app.row_ids() == [mine.pk]
    expect(app.page.locator("#result-count")).to_have_text("1 record")
    expect(app.page.locator("#object-list")).not_to_contain_text("客户乙")

    app.go(f"/customers/contacts/{theirs.pk}/", status=404)
    app.go(f"/customers/contacts/{theirs.pk}/edit/", status=404)
    app.go(f"/customers/companies/{their_company.pk}/", status=404)
    app.go(f"/customers/contacts/{mine.pk}/")
    expect(app.page.locator("#edit-button")).to_be_visible()
    expect(app.page.locator("#delete-button")).to_have_count(0)  # no delete right

    # Nor does search, or the home page's count, give the colleague's record away.
    app.go("/search/?q=客户")
    expect(app.page.locator(".page-body")).to_contain_text("客户甲")
    expect(app.page.locator(".page-body")).not_to_contain_text("客户乙")
    app.go("/")
    expect(app.page.locator("[data-figure=contact]")).to_have_text("1")
    app.shot("rep-home")


def test_a_rep_does_not_see_the_settings(app: App, team: Any, role_user: Any) -> None:
    rep = role_user("sales_rep", team)
    app.sign_in_as(rep)
    page = app.page
    expect(page.locator(".gx-navbar .nav-link.dropdown-toggle", has_text="Customers")).to_be_visible()
    expect(page.locator(".gx-navbar .nav-link.dropdown-toggle", has_text="Settings")).to_have_count(0)
    page.click("#user-menu")
    menu = page.locator(".dropdown-menu.show")
    expect(menu).to_contain_text("Preferences")
    expect(menu.get_by_role("link", name="Settings")).to_have_count(0)
    for path in ("/settings/", "/settings/users/", "/settings/roles/", "/settings/audit/"):
        app.go(path, status=403)


def test_a_rep_creates_a_contact_owned_by_themself(app: App, team: Any, own_scope_role: Any) -> None:
    me = make_user("li.na", display_name="李娜", role=own_scope_role, team=team)
    make_user("zhang.wei", display_name="张伟", role=own_scope_role, team=team)
    app.sign_in_as(me)
    app.go("/customers/contacts/new/")
    owner = app.page.locator("#id_owner")
    expect(owner).to_have_value(str(me.pk))
    expect(owner.locator("option", has_text="张伟")).to_have_count(0)  # may not give it to others
    app.page.fill("#id_full_name", "客户丙")
    app.submit("#save-button")
    assert Contact.objects.get(full_name="客户丙").owner_id == me.pk


def test_a_read_only_user_sees_no_new_or_edit_buttons(
    app: App, team: Any, role_user: Any, admin_user: Any
) -> None:
    viewer = role_user("read_only", team)
    company = company_create(actor=admin_user, owner=admin_user, name="华拓科技有限公司")
    contact = contact_create(actor=admin_user, owner=admin_user, full_name="客户丁", company=company)
    app.sign_in_as(viewer)
    page = app.page

    for path in ("/customers/contacts/", "/customers/companies/"):
        app.go(path)
        expect(app.rows()).to_have_count(1)  # read-only sees everything …
        expect(page.locator("#create-button")).to_have_count(0)  # … and may change nothing
    app.go(f"/customers/contacts/{contact.pk}/")
    expect(app.title()).to_have_text("客户丁")
    expect(page.locator("#edit-button")).to_have_count(0)
    expect(page.locator("#delete-button")).to_have_count(0)
    app.go(f"/customers/companies/{company.pk}/")
    expect(page.locator("#edit-button")).to_have_count(0)
    expect(page.locator("#delete-button")).to_have_count(0)
    app.shot("read-only-company")

    app.go("/customers/contacts/new/", status=403)
    app.go(f"/customers/contacts/{contact.pk}/edit/", status=403)
    app.go(f"/customers/contacts/{contact.pk}/delete/", status=403)


def test_a_read_only_user_sees_no_new_contact_button_on_a_company(
    app: App, team: Any, role_user: Any, admin_user: Any
) -> None:
    viewer = role_user("read_only", team)
    company = company_create(actor=admin_user, owner=admin_user, name="华拓科技有限公司")
    app.sign_in_as(viewer)
    app.go(f"/customers/companies/{company.pk}/")
    expect(app.page.locator("#company-contacts").get_by_role("link", name="New contact")).to_have_count(0)
