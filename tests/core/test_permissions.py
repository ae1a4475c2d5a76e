import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from guanxi.core import permissions
from guanxi.core.permissions import Scope
from guanxi.core.testing import make_role, make_team, make_user
from guanxi.customers.models import Contact
from guanxi.customers.services import contact_create, contact_update

pytestmark = pytest.mark.django_db


def test_anonymous_and_inactive_users_have_no_scope():
    assert permissions.scope_for(AnonymousUser(), "contact", "view") is Scope.NONE
    user = make_user(role=make_role(contact="all"), is_active=False)
    assert permissions.scope_for(user, "contact", "view") is Scope.NONE


def test_role_grants_give_the_scope_per_action():
    user = make_user(role=make_role(contact={"view": "all", "create": "own", "edit": "team"}))
    assert permissions.scope_for(user, "contact", "view") is Scope.ALL
    assert permissions.scope_for(user, "contact", "create") is Scope.OWN
    assert permissions.scope_for(user, "contact", "edit") is Scope.TEAM
    assert permissions.scope_for(user, "contact", "delete") is Scope.NONE
    assert permissions.scope_for(user, "company", "view") is Scope.NONE


def test_administrators_and_superusers_may_do_everything():
    admin = make_user(role=make_role(is_admin=True))
    superuser = make_user(is_superuser=True)
    for user in (admin, superuser):
        assert permissions.is_admin(user)
        assert permissions.scope_for(user, "contact", "delete") is Scope.ALL


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        permissions.scope_for(make_user(), "contact", "fly")


def test_visible_to_follows_the_scope():
    team = make_team()
    me = make_user(role=make_role(contact="own"), team=team)
    mate = make_user(role=make_role(contact="own"), team=team)
    stranger = make_user(role=make_role(contact="own"), team=make_team())
    mine = contact_create(actor=me, full_name="甲")
    mates = contact_create(actor=mate, full_name="乙")
    strangers = contact_create(actor=stranger, full_name="丙")
    assert set(Contact.objects.visible_to(me)) == {mine}
    me.role = make_role(contact="team")
    me._guanxi_role = False
    assert set(Contact.objects.visible_to(me)) == {mine, mates}
    me.role = make_role(contact="all")
    me._guanxi_role = False
    assert set(Contact.objects.visible_to(me)) == {mine, mates, strangers}
    assert not Contact.objects.visible_to(AnonymousUser()).exists()


def test_can_assign_limits_owners_to_the_scope():
    team = make_team()
    me = make_user(role=make_role(contact={"create": "team"}), team=team)
    mate = make_user(team=team)
    stranger = make_user(team=make_team())
    assert permissions.can_assign(me, "contact", me, "create")
    assert permissions.can_assign(me, "contact", mate, "create")
    assert not permissions.can_assign(me, "contact", stranger, "create")
    assert set(permissions.assignable_users(me, "contact", "create")) == {me, mate}


def test_creating_for_someone_outside_the_scope_is_refused_and_writes_nothing():
    me = make_user(role=make_role(contact={"create": "own", "view": "all"}))
    other = make_user()
    with pytest.raises(PermissionDenied):
        contact_create(actor=me, owner=other, full_name="某人")
    assert not Contact.objects.exists()


def test_reassigning_requires_the_edit_scope_to_cover_the_new_owner():
    me = make_user(role=make_role(contact={"view": "all", "create": "own", "edit": "own"}))
    other = make_user()
    contact = contact_create(actor=me, full_name="某人")
    with pytest.raises(PermissionDenied):
        contact_update(actor=me, instance=contact, owner=other)
    contact.refresh_from_db()
    assert contact.owner_id == me.pk and contact.version == 1


def test_a_read_only_token_narrows_even_an_administrator():
    from guanxi.users.authentication import token_limit
    from guanxi.users.services import token_create

    admin = make_user(is_superuser=True)
    token, _key = token_create(actor=admin, user=admin, read_only=True)
    admin._guanxi_token_scope = token_limit(token)
    assert permissions.scope_for(admin, "contact", "view") is Scope.ALL
    assert permissions.scope_for(admin, "contact", "edit") is Scope.NONE
