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
