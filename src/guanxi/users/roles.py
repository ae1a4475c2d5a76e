"""The built-in roles. Their grants are defined per API group, so object types added later (by new apps)
receive a sensible default the next time roles are synchronised (after every migrate)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from guanxi.core.registry import registry

V, C, E, D = "view", "create", "edit", "delete"


def _grant(
    view: str = "none", create: str = "none", edit: str = "none", delete: str = "none"
) -> dict[str, str]:
    return {V: view, C: create, E: edit, D: delete}


ALL = _grant("all", "all", "all", "all")
READ = _grant("all")
NONE = _grant()

BUILTIN_ROLES: dict[str, dict[str, Any]] = {
    "administrator": {"name": "Administrator", "is_admin": True, "groups": {}},
    "sales_manager": {
        "name": "Sales manager",
        "groups": {
            "customers": _grant("all", "all", "team", "team"),
            "sales": _grant("team", "team", "team", "team"),
            "activities": _grant("team", "team", "team", "team"),
            "service": READ,
            "marketing": _grant("all", "team", "team", "team"),
            "costs": NONE,
            "admin": NONE,
        },
    },
    "sales_rep": {
        "name": "Sales representative",
        "groups": {
            "customers": _grant("all", "own", "own", "none"),
            "sales": _grant("own", "own", "own", "own"),
            "activities": _grant("own", "own", "own", "own"),
            "service": _grant("own"),
            "marketing": READ,
            "costs": NONE,
            "admin": NONE,
        },
    },
    "service_agent": {
        "name": "Service agent",
        "groups": {
            "customers": _grant("all", "all", "all", "none"),
            "sales": NONE,
            "activities": _grant("team", "own", "own", "own"),
            "service": _grant("all", "all", "all", "none"),
            "marketing": NONE,
            "costs": NONE,
            "admin": NONE,
        },
    },
    "finance": {
        "name": "Finance",
        "groups": {
            "customers": READ,
            "sales": READ,
            "activities": READ,
            "service": READ,
            "marketing": READ,
            "costs": ALL,
            "admin": NONE,
        },
    },
    "read_only": {
        "name": "Read-only",
        "groups": {
            "customers": READ,
            "sales": READ,
            "activities": READ,
            "service": READ,
            "marketing": READ,
            "costs": NONE,
            "admin": NONE,
        },
    },
}


def default_grants(code: str) -> dict[str, dict[str, str]]:
    """Each object type gets its group's grant; configuration (pipelines, products …) is only read by
    those who may read the group, and changed by administrators."""
    groups = BUILTIN_ROLES[code]["groups"]
    grants = {}
    for ot in registry.all():
        grant = dict(groups.get(ot.api_group, NONE))
        if ot.configuration:
            grant = READ if grant["view"] != "none" else NONE
        grants[ot.key] = dict(grant)
    return grants


def sync_builtin_roles() -> None:
    """Create missing built-in roles and give them grants for object types they do not mention yet;
    grants an administrator has edited are left alone."""
    from .models import Role

    with transaction.atomic():
        for code, spec in BUILTIN_ROLES.items():
            role = Role.objects.filter(code=code).first()
            grants = default_grants(code)
            if role is None:
                name = spec["name"]
                if Role.objects.filter(name=name).exists():
                    name = f"{name} ({code})"
                Role.objects.create(code=code, name=name, is_admin=spec.get("is_admin", False), grants=grants)
                continue
            missing = {k: v for k, v in grants.items() if k not in (role.grants or {})}
            if missing:
                role.grants = {**(role.grants or {}), **missing}
                role.save(update_fields=["grants"])
