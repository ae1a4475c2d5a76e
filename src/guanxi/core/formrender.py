"""Django's stock widget templates written out in Python, for the forms of hot pages.

Rendering a widget through the templates costs one template render per `{% include %}`: a select of 30
owners is 31 renders, a group of tick boxes three per choice. On the list page that was a third of the
server time. `StockWidgetRenderer` produces the markup of the stock input, select and tick-box templates
itself — the same bytes (tests/core/test_formrender.py renders every case both ways and compares) — and
hands everything else (a widget with its own template, form and field templates, errors) to the default
form renderer.

It only takes over a template whose source is exactly the one it was written from (checked once per
process against the template the default renderer would load), so a Django upgrade that changes a
widget template, or a project that overrides one, falls back to the templates instead of drifting."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, get_default_renderer
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeData

_W = "django/forms/widgets/"
_INCLUDE_INPUT = '{% include "django/forms/widgets/input.html" %}\n'
_INCLUDE_MULTIPLE = '{% include "django/forms/widgets/multiple_input.html" %}\n'
_INCLUDE_INPUT_OPTION = '{% include "django/forms/widgets/input_option.html" %}\n'

# The sources the Python below reproduces (Django 6.1).
STOCK_SOURCES: dict[str, str] = {
    _W + "attrs.html": (
        "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
        "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}"
    ),
    _W + "input.html": (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
        "value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>\n'
    ),
    _W + "select.html": (
        '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
        "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
        '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
        "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
        "  </optgroup>{% endif %}{% endfor %}\n</select>\n"
    ),
    _W + "select_option.html": (
        "<option value=\"{{ widget.value|stringformat:'s' }}\""
        '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n'
    ),
    _W + "multiple_input.html": (
        '{% with id=widget.attrs.id %}<div{% if id %} id="{{ id }}"{% endif %}'
        '{% if widget.attrs.class %} class="{{ widget.attrs.class }}"{% endif %}>'
        "{% for group, options, index in widget.optgroups %}{% if group %}\n"
        "  <div><label>{{ group }}</label>{% endif %}{% for option in options %}<div>\n"
        "    {% include option.template_name with widget=option %}</div>{% endfor %}{% if group %}\n"
        "  </div>{% endif %}{% endfor %}\n</div>{% endwith %}\n"
    ),
    _W + "input_option.html": (
        '{% if widget.wrap_label %}<label{% if widget.attrs.id %} for="{{ widget.attrs.id }}"{% endif %}>'
        '{% endif %}{% include "django/forms/widgets/input.html" %}'
        "{% if widget.wrap_label %} {{ widget.label }}</label>{% endif %}\n"
    ),
    _W + "checkbox_select.html": _INCLUDE_MULTIPLE,
    _W + "radio.html": _INCLUDE_MULTIPLE,
    _W + "checkbox_option.html": _INCLUDE_INPUT_OPTION,
    _W + "radio_option.html": _INCLUDE_INPUT_OPTION,
    **{
        f"{_W}{kind}.html": _INCLUDE_INPUT
        for kind in (
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
        )
    },
}
_INPUTS = frozenset(name for name, source in STOCK_SOURCES.items() if source == _INCLUDE_INPUT)
_MULTIPLE = frozenset({_W + "checkbox_select.html", _W + "radio.html"})
_INPUT_OPTIONS = frozenset({_W + "checkbox_option.html", _W + "radio_option.html"})
_SELECT = _W + "select.html"
_SELECT_OPTION = _W + "select_option.html"

# A template variable renders like this: autoescaped, localised, in the current time zone.
_CONTEXT = Context(autoescape=True)


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
        for name, expected in STOCK_SOURCES.items():
            template = getattr(self.fallback.get_template(name), "template", None)
            if getattr(template, "source", None) != expected:
                return frozenset()
        return frozenset(STOCK_SOURCES)

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
