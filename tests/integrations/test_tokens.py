"""Token scopes, read-only tokens, expiry and revocation, enforced on every operation of the API schema."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from guanxi.core.registry import registry
from guanxi.core.testing import make_user
from guanxi.customers.models import Company
from guanxi.customers.services import company_create
from guanxi.users import services as user_services
from guanxi.users.models import ApiToken

pytestmark = pytest.mark.django_db

UNSAFE = ("post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict[str, Any], methods: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(path, method) for path, item in schema["paths"].items() for method in item if method in methods]


def concrete(path: str, record_id: int) -> str:
    path = path.replace("{system}", "erp").replace("{external_id}", "X-1")
    return re.sub(r"\{[^}]+\}", str(record_id), path)


def group_of(path: str) -> str | None:
    if path.startswith(("/api/v1/webhooks", "/api/v1/webhook-deliveries", "/api/v1/tokens")):
        return "admin"
    rest = path.removeprefix("/api/v1/")
    matches = [ot for ot in registry.all() if ot.api_path and rest.startswith(ot.api_path + "/")]
    return max(matches, key=lambda ot: len(ot.api_path)).api_group if matches else None


def test_a_read_only_token_is_refused_every_unsafe_operation_in_the_schema(schema, boss, token_client):
    company = company_create(actor=boss, name="Untouchable")
    client = token_client(boss, read_only=True)
    unsafe = operations(schema, UNSAFE)
    assert len(unsafe) > 40
    for path, method in unsafe:
        response = getattr(client, method)(concrete(path, company.pk), {}, format="json")
        assert response.status_code == 403, f"{method.upper()} {path} answered {response.status_code}"
    assert client.get(f"/api/v1/companies/{company.pk}/").status_code == 200
    company.refresh_from_db()
    assert company.version == 1 and Company.objects.count() == 1


def test_a_scoped_token_is_refused_every_operation_outside_its_groups(schema, boss, token_client):
    company = company_create(actor=boss, name="Scoped")
    writer = token_client(boss, scopes=["customers:write"])
    checked = 0
    for path, method in operations(schema, UNSAFE):
        if group_of(path) == "customers":
            continue
        response = getattr(writer, method)(concrete(path, company.pk), {}, format="json")
        assert response.status_code == 403, f"{method.upper()} {path} answered {response.status_code}"
        checked += 1
    assert checked > 10
    reader = token_client(boss, scopes=["sales:read"])
    for path, _method in operations(schema, ("get",)):
        group = group_of(path)
        if group in (None, "sales"):
            continue
        response = reader.get(concrete(path, company.pk))
        assert response.status_code == 403, f"GET {path} answered {response.status_code}"


def test_scopes_allow_what_they_name(boss, token_client):
    reader = token_client(boss, scopes=["customers:read"])
    assert reader.get("/api/v1/companies/").status_code == 200
    assert reader.post("/api/v1/companies/", {"name": "No"}, format="json").status_code == 403
    writer = token_client(boss, scopes=["customers:write"])
    assert writer.get("/api/v1/companies/").status_code == 200  # write includes read
    assert writer.post("/api/v1/companies/", {"name": "Yes"}, format="json").status_code == 201
    assert (
        writer.put("/api/v1/companies/by-external-id/erp/A/", {"name": "Yes"}, format="json").status_code
        == 201
    )
    assert writer.get("/api/v1/webhooks/").status_code == 403
    admin = token_client(boss, scopes=["admin:read"])
    assert admin.get("/api/v1/webhooks/").status_code == 200
    assert admin.get("/api/v1/companies/").status_code == 403


def test_scopes_are_validated_and_a_limited_token_cannot_mint_a_broader_one(boss, token_client):
    with pytest.raises(Exception, match="Unknown scope"):
        user_services.token_create(actor=boss, user=boss, scopes=["customers:delete"])
    limited = token_client(boss, scopes=["admin:write", "customers:read"])
    broader = limited.post("/api/v1/tokens/", {"name": "b", "scopes": ["customers:write"]}, format="json")
    assert broader.status_code == 403
    unscoped = limited.post("/api/v1/tokens/", {"name": "u"}, format="json")
    assert unscoped.status_code == 403
    narrower = limited.post("/api/v1/tokens/", {"name": "n", "scopes": ["customers:read"]}, format="json")
    assert narrower.status_code == 201 and narrower.json()["scopes"] == ["customers:read"]
    assert narrower.json()["key"].startswith("gx_")
    session = APIClient()
    session.force_authenticate(boss)
    made = session.post(
        "/api/v1/tokens/", {"scopes": ["sales:write", "customers:read"]}, format="json"
    ).json()
    assert made["scopes"] == ["customers:read", "sales:write"]  # canonical order
    assert session.post("/api/v1/tokens/", {"scopes": ["nope:read"]}, format="json").status_code == 400


def test_expiry_and_revocation_take_effect_at_once(boss, token_client):
    client = token_client(boss)
    assert client.get("/api/v1/companies/").status_code == 200
    token = ApiToken.objects.get(user=boss)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/companies/").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + datetime.timedelta(days=1))
    assert client.get("/api/v1/companies/").status_code == 200
    user_services.token_revoke(actor=boss, token=token)
    assert client.get("/api/v1/companies/").status_code == 401


def test_the_last_use_is_recorded_with_the_client_address(boss, token_client, settings):
    settings.GUANXI_TRUSTED_PROXIES = "10.0.0.1"
    client = token_client(boss)
    client.get("/api/v1/companies/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    token = ApiToken.objects.get(user=boss)
    assert token.last_used_at is not None and token.last_used_ip == "203.0.113.9"


def test_the_token_command_takes_scopes(boss):
    out = io.StringIO()
    call_command("token", "create", "boss", "--scope", "customers:read", "--scope", "sales:write", stdout=out)
    token = ApiToken.objects.get(user=boss)
    assert token.scopes == ["customers:read", "sales:write"]
    assert token.key_hash == user_services.hash_token(out.getvalue().strip())
    with pytest.raises(Exception, match="Unknown scope"):
        call_command("token", "create", "boss", "--scope", "everything", stdout=io.StringIO())


def test_the_tokens_page_creates_a_scoped_token_and_shows_the_key_once(boss):
    client = Client()
    client.force_login(boss)
    page = client.get("/me/tokens/").content.decode()
    assert 'value="customers:read"' in page and 'value="admin:write"' in page
    response = client.post("/me/tokens/", {"name": "ERP", "scopes": ["customers:write", "sales:read"]})
    key = re.search(r'id="new-token-key">([^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=boss)
    assert token.scopes == ["customers:write", "sales:read"] and token.key_hash == user_services.hash_token(
        key
    )
    again = client.get("/me/tokens/").content.decode()
    assert key not in again and 'data-scope="customers:write"' in again


def test_a_plain_user_token_is_limited_by_the_role_too(token_client):
    nobody = make_user()
    client = token_client(nobody, scopes=["customers:write"])
    assert client.get("/api/v1/companies/").status_code == 403
