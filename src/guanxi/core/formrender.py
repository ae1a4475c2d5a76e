"""Django's stock widget templates written out in Python, for the forms of hot pages.

Rendering a widget through the templates costs one template render per `{% include %}`: a select of 30
owners is 31 renders, a group of tick boxes three per choice. On the list page that was a third of the
server time. `StockWidgetRenderer` produces the markup of the stock input, select and tick-box templates
itself — the same bytes (tests/core/test_formrender.py renders every case both ways and compares) — and
hands everything else (a widget with its own template, form and field templates, errors) to the default
form renderer.

It only takes over a template whose source is exactly the one it was written from (its SHA-256, checked
once per process against the template the default renderer would load), so a Django upgrade that changes a
widget template, or a project that overrides one, falls back to the templates instead of drifting."""

from __future__ import annotations

import hashlib
from typing import Any

from django.forms.renderers import BaseRenderer, get_default_renderer
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeData

_W = "django/forms/widgets/"
_INPUT_KINDS = [
    "text",
    "number",
    "email",
    "url",
    "color",
    "search",
    "tel",
    "password",
    "hidden",
    "date",
    "datetime",
    "time",
    "checkbox",
]
_INCLUDES_INPUT = "7d7a5bc4ccc075bbff6af7d60b9e3ae200f68c59e0f77d44abbbf36f3cb5fb20"

# SHA-256 of each template source the Python below reproduces (Django 6.1's), so that a changed or
# overridden template is noticed without keeping a copy of its text here.
STOCK_DIGESTS: dict[str, str] = {
    _W + "attrs.html": "f729483efe44660fabc76a8f2e0a1b464c3a66afd625233c92dd74e8fa5261ad",
    _W + "input.html": "770cf3acba1c18b65021a19efbf5fc93bcfcee357a005b67dbc2e2967527507d",
    _W + "select.html": "ed4d11ce3784486f3b10dcd08cf45417bd60bcabc68d556f5dca6c5b6f814d1e",
    _W + "select_option.html": "37fa6c7742580aa361c767a1da8caf905d8a53676feccf66b4cc3fe012d8abc0",
    _W + "multiple_input.html": "8f111646a577d9aef7df8d1e434b889faef65f3e635bdaa6dd5fecac1c8b11dd",
    _W + "input_option.html": "3f244d9fd96613d0dad3e44adfbcd6e322595128895a020f094f68bb9a140b6f",
    _W + "checkbox_select.html": "fa86f6eaeaa6beb1143193d0aba900a8ae0a064d986474c259608ce819da2f4c",
    _W + "radio.html": "fa86f6eaeaa6beb1143193d0aba900a8ae0a064d986474c259608ce819da2f4c",
    _W + "checkbox_option.html": "536745b405ef3a7fde2b8a24d283ba070284fb7fa3a3325ba066a1fcf4052d53",
    _W + "radio_option.html": "536745b405ef3a7fde2b8a24d283ba070284fb7fa3a3325ba066a1fcf4052d53",
    **{f"{_W}{kind}.html": _INCLUDES_INPUT for kind in _INPUT_KINDS},
}
_INPUTS = frozenset(f"{_W}{kind}.html" for kind in _INPUT_KINDS)
_MULTIPLE = frozenset({_W + "checkbox_select.html", _W + "radio.html"})
_INPUT_OPTIONS = frozenset({_W + "checkbox_option.html", _W + "radio_option.html"})
_SELECT = _W + "select.html"
_SELECT_OPTION = _W + "select_option.html"

# A template variable renders like this: autoescaped, localised, in the current time zone.
_CONTEXT = Context(autoescape=True)


def source_digest(source: str | None) -> str | None:
    return None if source is None else hashlib.sha256(source.encode()).hexdigest()


class Unsupported(Exception):
    """A value the Python rendering does not reproduce (the template would call it): use the template."""


