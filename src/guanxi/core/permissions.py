"""Roles grant, per object type, view / create / edit / delete, each with a scope: own, team or all.

This module is the one place where scopes turn into query conditions (`scope_filter`, used by
`GuanxiQuerySet.visible_to`) and into yes/no answers for a single record (`can`, `require`).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q
from django.utils.translation import gettext_lazy as _

from .registry import ObjectType, registry

if TYPE_CHECKING:
    from guanxi.users.models import User

ACTIONS = ("view", "create", "edit", "delete")

_DENIED = {
    "view": _("not allowed to view this %(type)s"),
    "create": _("not allowed to create this %(type)s"),
    "edit": _("not allowed to edit this %(type)s"),
    "delete": _("not allowed to delete this %(type)s"),
}


class Scope(enum.IntEnum):
    NONE = 0
    OWN = 1
    TEAM = 2
    ALL = 3

    @classmethod
    def parse(cls, value: Any) -> Scope:
        if isinstance(value, Scope):
            return value
        try:
            return cls[str(value).upper()]
        except KeyError:
            return cls.NONE


def _object_type(target: ObjectType | type[Model] | Model | str) -> ObjectType:
    if isinstance(target, ObjectType):
        return target
    if isinstance(target, str):
        return registry.get(target)
    return registry.for_model(target)


def is_admin(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    role = _role(user)
    return bool(role and role.is_admin)


def _role(user: Any) -> Any:
    cache = getattr(user, "_guanxi_role", False)
    if cache is False:
        cache = user.role if getattr(user, "role_id", None) else None
        user._guanxi_role = cache
    return cache


def scope_for(user: Any, target: ObjectType | type[Model] | Model | str, action: str) -> Scope:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope.NONE
    object_type = _object_type(target)
    if is_admin(user):
        scope = Scope.ALL
    else:
        role = _role(user)
        grants = (role.grants or {}) if role is not None else {}
        scope = Scope.parse(grants.get(object_type.key, {}).get(action, "none"))
        if scope and not object_type.ownable:
            scope = Scope.ALL
    token_limit = getattr(user, "_guanxi_token_scope", None)
    if token_limit is not None and not token_limit(object_type, action):
        return Scope.NONE
    return scope


def scope_filter(user: Any, target: ObjectType | type[Model] | Model | str, action: str) -> Q | None:
    """The condition selecting the records `user` may `action`; None when it is none of them."""
    scope = scope_for(user, target, action)
    if scope is Scope.NONE:
        return None
    if scope is Scope.ALL:
        return Q()
    if scope is Scope.TEAM and user.team_id:
        return Q(owner_id=user.pk) | Q(team_id=user.team_id)
    return Q(owner_id=user.pk)


def in_scope(user: Any, scope: Scope, instance: Model) -> bool:
    if scope is Scope.ALL:
        return True
    if scope is Scope.NONE:
        return False
    owner_id = getattr(instance, "owner_id", None)
    if owner_id == user.pk:
        return True
    return bool(scope is Scope.TEAM and user.team_id and getattr(instance, "team_id", None) == user.team_id)


def can(
    user: Any, action: str, target: ObjectType | type[Model] | Model | str, instance: Model | None = None
) -> bool:
    scope = scope_for(user, target, action)
    if instance is None:
        return scope is not Scope.NONE
    return in_scope(user, scope, instance)


def can_assign(
    user: Any, target: ObjectType | type[Model] | Model | str, owner: User | None, action: str
) -> bool:
    """May `user` make `owner` the owner of a record (on create or when reassigning in an edit)?"""
    scope = scope_for(user, target, action)
    if scope is Scope.ALL:
        return True
    if scope is Scope.NONE or owner is None:
        return False
    if owner.pk == user.pk:
        return True
    return bool(scope is Scope.TEAM and user.team_id and owner.team_id == user.team_id)


def require(
    user: Any, action: str, target: ObjectType | type[Model] | Model | str, instance: Model | None = None
) -> None:
    if not can(user, action, target, instance):
        raise PermissionDenied(str(_DENIED[action]) % {"type": _object_type(target).label})


def assignable_users(user: Any, target: ObjectType | type[Model] | Model | str, action: str) -> Any:
    """The users `user` may make owners of records of this type."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    scope = scope_for(user, target, action)
    if scope is Scope.ALL:
        return users
    if scope is Scope.TEAM and user.team_id:
        return users.filter(Q(pk=user.pk) | Q(team_id=user.team_id))
    if scope is Scope.NONE:
        return users.none()
    return users.filter(pk=user.pk)


class SystemActor:
    """The actor of writes nobody made by hand: the public web form, assignment rules, scheduled jobs.
    Trusted callers pass it explicitly; audit rows show "system"."""

    pk = None
    id = None
    username = "system"
    name = "system"
    team_id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    role_id = None

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()
