"""The main menu: apps add entries; each entry shows only to users who may use it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from guanxi.core import permissions


@dataclass(frozen=True)
class MenuItem:
    section: Any
    label: Any
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 100


_items: list[MenuItem] = []


def add(item: MenuItem) -> None:
    if all(existing.url_name != item.url_name for existing in _items):
        _items.append(item)


def can_view(object_type: str) -> Callable[[Any], bool]:
    return lambda user: permissions.can(user, "view", object_type)


def admin_only(user: Any) -> bool:
    return permissions.is_admin(user)


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {}
    for item in sorted(_items, key=lambda i: i.order):
        if not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        section = sections.setdefault(
            str(item.section), {"label": item.section, "items": [], "active": False}
        )
        active = current_path.startswith(url) and url != "/"
        section["items"].append({"label": item.label, "url": url, "active": active})
        section["active"] = section["active"] or active
    return list(sections.values())
