"""The standard tests of a record type: pages, API, and the permission matrix.

A model's test module declares a subclass:

    class TestContactRecord(RecordTestSuite):
        object_type = "contact"
        form_data = {"full_name": "王小明", "email": "xm@example.com"}
        api_data = {"full_name": "王小明"}
        update_data = {"full_name": "王大明"}

        def build(self, owner, **fields):   # a saved record owned by `owner`
            return contact_create(actor=owner, owner=owner, full_name="某人", **fields)

and gets list/detail/create/edit/delete pages, API CRUD with ETags, and the own/team/all scope matrix,
each asserting that a denied write changes nothing and writes no audit row.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from guanxi.core.audit import ObjectChange
from guanxi.core.registry import ObjectType, registry

from .factories import make_role, make_team, make_user


@pytest.mark.django_db
class RecordTestSuite:
    object_type: ClassVar[str] = ""
    form_data: ClassVar[dict[str, Any]] = {}
    api_data: ClassVar[dict[str, Any]] = {}
    update_data: ClassVar[dict[str, Any]] = {}
    invalid_api_data: ClassVar[dict[str, Any]] = {}
    invalid_field: ClassVar[str] = ""

    # --- to declare -------------------------------------------------------------------------------
    def build(self, owner: Any, **fields: Any) -> Any:
        raise NotImplementedError

    # --- helpers ----------------------------------------------------------------------------------
    def needs_owners(self) -> None:
        if not self.ot.ownable:
            pytest.skip("records of this type have no owner: scopes are none or all")

    @property
    def ot(self) -> ObjectType:
        return registry.get(self.object_type)

    @property
    def model(self) -> Any:
        return self.ot.model

    def user(self, scope: str | dict[str, str] = "all", team: Any = None, **grants: Any) -> Any:
        per_type: dict[str, Any] = {self.object_type: scope}
        role = make_role(**per_type, **grants)
        return make_user(role=role, team=team)

    def owner_of_everything(self) -> Any:
        return make_user(role=make_role(is_admin=True))

    def login(self, user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def api(self, user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    def url(self, action: str, *args: Any) -> str:
        return reverse(self.ot.url_name(action), args=args)

    def api_url(self, pk: int | None = None) -> str:
        base = f"/api/v1/{self.ot.api_path}/"
        return f"{base}{pk}/" if pk else base

    def changes(self, obj: Any = None) -> int:
        queryset = ObjectChange.objects.filter(object_type=self.object_type)
        return queryset.filter(object_id=obj.pk).count() if obj is not None else queryset.count()

    def snapshot(self, obj: Any) -> tuple[Any, ...]:
        fresh = self.model.objects.get(pk=obj.pk)
        return (fresh.version, *[getattr(fresh, f) for f in self.update_data])

    # --- pages ------------------------------------------------------------------------------------
    def test_list_needs_view_permission(self) -> None:
        user = make_user(role=make_role())
        assert self.login(user).get(self.url("list")).status_code == 403

    def test_list_and_detail_show_own_records_only_with_own_scope(self) -> None:
        self.needs_owners()
        me, other = self.user("own"), self.user("own")
        mine, theirs = self.build(me), self.build(other)
        client = self.login(me)
        page = client.get(self.url("list")).content.decode()
        assert f'data-id="{mine.pk}"' in page
        assert f'data-id="{theirs.pk}"' not in page
        assert client.get(self.url("detail", mine.pk)).status_code == 200
        assert client.get(self.url("detail", theirs.pk)).status_code == 404

    def test_team_scope_sees_teammates_records_not_other_teams(self) -> None:
        self.needs_owners()
        team_a, team_b = make_team(), make_team()
        me = self.user("team", team=team_a)
        mate, stranger = self.user("own", team=team_a), self.user("own", team=team_b)
        mates_record, strangers_record = self.build(mate), self.build(stranger)
        client = self.login(me)
        assert client.get(self.url("detail", mates_record.pk)).status_code == 200
        assert client.get(self.url("detail", strangers_record.pk)).status_code == 404

    def test_all_scope_sees_everything(self) -> None:
        me = self.user("all")
        records = [self.build(self.user("own")) for _ in range(3)]
        page = self.login(me).get(self.url("list")).content.decode()
        assert all(f'data-id="{r.pk}"' in page for r in records)

    def test_detail_shows_history(self) -> None:
        me = self.user("all")
        obj = self.build(me)
        response = self.login(me).get(self.url("detail", obj.pk))
        assert response.status_code == 200
        assert 'id="history"' in response.content.decode()

    def test_create_through_the_form_writes_an_audit_row(self) -> None:
        me = self.user("all")
        before = self.model.objects.count()
        response = self.login(me).post(self.url("create"), {**self.form_data, "confirm_warnings": "1"})
        assert response.status_code == 302, response.content.decode()[:3000]
        assert self.model.objects.count() == before + 1
        created = self.model.objects.order_by("-pk").first()
        assert (
            ObjectChange.objects.filter(
                object_type=self.object_type, object_id=created.pk, action="create", actor=me
            ).count()
            == 1
        )

    def test_create_denied_changes_nothing(self) -> None:
        me = self.user({"view": "all"})
        before, audit_before = self.model.objects.count(), self.changes()
        client = self.login(me)
        assert client.get(self.url("create")).status_code == 403
        assert client.post(self.url("create"), self.form_data).status_code == 403
        assert self.model.objects.count() == before
        assert self.changes() == audit_before

    def test_edit_through_the_form(self) -> None:
        me = self.user("all")
        obj = self.build(me)
        client = self.login(me)
        assert client.get(self.url("edit", obj.pk)).status_code == 200
        data = {**self.form_data, **self.update_data, "version": obj.version, "confirm_warnings": "1"}
        response = client.post(self.url("edit", obj.pk), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        fresh = self.model.objects.get(pk=obj.pk)
        assert fresh.version == obj.version + 1
        for field, value in self.update_data.items():
            assert str(getattr(fresh, field)) == str(value)
        assert ObjectChange.objects.filter(
            object_type=self.object_type, object_id=obj.pk, action="update"
        ).exists()

    def test_stale_edit_is_refused_with_their_change_shown(self) -> None:
        me = self.user("all")
        obj = self.build(me)
        other = self.owner_of_everything()
        self.ot.update_service(actor=other, instance=obj, **self.update_data)
        state = self.snapshot(obj)
        data = {**self.form_data, "version": obj.version, "confirm_warnings": "1"}
        response = self.login(me).post(self.url("edit", obj.pk), data)
        assert response.status_code == 409
        assert 'id="conflict"' in response.content.decode()
        assert self.snapshot(obj) == state

    def test_edit_denied_on_a_visible_record_changes_nothing(self) -> None:
        self.needs_owners()
        me = self.user({"view": "all", "edit": "own"})
        obj = self.build(self.user("own"))
        state, audit_before = self.snapshot(obj), self.changes(obj)
        client = self.login(me)
        assert client.get(self.url("edit", obj.pk)).status_code == 403
        data = {**self.form_data, **self.update_data, "version": obj.version}
        assert client.post(self.url("edit", obj.pk), data).status_code == 403
        assert self.snapshot(obj) == state
        assert self.changes(obj) == audit_before

    def test_edit_of_an_invisible_record_is_404(self) -> None:
        self.needs_owners()
        me = self.user("own")
        obj = self.build(self.user("own"))
        assert self.login(me).get(self.url("edit", obj.pk)).status_code == 404

    def test_delete(self) -> None:
        me = self.user("all")
        obj = self.build(me)
        client = self.login(me)
        assert client.get(self.url("delete", obj.pk)).status_code == 200
        assert client.post(self.url("delete", obj.pk), {"version": obj.version}).status_code == 302
        assert not self.model.objects.filter(pk=obj.pk).exists()
        assert ObjectChange.objects.filter(
            object_type=self.object_type, object_id=obj.pk, action="delete"
        ).exists()

    def test_delete_denied_changes_nothing(self) -> None:
        self.needs_owners()
        me = self.user({"view": "all", "edit": "all"})
        obj = self.build(self.user("own"))
        audit_before = self.changes(obj)
        assert self.login(me).post(self.url("delete", obj.pk)).status_code == 403
        assert self.model.objects.filter(pk=obj.pk).exists()
        assert self.changes(obj) == audit_before

    # --- API --------------------------------------------------------------------------------------
    def test_api_needs_authentication(self) -> None:
        assert APIClient().get(self.api_url()).status_code == 401

    def test_api_list_is_keyset_paginated_and_visible_only(self) -> None:
        self.needs_owners()
        me, other = self.user("own"), self.user("own")
        mine = [self.build(me) for _ in range(3)]
        theirs = self.build(other)
        response = self.api(me).get(self.api_url(), {"limit": 2})
        assert response.status_code == 200
        body = response.json()
        assert set(body) >= {"results", "next"}
        assert len(body["results"]) == 2 and body["next"]
        second = self.api(me).get(body["next"]).json()
        ids = {r["id"] for r in body["results"]} | {r["id"] for r in second["results"]}
        assert ids == {r.pk for r in mine}
        assert theirs.pk not in ids

    def test_api_no_permission_is_403_and_invisible_record_is_404(self) -> None:
        self.needs_owners()
        nobody = make_user(role=make_role())
        assert self.api(nobody).get(self.api_url()).status_code == 403
        me = self.user("own")
        theirs = self.build(self.user("own"))
        assert self.api(me).get(self.api_url(theirs.pk)).status_code == 404
        assert self.api(me).patch(self.api_url(theirs.pk), self.update_data, format="json").status_code == 404

    def test_api_create_returns_etag(self) -> None:
        me = self.user("all")
        response = self.api(me).post(self.api_url(), self.api_data, format="json")
        assert response.status_code == 201, response.json()
        assert response["ETag"] == '"1"'
        obj = self.model.objects.get(pk=response.json()["id"])
        if self.ot.ownable:
            assert obj.owner_id == me.pk
        assert ObjectChange.objects.filter(object_type=self.object_type, object_id=obj.pk).count() == 1

    def test_api_invalid_data_answers_400_field_by_field(self) -> None:
        if not self.invalid_api_data:
            pytest.skip("no invalid payload declared")
        me = self.user("all")
        before = self.model.objects.count()
        response = self.api(me).post(self.api_url(), self.invalid_api_data, format="json")
        assert response.status_code == 400
        assert self.invalid_field in response.json()
        assert self.model.objects.count() == before

    def test_api_update_honours_if_match(self) -> None:
        me = self.user("all")
        obj = self.build(me)
        client = self.api(me)
        detail = client.get(self.api_url(obj.pk))
        etag = detail["ETag"]
        ok = client.patch(self.api_url(obj.pk), self.update_data, format="json", HTTP_IF_MATCH=etag)
        assert ok.status_code == 200, ok.json()
        assert ok["ETag"] == f'"{obj.version + 1}"'
        state = self.snapshot(obj)
        stale = client.patch(
            self.api_url(obj.pk), self.form_data or self.api_data, format="json", HTTP_IF_MATCH=etag
        )
        assert stale.status_code == 412
        assert self.snapshot(obj) == state

    def test_api_write_denied_changes_nothing(self) -> None:
        self.needs_owners()
        me = self.user({"view": "all", "edit": "own", "delete": "own"})
        obj = self.build(self.user("own"))
        state, audit_before = self.snapshot(obj), self.changes(obj)
        client = self.api(me)
        assert client.patch(self.api_url(obj.pk), self.update_data, format="json").status_code == 403
        assert client.delete(self.api_url(obj.pk)).status_code == 403
        assert self.snapshot(obj) == state
        assert self.changes(obj) == audit_before

    def test_api_view_only_role_cannot_write(self) -> None:
        me = self.user({"view": "all"})
        obj = self.build(self.owner_of_everything())
        state, audit_before, count = self.snapshot(obj), self.changes(), self.model.objects.count()
        client = self.api(me)
        assert client.get(self.api_url(obj.pk)).status_code == 200
        assert client.post(self.api_url(), self.api_data, format="json").status_code == 403
        assert client.patch(self.api_url(obj.pk), self.update_data, format="json").status_code == 403
        assert client.delete(self.api_url(obj.pk)).status_code == 403
        assert (self.snapshot(obj), self.changes(), self.model.objects.count()) == (
            state,
            audit_before,
            count,
        )

    def test_api_read_only_token_cannot_write(self) -> None:
        from guanxi.users.services import token_create

        me = self.user("all")
        obj = self.build(me)
        _token, key = token_create(actor=me, user=me, read_only=True)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get(self.api_url(obj.pk)).status_code == 200
        assert client.post(self.api_url(), self.api_data, format="json").status_code == 403
        assert client.patch(self.api_url(obj.pk), self.update_data, format="json").status_code == 403
        assert client.delete(self.api_url(obj.pk)).status_code == 403
        assert self.model.objects.filter(pk=obj.pk).exists()

    def test_api_delete(self) -> None:
        me = self.user("all")
        obj = self.build(me)
        response = self.api(me).delete(self.api_url(obj.pk), HTTP_IF_MATCH=f'"{obj.version}"')
        assert response.status_code == 204
        assert not self.model.objects.filter(pk=obj.pk).exists()
