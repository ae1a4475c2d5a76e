from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.formrender import stock_widget_renderer
from guanxi.core.forms import RecordChoiceField, RecordForm, RecordMultipleChoiceField, limit_links

from .models import Activity, Kind

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
KIND_FIELDS = {
    "due_at": Kind.TASK,
    "priority": Kind.TASK,
    "reminder_at": Kind.TASK,
    "done": Kind.TASK,
    "direction": Kind.CALL,
    "duration_minutes": Kind.CALL,
    "outcome": Kind.CALL,
    "start_at": Kind.MEETING,
    "end_at": Kind.MEETING,
    "location": Kind.MEETING,
    "attendees": Kind.MEETING,
    "colleagues": Kind.MEETING,
    "occurred_at": f"{Kind.CALL} {Kind.NOTE}",
}


class ActivityForm(RecordForm):
    lead = RecordChoiceField("lead", label=_("Lead"), required=False)
    contact = RecordChoiceField("contact", label=_("Contact"), required=False)
    company = RecordChoiceField("company", label=_("Company"), required=False)
    deal = RecordChoiceField("deal", label=_("Deal"), required=False)
    attendees = RecordMultipleChoiceField("contact", label=_("Attendees"), required=False)
    colleagues = forms.ModelMultipleChoiceField(
        label=_("Colleagues attending"),
        required=False,
        queryset=get_user_model().objects.filter(is_active=True),
    )

    class Meta:
        model = Activity
        fields = [
            "kind",
            "subject",
            "body",
            "occurred_at",
            "due_at",
            "priority",
            "reminder_at",
            "done",
            "direction",
            "duration_minutes",
            "outcome",
            "start_at",
            "end_at",
            "location",
            "lead",
            "contact",
            "company",
            "deal",
            "owner",
            "team",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 4}),
            "occurred_at": DATETIME,
            "due_at": DATETIME,
            "reminder_at": DATETIME,
            "start_at": DATETIME,
            "end_at": DATETIME,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("occurred_at", "due_at", "reminder_at", "start_at", "end_at"):
            field = self.fields[name]
            assert isinstance(field, forms.DateTimeField)
            field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        self.fields["occurred_at"].required = False
        self.fields["subject"].required = False
        if self.user is not None:
            limit_links(self, self.user, "lead", "contact", "company", "deal", "attendees")
        if self.instance.pk:
            self.fields["attendees"].initial = list(self.instance.attendees.values_list("pk", flat=True))
            self.fields["colleagues"].initial = list(self.instance.colleagues.values_list("pk", flat=True))
        for name, kinds in KIND_FIELDS.items():
            if name in self.fields:
                self.fields[name].widget.attrs["data-kinds"] = kinds
        self.fields["kind"].widget.attrs["data-kind-select"] = "1"
        if not self.instance.pk and not self.is_bound:
            self.fields["occurred_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        kwargs["attendees"] = list(self.cleaned_data.get("attendees") or [])
        kwargs["colleagues"] = list(self.cleaned_data.get("colleagues") or [])
        return kwargs

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("subject") and data.get("kind") != Kind.NOTE:
            self.add_error("subject", _("Give it a subject."))
        if data.get("kind") == Kind.NOTE and not (data.get("subject") or data.get("body")):
            self.add_error("body", _("Write the note."))
        return data


class QuickActivityForm(forms.Form):
    """The timeline's quick form: log a call, add a note or a task without leaving the record. Its widgets
    are on every timeline panel: the stock ones are written in Python (same markup as the templates)."""

    default_renderer = stock_widget_renderer

    kind = forms.ChoiceField(choices=[(Kind.CALL, _("Call")), (Kind.NOTE, _("Note")), (Kind.TASK, _("Task"))])
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    direction = forms.ChoiceField(
        label=_("Direction"), required=False, choices=[("outbound", _("Outbound")), ("inbound", _("Inbound"))]
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[
            ("connected", _("Connected")),
            ("no_answer", _("No answer")),
            ("voicemail", _("Left a voicemail")),
            ("busy", _("Busy")),
            ("wrong_number", _("Wrong number")),
        ],
    )
    duration_minutes = forms.IntegerField(label=_("Minutes"), min_value=0, max_value=1440, required=False)
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else "form-control form-control-sm",
            )
            if not isinstance(widget, forms.Select) and field.label:
                widget.attrs.setdefault("placeholder", field.label)  # the quick form shows no labels
                widget.attrs.setdefault("aria-label", field.label)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("subject") or data.get("body")):
            raise forms.ValidationError(_("Write something first."))
        return data
