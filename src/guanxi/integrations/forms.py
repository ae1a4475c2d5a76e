from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from guanxi.core.registry import registry

from . import catalogue
from .services import pipeline_choices


class WebhookForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, required=False, help_text=_("What receives it, e.g. “ERP orders”.")
    )
    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        assume_scheme="https",
        help_text=_("Where Guanxi POSTs the events. Internal addresses are refused unless allowed."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    object_types = forms.MultipleChoiceField(
        label=_("Only these record types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all."),
    )
    pipelines = forms.TypedMultipleChoiceField(
        label=_("Only deals in these pipelines"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all. Records without a pipeline are not affected."),
    )
    teams = forms.TypedMultipleChoiceField(
        label=_("Only records of these owner teams"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from guanxi.users.models import Team

        super().__init__(*args, **kwargs)
        self.event_groups = catalogue.grouped_events()
        choice_fields = cast(dict[str, forms.ChoiceField], self.fields)
        choice_fields["events"].choices = [
            (group, [(e.name, e.label) for e in events]) for group, events in self.event_groups
        ]
        choice_fields["object_types"].choices = [(ot.key, capfirst(ot.label_plural)) for ot in registry.all()]
        choice_fields["pipelines"].choices = pipeline_choices()
        if not choice_fields["pipelines"].choices:
            del self.fields["pipelines"]
        choice_fields["teams"].choices = [(t.pk, t.name) for t in Team.objects.order_by("name")]
        for name in ("name", "url"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def selected_events(self) -> set[str]:
        if self.is_bound:
            return set(self.data.getlist("events")) if hasattr(self.data, "getlist") else set()
        return set(self.initial.get("events") or [])

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.setdefault("pipelines", [])
        return data
