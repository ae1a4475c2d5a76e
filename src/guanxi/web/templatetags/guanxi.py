"""Template helpers available in every template (registered as builtins)."""

from __future__ import annotations

import functools
from typing import Any

from django import forms, template
from django.forms.models import ModelChoiceIterator
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from guanxi.core.formrender import Unsupported, source_digest, text_html

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
        choices = getattr(widget, "choices", [])
        if isinstance(choices, ModelChoiceIterator):
            # Read the records once for both the size and the options (len() would count them first).
            choices = widget.choices = list(iter(choices))
        attrs.setdefault("size", min(6, max(3, len(choices))))
    html = bound.as_widget(attrs={**attrs, "class": " ".join(sorted(classes))})
    is_checkbox = isinstance(widget, forms.CheckboxInput)
    is_multi = isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect)
    context = {"field": bound, "widget": html, "is_checkbox": is_checkbox, "is_multi": is_multi}
    if not bound.is_hidden and _field_template_is_stock():
        try:
            return _field_html(bound, html, is_checkbox, is_multi)
        except Unsupported:
            pass  # a value the template would call (a callable label): the template renders it
    return render_to_string(FIELD_TEMPLATE, context)


FIELD_TEMPLATE = "web/field.html"
# web/field.html, which _field_html() writes out in Python: a form's dozen fields are a dozen
# template renders otherwise, a tenth of a list page's time. Edit the template and the tag renders it
# instead (tests/core/test_formrender.py compares the two).
FIELD_TEMPLATE_DIGEST = (
    "c513cab95ad761235e362a142560031e8b39ecd912080675e55d44b6b8b3b67c"  # SHA-256 of its source
)


@functools.cache
def _field_template_is_stock() -> bool:
    template = getattr(get_template(FIELD_TEMPLATE), "template", None)
    return source_digest(getattr(template, "source", None)) == FIELD_TEMPLATE_DIGEST


def _field_html(bound: forms.BoundField, widget: str, is_checkbox: bool, is_multi: bool) -> str:
    """web/field.html for a field that is not hidden."""
    help_text = f'<small class="form-hint">{text_html(bound.help_text)}</small>' if bound.help_text else ""
    label = text_html(bound.label)
    if is_checkbox:
        errors = "".join(f'<div class="invalid-feedback d-block">{text_html(e)}</div>' for e in bound.errors)
        html = (
            f'\n<div class="mb-3">\n  <label class="form-check">{text_html(widget)}'
            f'<span class="form-check-label">{label}</span></label>\n  {help_text}\n  {errors}\n</div>\n'
        )
    else:
        name = text_html(bound.name)
        errors = "".join(
            f'<div class="invalid-feedback d-block" data-error-for="{name}">{text_html(e)}</div>'
            for e in bound.errors
        )
        required = " required" if bound.field.required else ""
        shown = f'<div class="gx-multi">{text_html(widget)}</div>' if is_multi else text_html(widget)
        html = (
            f'\n<div class="mb-3">\n  <label class="form-label{required}" '
            f'for="{text_html(bound.id_for_label)}">{label}</label>\n  {shown}\n  {help_text}\n'
            f"  {errors}\n</div>\n"
        )
    return mark_safe(html)  # noqa: S308 - every value in it is escaped by text_html


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
