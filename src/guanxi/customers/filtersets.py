import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from guanxi.core.filtersets import RecordFilterSet, RecordLookupFilter

from .choices import CompanySize, ContactSource, Industry
from .models import Company, Contact


class CompanyFilterSet(RecordFilterSet):
    industry = django_filters.MultipleChoiceFilter(choices=Industry.choices, label=_("Industry"))
    size = django_filters.MultipleChoiceFilter(choices=CompanySize.choices, label=_("Size"))
    city = django_filters.CharFilter(label=_("City"))
    province = django_filters.CharFilter(label=_("Province / state"))
    domain = django_filters.CharFilter(label=_("Domain"))

    class Meta:
        model = Company
        fields = ["q", "industry", "size", "city", "province", "domain"]


class ContactFilterSet(RecordFilterSet):
    company = RecordLookupFilter("company", field_name="company", label=_("Company"))
    source = django_filters.MultipleChoiceFilter(choices=ContactSource.choices, label=_("Source"))
    city = django_filters.CharFilter(label=_("City"))
    province = django_filters.CharFilter(label=_("Province / state"))
    email = django_filters.CharFilter(method="filter_email", label=_("E-mail"))
    has_email = django_filters.BooleanFilter(
        field_name="email", lookup_expr="gt", label=_("Has e-mail"), method="filter_has_email"
    )

    class Meta:
        model = Contact
        fields = ["q", "company", "source", "city", "province", "email", "has_email"]

    def filter_email(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        from guanxi.core.normalize import normalize_email

        return queryset.filter(email=normalize_email(value))

    def filter_has_email(self, queryset: QuerySet[Contact], name: str, value: bool) -> QuerySet[Contact]:
        if value is None:
            return queryset
        return queryset.exclude(email="") if value else queryset.filter(email="")
