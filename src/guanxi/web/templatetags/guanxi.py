"""Template helpers available in every template (registered as builtins)."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag
def field(bound: forms.BoundField, **attrs: Any) -> str:
    """A form field with its label, help and errors in Tabler's markup."""
    return render_to_string(
        "web/field.html",
        {
            "field": bound,
            "is_checkbox": isinstance(bound.field.widget, forms.CheckboxInput),
            "is_multi": isinstance(bound.field.widget, forms.CheckboxSelectMultiple),
        },
    )


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def is_invalid(bound: forms.BoundField) -> str:
    return " is-invalid" if bound.errors else ""


@register.filter
def get_list(querydict: Any, key: str) -> list[Any]:
    return querydict.getlist(key) if hasattr(querydict, "getlist") else []


@register.filter
def duration_days(value: Any) -> str:
    """A timedelta as people say it: "3 days 4 hours", "5 hours", "less than an hour"."""
    from django.utils.translation import gettext, ngettext

    if value is None:
        return ""
    hours = int(value.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    return " ".join(parts) or gettext("less than an hour")
