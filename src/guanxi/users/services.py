"""Writes on users, teams, roles and API tokens. Only administrators manage users, teams and roles."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from guanxi.core import audit
from guanxi.core.permissions import is_admin
from guanxi.core.registry import API_GROUPS
from guanxi.core.services import StaleVersionError

from .models import ApiToken, Role, Team, User, clean_grants, hash_token

USER_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "display_name",
    "team",
    "role",
    "language",
    "time_zone",
    "currency",
    "is_active",
)


def _require_admin(actor: Any) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_g("administrators only"))


def _save_audited(
    *,
    actor: Any,
    instance: models.Model,
    object_type: str,
    changes: Mapping[str, Any],
    expected_version: int | None,
    fields: tuple[str, ...],
) -> models.Model:
    with transaction.atomic():
        current = instance._meta.model._default_manager.select_for_update().get(pk=instance.pk)
        if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
            history = list(audit.history(object_type, current.pk).filter(version__gt=expected_version))
            raise StaleVersionError(current, expected_version, history)
        before = {f: audit.to_json(_value(current, f)) for f in fields}
        for field, value in changes.items():
            setattr(current, field, value)
        current.full_clean(exclude=["password"])
        after = {f: audit.to_json(_value(current, f)) for f in fields}
        old, new = audit.diff(before, after)
        if not new:
            return current
        current.version += 1  # type: ignore[attr-defined]
        current.save()
        audit.record(
            actor=actor,
            action=audit.Action.UPDATE,
            object_type=object_type,
            instance=current,
            before=old,
            after=new,
        )
    return current


def _value(instance: models.Model, field: str) -> Any:
    model_field = instance._meta.get_field(field)
    assert isinstance(model_field, models.Field)  # audited fields are the model's own
    return getattr(instance, model_field.attname) if model_field.is_relation else getattr(instance, field)


def user_create(*, actor: Any, password: str | None = None, **fields: Any) -> tuple[User, str | None]:
    """Create a user; without a password one is generated and returned (shown once)."""
    if actor is not None:
        _require_admin(actor)
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    user = User(**{k: v for k, v in fields.items() if k in USER_FIELDS or k == "is_superuser"})
    if fields.get("is_superuser"):
        user.is_staff = True
    user.full_clean(exclude=["password"])
    if not generated:
        validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            object_type="user",
            instance=user,
            before=None,
            after={f: audit.to_json(_value(user, f)) for f in USER_FIELDS},
        )
    return user, generated


def user_update(*, actor: Any, user: User, expected_version: int | None = None, **changes: Any) -> User:
    if actor.pk != user.pk or set(changes) - {"language", "time_zone", "currency", "display_name", "email"}:
        _require_admin(actor)
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise ValidationError({k: [_g("unknown field")] for k in unknown})
    if user.pk == actor.pk and changes.get("is_active") is False:
        raise ValidationError({"is_active": [_g("You cannot deactivate yourself.")]})
    return _save_audited(
        actor=actor,
        instance=user,
        object_type="user",
        changes=changes,  # type: ignore[return-value]
        expected_version=expected_version,
        fields=USER_FIELDS,
    )


def user_set_password(*, actor: Any, user: User, password: str) -> None:
    if actor.pk != user.pk:
        _require_admin(actor)
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        audit.record(
            actor=actor,
            action=audit.Action.UPDATE,
            object_type="user",
            instance=user,
            before={"password": "••••"},
            after={"password": "••••••"},
        )


def team_create(*, actor: Any, name: str, description: str = "") -> Team:
    _require_admin(actor)
    team = Team(name=name.strip(), description=description)
    team.full_clean()
    with transaction.atomic():
        team.save()
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            object_type="team",
            instance=team,
            before=None,
            after={"name": team.name, "description": team.description},
        )
    return team


def team_update(*, actor: Any, team: Team, expected_version: int | None = None, **changes: Any) -> Team:
    _require_admin(actor)
    return _save_audited(
        actor=actor,
        instance=team,
        object_type="team",
        changes=changes,  # type: ignore[return-value]
        expected_version=expected_version,
        fields=("name", "description"),
    )


def team_delete(*, actor: Any, team: Team) -> None:
    _require_admin(actor)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=audit.Action.DELETE,
            object_type="team",
            instance=team,
            before={"name": team.name, "description": team.description},
            after=None,
        )
        team.delete()


def role_create(
    *,
    actor: Any,
    name: str,
    description: str = "",
    is_admin: bool = False,
    grants: Mapping[str, Any] | None = None,
) -> Role:
    _require_admin(actor)
    role = Role(
        name=name.strip(), description=description, is_admin=is_admin, grants=clean_grants(grants or {})
    )
    role.full_clean()
    with transaction.atomic():
        role.save()
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            object_type="role",
            instance=role,
            before=None,
            after={"name": role.name, "is_admin": role.is_admin, "grants": role.grants},
        )
    return role


def role_update(*, actor: Any, role: Role, expected_version: int | None = None, **changes: Any) -> Role:
    _require_admin(actor)
    if "grants" in changes:
        changes["grants"] = clean_grants(changes["grants"])
    if role.code == "administrator" and changes.get("is_admin") is False:
        raise ValidationError({"is_admin": [_g("The built-in administrator role stays an administrator.")]})
    return _save_audited(
        actor=actor,
        instance=role,
        object_type="role",
        changes=changes,  # type: ignore[return-value]
        expected_version=expected_version,
        fields=("name", "description", "is_admin", "grants"),
    )


def role_delete(*, actor: Any, role: Role) -> None:
    _require_admin(actor)
    if role.is_builtin:
        raise ValidationError(_g("Built-in roles cannot be deleted."))
    if User.objects.filter(role=role).exists():
        raise ValidationError(_g("This role is still given to users."))
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=audit.Action.DELETE,
            object_type="role",
            instance=role,
            before={"name": role.name, "grants": role.grants},
            after=None,
        )
        role.delete()


def token_create(
    *,
    actor: Any,
    user: User,
    name: str = "",
    read_only: bool = False,
    expires_days: int | None = None,
    scopes: Iterable[str] | None = None,
) -> tuple[ApiToken, str]:
    """A new API token; returns the token and its key, which is never stored and cannot be shown again."""
    if actor is not None and actor.pk != user.pk:
        _require_admin(actor)
    if expires_days is not None and expires_days <= 0:
        raise ValidationError({"expires_days": [_g("Must be a positive number of days.")]})
    scopes = clean_scopes(scopes)
    key = f"gx_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=user,
        name=name[:100],
        prefix=key[:10],
        key_hash=hash_token(key),
        read_only=read_only,
        scopes=list(scopes or []),
        expires_at=timezone.now() + datetime.timedelta(days=expires_days) if expires_days else None,
    )
    with transaction.atomic():
        token.save()
        audit.record(
            actor=actor or user,
            action=audit.Action.CREATE,
            object_type="api_token",
            instance=token,
            before=None,
            after={
                "user": user.pk,
                "name": token.name,
                "read_only": read_only,
                "scopes": token.scopes,
                "expires_at": audit.to_json(token.expires_at),
            },
        )
    return token, key


def token_scope_choices() -> list[str]:
    """`<group>:read` and `<group>:write` for every API group (customers, sales, costs, admin …)."""
    return [f"{group}:{level}" for group in API_GROUPS for level in ("read", "write")]


def clean_scopes(scopes: Iterable[str] | None) -> list[str]:
    """Scopes in canonical order; an unknown one is refused. No scopes: the token may do what its user may."""
    wanted = [str(s).strip().lower() for s in (scopes or []) if str(s).strip()]
    known = token_scope_choices()
    unknown = [s for s in wanted if s not in known]
    if unknown:
        message = _g("Unknown scope %(scope)s; use group:read or group:write.")
        raise ValidationError({"scopes": [message % {"scope": s} for s in unknown]})
    return [s for s in known if s in set(wanted)]


def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if actor.pk != token.user_id:
        _require_admin(actor)
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(
                actor=actor,
                action=audit.Action.UPDATE,
                object_type="api_token",
                instance=token,
                before={"revoked_at": None},
                after={"revoked_at": audit.to_json(token.revoked_at)},
            )
    return token
