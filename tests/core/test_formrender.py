"""The stock widget templates written out in Python (core.formrender) give the templates' markup, byte for
byte, and leave everything else to the templates."""

import datetime

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from guanxi.core.formrender import StockWidgetRenderer, stock_widget_renderer
from guanxi.core.forms import LookupSelect

GROUPED = [
    ("", "—"),
    ("Fruit", [("apple", "Apple & <pear>"), ("kiwi", '"Kiwi"')]),
    ("Other", [(3, 3), ("x'y", mark_safe("<b>bold</b>"))]),
]
FLAT = [("web", gettext_lazy("Web form")), ("referral", "Referral"), ("", "(none) <empty>")]


class Everything(forms.Form):
    text = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": 'a "b" <c>'}))
    number = forms.IntegerField(required=False)
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(required=False)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    flag = forms.BooleanField(required=False)
    choice = forms.ChoiceField(required=False, choices=GROUPED)
    multi = forms.MultipleChoiceField(required=False, choices=GROUPED)
    ticks = forms.MultipleChoiceField(required=False, choices=FLAT, widget=forms.CheckboxSelectMultiple)
    grouped_ticks = forms.MultipleChoiceField(
        required=False, choices=GROUPED, widget=forms.CheckboxSelectMultiple
    )
    radio = forms.ChoiceField(required=False, choices=FLAT, widget=forms.RadioSelect)
    maybe = forms.NullBooleanField(required=False)
    search = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"type": "search", "disabled": True, "x": False})
    )


DATA = [
    None,
    {},
    {
        "text": "<script>&amp;",
        "number": "12345",
        "date": "2025-01-02",
        "when": "2025-01-02 03:04",
        "email": "a@b.c",
        "url": "x",
        "secret": "s3cr'et",
        "hidden": '"h"',
        "flag": "on",
        "choice": "kiwi",
        "multi": ["apple", "3"],
        "ticks": ["web", ""],
        "grouped_ticks": ["x'y"],
        "radio": "referral",
        "maybe": "true",
        "search": "q",
    },
]


def render_both(form, **as_widget):
    for bound in form:
        form.renderer = get_default_renderer()
        template = bound.as_widget(**as_widget)
        form.renderer = stock_widget_renderer
        python = bound.as_widget(**as_widget)
        yield bound.name, template, python


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_stock_widget_renders_as_its_template_does(data, language):
    with override(language):
        form = Everything(data=data, initial={"number": 1234567, "when": datetime.datetime(2025, 1, 2, 3, 4)})
        for name, template, python in render_both(form):
            assert python == template, name
        # Without ids, and with extra attributes as the list's `field` tag adds them.
        form = Everything(data=data, auto_id=False)
        for name, template, python in render_both(form, attrs={"class": "form-select", "size": 4}):
            assert python == template, name


def test_the_stock_path_is_taken_and_other_templates_are_left_to_the_templates(monkeypatch):
    renderer = StockWidgetRenderer()
    assert renderer.stock  # Django's widget templates are the ones the Python reproduces
    calls = []
    fallback = renderer.fallback
    monkeypatch.setattr(
        fallback, "render", lambda name, context, request=None: calls.append(name) or "<from template>"
    )
    form = Everything()
    form.renderer = renderer
    assert "<select" in form["choice"].as_widget()
    assert calls == []
    lookup = LookupSelect("company")
    lookup.choices = []
    assert lookup.render("company", None, renderer=renderer) == "<from template>"
    assert calls == ["core/widgets/lookup_select.html"]


def test_a_changed_stock_template_turns_the_python_rendering_off():
    class Changed:
        form_template_name = field_template_name = formset_template_name = "x"
        bound_field_class = None

        def get_template(self, name):
            template = get_default_renderer().get_template(name)
            if name.endswith("select_option.html"):

                class Other:
                    template = type("T", (), {"source": "<option>{{ widget.label }}</option>"})()

                return Other()
            return template

        def render(self, name, context, request=None):
            return get_default_renderer().render(name, context, request)

    renderer = StockWidgetRenderer(Changed())  # type: ignore[arg-type]
    assert renderer.stock == frozenset()
    assert renderer.render_stock("django/forms/widgets/text.html", {"widget": {}}) is None


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "<b>&'\"",
        mark_safe("<a href='x'>y</a>"),
        gettext_lazy("Web form"),
        12345678,
        1234.5,
        __import__("decimal").Decimal("1234567.891"),
        datetime.date(2025, 1, 2),
        datetime.datetime(2025, 1, 2, 3, 4, tzinfo=datetime.UTC),
        None,
        True,
        "",
    ],
)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_list_cell_renders_as_the_template_variable_did(value, language):
    from django.template import engines

    from guanxi.core.views import _cell_html

    with override(language):
        assert _cell_html(value) == engines["django"].from_string("{{ cell }}").render({"cell": value})


class Fields(forms.Form):
    name = forms.CharField(label="Name <&>", help_text="Your <b>name</b>", max_length=3)
    agree = forms.BooleanField(label=gettext_lazy("Has e-mail"), help_text="tick it")
    source = forms.MultipleChoiceField(choices=FLAT, widget=forms.CheckboxSelectMultiple, required=False)
    owner = forms.MultipleChoiceField(choices=GROUPED, required=False)
    kind = forms.ChoiceField(choices=FLAT, widget=forms.RadioSelect)
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(required=False, widget=forms.HiddenInput)


@pytest.mark.parametrize("data", [None, {}, {"name": "toolong<>", "when": "nope", "secret": "x"}])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_field_tag_renders_as_its_template_does(data, language, monkeypatch):
    from guanxi.web.templatetags import guanxi as tags

    assert tags._field_template_is_stock()  # web/field.html is the markup the Python writes out
    with override(language):
        form = Fields(data=data)
        if data:
            assert form.errors
        python = [tags.field(bound, placeholder="x") for bound in Fields(data=data)]
        monkeypatch.setattr(tags, "_field_template_is_stock", lambda: False)
        template = [tags.field(bound, placeholder="x") for bound in Fields(data=data)]
        monkeypatch.undo()
    assert python == template
