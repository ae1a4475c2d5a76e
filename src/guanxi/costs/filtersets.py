from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from guanxi.core.filtersets import RecordFilterSet

from .choices import Category, TimePurpose
from .models import Budget, Expense, PricePlan, Scenario, TimeEntry, TimeSaving


def _date_filter(lookup: str, label: Any) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name="date", lookup_expr=lookup, label=label, widget=forms.DateInput(attrs={"type": "date"})
    )


def _people(request: Any = None) -> QuerySet[Any]:
    return get_user_model().objects.filter(is_active=True)


class ScenarioFilterSet(RecordFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))
    currency = django_filters.CharFilter(label=_("Currency"))

    class Meta:
        model = Scenario
        fields = ["name", "currency"]


class ExpenseFilterSet(RecordFilterSet):
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label=_("Category"))
    vendor = django_filters.CharFilter(lookup_expr="icontains", label=_("Vendor"))
    description = django_filters.CharFilter(lookup_expr="icontains", label=_("Description"))
    invoice_number = django_filters.CharFilter(lookup_expr="icontains", label=_("Invoice number"))
    currency = django_filters.CharFilter(label=_("Currency"))
    date_from = _date_filter("gte", _("From"))
    date_to = _date_filter("lte", _("To"))

    class Meta:
        model = Expense
        fields = ["category", "vendor", "description", "invoice_number", "currency", "date_from", "date_to"]


class TimeEntryFilterSet(RecordFilterSet):
    person = django_filters.ModelChoiceFilter(queryset=_people, label=_("Person"))
    purpose = django_filters.MultipleChoiceFilter(choices=TimePurpose.choices, label=_("What it was for"))
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label=_("Category"))
    date_from = _date_filter("gte", _("From"))
    date_to = _date_filter("lte", _("To"))

    class Meta:
        model = TimeEntry
        fields = ["person", "purpose", "category", "date_from", "date_to"]


class BudgetFilterSet(RecordFilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label=_("Category"))

    class Meta:
        model = Budget
        fields = ["year", "category"]


class TimeSavingFilterSet(RecordFilterSet):
    person = django_filters.ModelChoiceFilter(queryset=_people, label=_("Person"))
    date_from = _date_filter("gte", _("From"))
    date_to = _date_filter("lte", _("To"))

    class Meta:
        model = TimeSaving
        fields = ["person", "date_from", "date_to"]


class PricePlanFilterSet(RecordFilterSet):
    vendor = django_filters.CharFilter(label=_("Vendor id"))

    class Meta:
        model = PricePlan
        fields = ["vendor"]
