"""The main menu: apps add entries; each entry shows only to users who may use it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

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


@functools.lru_cache(maxsize=512)
def _url(url_name: str, script_prefix: str, urlconf: Any) -> str | None:
    """A menu entry's URL, reversed once per URL configuration and script prefix rather than on every
    page; None when the entry's app has no such URL."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {}
    for item in sorted(_items, key=lambda i: i.order):
        if not item.visible(user):
            continue
        url = _url(item.url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        if url is None:
            continue
        section = sections.setdefault(
            str(item.section), {"label": item.section, "items": [], "active": False}
        )
        active = current_path.startswith(url) and url != "/"
        section["items"].append({"label": item.label, "url": url, "active": active})
        section["active"] = section["active"] or active
    return list(sections.values())
