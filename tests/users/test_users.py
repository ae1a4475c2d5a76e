import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from guanxi.core.registry import registry
from guanxi.core.testing import make_role, make_team, make_user
from guanxi.core.testing.factories import PASSWORD
from guanxi.users import services
from guanxi.users.models import ApiToken, Role, User, hash_token
from guanxi.users.roles import BUILTIN_ROLES, sync_builtin_roles

pytestmark = pytest.mark.django_db


def test_builtin_roles_exist_with_grants_for_every_object_type():
    assert set(Role.objects.exclude(code=None).values_list("code", flat=True)) == set(BUILTIN_ROLES)
    rep = Role.objects.get(code="sales_rep")
    for object_type in registry.all():
        assert set(rep.grants[object_type.key]) == {"view", "create", "edit", "delete"}
    assert rep.grants["contact"] == {"view": "all", "create": "own", "edit": "own", "delete": "none"}
    assert Role.objects.get(code="administrator").is_admin


def test_sync_keeps_what_an_administrator_edited():
    role = Role.objects.get(code="read_only")
    role.grants["contact"] = {"view": "own", "create": "none", "edit": "none", "delete": "none"}
    del role.grants["company"]
    role.save()
    sync_builtin_roles()
    role.refresh_from_db()
    assert role.grants["contact"]["view"] == "own"
    assert role.grants["company"]["view"] == "all"


def test_only_administrators_manage_users_teams_and_roles():
    rep = make_user(role=Role.objects.get(code="sales_rep"))
    for call in (
        lambda: services.user_create(actor=rep, username="x"),
        lambda: services.team_create(actor=rep, name="T"),
        lambda: services.role_create(actor=rep, name="R"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    client = Client()
    client.force_login(rep)
    for url in (
        "/settings/",
        "/settings/users/",
        "/settings/roles/",
        "/settings/teams/",
        "/settings/custom-fields/",
        "/settings/audit/",
    ):
        assert client.get(url).status_code == 403, url


def test_a_user_may_change_their_own_preferences_but_not_their_role():
    me = make_user(role=Role.objects.get(code="sales_rep"))
    services.user_update(actor=me, user=me, language="zh-hans", time_zone="Asia/Tokyo")
    me.refresh_from_db()
    assert (me.language, me.time_zone, me.version) == ("zh-hans", "Asia/Tokyo", 2)
    with pytest.raises(PermissionDenied):
        services.user_update(actor=me, user=me, role=Role.objects.get(code="administrator"))


def test_an_administrator_edits_a_role_through_the_matrix_and_it_is_audited():
    from guanxi.core.audit import ObjectChange

    admin = make_user(is_superuser=True)
    role = services.role_create(
        actor=admin, name="Interns", grants={"contact": {"view": "team", "edit": "bogus"}}
    )
    assert role.grants["contact"] == {"view": "team", "create": "none", "edit": "none", "delete": "none"}
    client = Client()
    client.force_login(admin)
    form = {
        "name": "Interns",
        "description": "",
        "version": role.version,
        **{
            f"grant__{ot.key}__{a}": "none"
            for ot in registry.all()
            for a in ("view", "create", "edit", "delete")
        },
    }
    form["grant__contact__view"] = "all"
    response = client.post(f"/settings/roles/{role.pk}/", form)
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.grants["contact"]["view"] == "all"
    assert ObjectChange.objects.filter(object_type="role", object_id=role.pk, action="update").exists()


def test_builtin_roles_cannot_be_deleted_and_roles_in_use_neither():
    admin = make_user(is_superuser=True)
    with pytest.raises(ValidationError):
        services.role_delete(actor=admin, role=Role.objects.get(code="finance"))
    custom = make_role()
    make_user(role=custom)
    with pytest.raises(ValidationError):
        services.role_delete(actor=admin, role=custom)


def test_new_user_gets_a_generated_password_shown_once():
    admin = make_user(is_superuser=True)
    user, generated = services.user_create(actor=admin, username="newbie", team=make_team())
    assert generated and user.check_password(generated)
    assert user.password.startswith(("argon2", "md5"))


def test_token_command_prints_only_the_key_and_stores_its_hash():
    user = make_user()
    out = io.StringIO()
    call_command("token", "create", user.username, "--read-only", "--expires-days", "30", stdout=out)
    key = out.getvalue().strip()
    assert key.startswith("gx_") and "\n" not in key
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hash_token(key) and key not in token.key_hash
    assert token.read_only and token.expires_at > timezone.now() + datetime.timedelta(days=29)


@pytest.mark.parametrize("scheme", ["Token", "Bearer"])
def test_tokens_authenticate_and_record_their_use(scheme):
    user = make_user(role=make_role(contact="all"))
    _token, key = services.token_create(actor=user, user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}", REMOTE_ADDR="10.1.2.3")
    assert client.get("/api/v1/contacts/").status_code == 200
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at is not None and token.last_used_ip == "10.1.2.3"


def test_expired_revoked_and_unknown_tokens_are_refused():
    user = make_user(role=make_role(contact="all"))
    expired, expired_key = services.token_create(actor=user, user=user, expires_days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    revoked, revoked_key = services.token_create(actor=user, user=user)
    services.token_revoke(actor=user, token=revoked)
    for key in (expired_key, revoked_key, "gx_unknown"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get("/api/v1/contacts/").status_code == 401


def test_tokens_api_shows_the_key_once_and_revokes():
    user = make_user()
    client = APIClient()
    client.force_authenticate(user)
    created = client.post("/api/v1/tokens/", {"name": "ERP", "expires_days": 7}, format="json").json()
    assert created["key"].startswith("gx_")
    listed = client.get("/api/v1/tokens/").json()
    assert listed[0]["key"] is None
    assert client.delete(f"/api/v1/tokens/{created['id']}/").status_code == 204
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None


def test_login_locks_out_after_repeated_failures():
    user = make_user("lockme")
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(5):
        client.post("/login/", {"username": "lockme", "password": "wrong"})
    response = client.post("/login/", {"username": "lockme", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=user.pk).last_login is None


def test_login_with_the_right_password_works():
    make_user("goodone")
    client = Client()
    response = client.post("/login/", {"username": "goodone", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_language_switch_saves_the_choice_and_refuses_foreign_redirects():
    me = make_user()
    client = Client()
    client.force_login(me)
    response = client.post("/language/", {"language": "zh-hans", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    me.refresh_from_db()
    assert me.language == "zh-hans"
    page = client.get("/me/").content.decode()
    assert 'lang="zh-hans"' in page
