"""Small factories for users, teams and roles in tests."""

from __future__ import annotations

import itertools
from typing import Any

from guanxi.core.permissions import ACTIONS

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test users only


def make_team(name: str | None = None) -> Any:
    from guanxi.users.models import Team

    return Team.objects.create(name=name or f"Team {next(_counter)}")


def make_role(
    grants: dict[str, dict[str, str]] | None = None, *, is_admin: bool = False, **per_type: Any
) -> Any:
    """A role from explicit grants, or `make_role(contact="own")` (every action own) or
    `make_role(contact={"view": "all", "edit": "own"})`."""
    from guanxi.users.models import Role

    result: dict[str, dict[str, str]] = dict(grants or {})
    for key, value in per_type.items():
        if isinstance(value, str):
            result[key] = dict.fromkeys(ACTIONS, value)
        else:
            result[key] = {a: value.get(a, "none") for a in ACTIONS}
    return Role.objects.create(name=f"Role {next(_counter)}", grants=result, is_admin=is_admin)


def make_user(username: str | None = None, *, role: Any = None, team: Any = None, **fields: Any) -> Any:
    from guanxi.users.models import User

    user = User(username=username or f"user{next(_counter)}", role=role, team=team, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user