def text_html(value: Any) -> str:
    """`{{ value }}`."""
    if callable(value):
        raise Unsupported
    return str(render_value_in_context(value, _CONTEXT))


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: str() of the raw value (not localised), escaped unless safe."""
    if callable(value):
        raise Unsupported
    text = str(value)
    return text if isinstance(value, SafeData) else str(escape(text))


def _attrs(attrs: dict[str, Any]) -> str:
    """attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {text_html(name)}" if value is True else f' {text_html(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    """input.html."""
    value = widget.get("value")
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return (
        f'<input type="{text_html(widget.get("type"))}" name="{text_html(widget.get("name"))}"{shown}'
        f"{_attrs(widget.get('attrs') or {})}>\n"
    )


def _input_option(option: dict[str, Any]) -> str:
    """checkbox_option.html / radio_option.html, each an include of input_option.html."""
    if option.get("template_name") not in _INPUT_OPTIONS:
        raise Unsupported
    if not option.get("wrap_label"):
        return _input(option) + "\n\n"
    option_id = (option.get("attrs") or {}).get("id")
    label_for = f' for="{text_html(option_id)}"' if option_id else ""
    return f"<label{label_for}>{_input(option)} {text_html(option.get('label'))}</label>\n\n"


def _multiple(widget: dict[str, Any]) -> str:
    """checkbox_select.html / radio.html, each an include of multiple_input.html."""
    attrs = widget.get("attrs") or {}
    out = ["<div"]
    if attrs.get("id"):
        out.append(f' id="{text_html(attrs["id"])}"')
    if attrs.get("class"):
        out.append(f' class="{text_html(attrs["class"])}"')
    out.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{text_html(group)}</label>")
        for option in options:
            out.append(f"<div>\n    {_input_option(option)}</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>\n\n")
    return "".join(out)


def _select_option(option: dict[str, Any]) -> str:
    """select_option.html."""
    if option.get("template_name") != _SELECT_OPTION:
        raise Unsupported
    return (
        f'<option value="{_formatted(option.get("value"))}"{_attrs(option.get("attrs") or {})}>'
        f"{text_html(option.get('label'))}</option>\n"
    )


def _select(widget: dict[str, Any]) -> str:
    """select.html."""
    out = [f'<select name="{text_html(widget.get("name"))}"{_attrs(widget.get("attrs") or {})}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{text_html(group_name)}">')
        for option in group_choices:
            out.append(f"\n  {_select_option(option)}")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


class StockWidgetRenderer(BaseRenderer):
    """The default form renderer, with the stock widget templates rendered in Python."""

    def __init__(self, fallback: BaseRenderer | None = None) -> None:
        self._fallback = fallback

    @property
    def fallback(self) -> BaseRenderer:
        return self._fallback or get_default_renderer()

    @property
    def form_template_name(self) -> str:  # type: ignore[override]
        return self.fallback.form_template_name

    @property
    def formset_template_name(self) -> str:  # type: ignore[override]
        return self.fallback.formset_template_name

    @property
    def field_template_name(self) -> str:  # type: ignore[override]
        return self.fallback.field_template_name

    @property
    def bound_field_class(self) -> Any:  # type: ignore[override]
        return self.fallback.bound_field_class

    def get_template(self, template_name: str) -> Any:
        return self.fallback.get_template(template_name)

    @cached_property
    def stock(self) -> frozenset[str]:
        """The stock templates, when every one of them the fallback renderer would load has the source
        reproduced here; otherwise none (they include one another)."""
        for name, expected in STOCK_DIGESTS.items():
            template = getattr(self.fallback.get_template(name), "template", None)
            if source_digest(getattr(template, "source", None)) != expected:
                return frozenset()
        return frozenset(STOCK_DIGESTS)

    def render_stock(self, template_name: str, context: dict[str, Any]) -> str | None:
        """The markup of a stock widget template, or None when the template should render it."""
        widget = context.get("widget")
        if template_name not in self.stock or not isinstance(widget, dict):
            return None
        try:
            if template_name in _INPUTS:
                return _input(widget) + "\n"
            if template_name == _SELECT:
                return _select(widget)
            if template_name in _MULTIPLE:
                return _multiple(widget)
        except Unsupported:
            return None
        return None

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if request is None:
            html = self.render_stock(template_name, context)
            if html is not None:
                return html.strip()
        return self.fallback.render(template_name, context, request=request)


stock_widget_renderer = StockWidgetRenderer()
