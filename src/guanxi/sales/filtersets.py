import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from guanxi.core.filtersets import RecordFilterSet, RecordLookupFilter

from .choices import PicklistKind, StageKind
from .models import Deal, Lead, PicklistValue, Pipeline, Product, Stage

DATE = forms.DateInput(attrs={"type": "date"})


class LeadFilterSet(RecordFilterSet):
    status = django_filters.ModelMultipleChoiceFilter(
        queryset=PicklistValue.objects.filter(kind=PicklistKind.LEAD_STATUS), label=_("Status")
    )
    source = django_filters.ModelMultipleChoiceFilter(
        queryset=PicklistValue.objects.filter(kind=PicklistKind.LEAD_SOURCE), label=_("Source")
    )
    converted = django_filters.BooleanFilter(
        field_name="converted_at", lookup_expr="isnull", exclude=True, label=_("Converted")
    )
    city = django_filters.CharFilter(label=_("City"))
    province = django_filters.CharFilter(label=_("Province / state"))

    class Meta:
        model = Lead
        fields = ["q", "status", "source", "converted", "city", "province"]


class DealFilterSet(RecordFilterSet):
    pipeline = django_filters.ModelChoiceFilter(queryset=Pipeline.objects.all(), label=_("Pipeline"))
    stage = django_filters.ModelMultipleChoiceFilter(
        queryset=Stage.objects.select_related("pipeline"), label=_("Stage")
    )
    status = django_filters.ChoiceFilter(
        field_name="stage__kind", choices=StageKind.choices, label=_("Status")
    )
    company = RecordLookupFilter("company", field_name="company", label=_("Company"))
    contact = django_filters.NumberFilter(
        field_name="contact_roles__contact_id", label=_("Contact"), widget=forms.HiddenInput
    )
    source = django_filters.ModelChoiceFilter(
        queryset=PicklistValue.objects.filter(kind=PicklistKind.LEAD_SOURCE), label=_("Source")
    )
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", label=_("Amount from"))
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", label=_("Amount to"))
    close_from = django_filters.DateFilter(
        field_name="expected_close_date", lookup_expr="gte", label=_("Expected close from"), widget=DATE
    )
    close_to = django_filters.DateFilter(
        field_name="expected_close_date", lookup_expr="lt", label=_("Expected close before"), widget=DATE
    )
    closed_from = django_filters.DateFilter(
        field_name="closed_at", lookup_expr="date__gte", label=_("Closed from"), widget=DATE
    )
    closed_to = django_filters.DateFilter(
        field_name="closed_at", lookup_expr="date__lt", label=_("Closed before"), widget=DATE
    )

    class Meta:
        model = Deal
        fields = [
            "q",
            "pipeline",
            "stage",
            "status",
            "company",
            "contact",
            "source",
            "amount_min",
            "amount_max",
            "close_from",
            "close_to",
            "closed_from",
            "closed_to",
        ]


class ProductFilterSet(RecordFilterSet):
    active = django_filters.BooleanFilter(label=_("Active"))
    currency = django_filters.CharFilter(label=_("Currency"))

    class Meta:
        model = Product
        fields = ["q", "active", "currency"]


class PipelineFilterSet(RecordFilterSet):
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Pipeline
        fields = ["active"]

    def filter_search(self, queryset: QuerySet[Pipeline], name: str, value: str) -> QuerySet[Pipeline]:
        return queryset.filter(name__icontains=value)
