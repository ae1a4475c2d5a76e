import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.filtersets import RecordFilterSet

from .models import Activity, Kind, Priority

DATE = forms.DateInput(attrs={"type": "date"})


class ActivityFilterSet(RecordFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices, label=_("Type"))
    done = django_filters.BooleanFilter(label=_("Done"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    lead = django_filters.NumberFilter(field_name="lead_id", label=_("Lead"), widget=forms.HiddenInput)
    contact = django_filters.NumberFilter(
        field_name="contact_id", label=_("Contact"), widget=forms.HiddenInput
    )
    company = django_filters.NumberFilter(
        field_name="company_id", label=_("Company"), widget=forms.HiddenInput
    )
    deal = django_filters.NumberFilter(field_name="deal_id", label=_("Deal"), widget=forms.HiddenInput)
    when_from = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__gte",
        label=pgettext_lazy("date filter", "From"),
        widget=DATE,
    )
    when_to = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__lt",
        label=pgettext_lazy("date filter", "Before"),
        widget=DATE,
    )

    class Meta:
        model = Activity
        fields = [
            "q",
            "kind",
            "done",
            "priority",
            "lead",
            "contact",
            "company",
            "deal",
            "when_from",
            "when_to",
        ]
