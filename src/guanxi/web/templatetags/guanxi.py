"""Template helpers available in every template (registered as builtins)."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string

register = template.Library()


def widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.simple_tag
def field(bound: forms.BoundField, **attrs: Any) -> str:
    """A form field with its label, help and errors in Tabler's markup, whatever widget the form chose."""
    widget = bound.field.widget
    classes = set((widget.attrs.get("class") or "").split())
    classes.add(widget_class(widget))
    if bound.errors and not isinstance(widget, forms.CheckboxSelectMultiple):
        classes.add("is-invalid")
    if isinstance(widget, forms.SelectMultiple) and not isinstance(widget, forms.CheckboxSelectMultiple):
        attrs.setdefault("size", min(6, max(3, len(getattr(widget, "choices", [])))))
    return render_to_string(
        "web/field.html",
        {
            "field": bound,
            "widget": bound.as_widget(attrs={**attrs, "class": " ".join(sorted(classes))}),
            "is_checkbox": isinstance(widget, forms.CheckboxInput),
            "is_multi": isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect),
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
    """A timedelta as people say it: "3 days 4 hours", "5 hours", "15 minutes", "less than a minute"."""
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
    if not parts:
        minutes = int(value.total_seconds() // 60)
        if minutes:
            return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
        return gettext("less than a minute")
    return " ".join(parts)
