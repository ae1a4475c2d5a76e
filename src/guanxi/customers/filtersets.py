import django_filters
from django.utils.translation import gettext_lazy as _

from guanxi.core.filtersets import RecordFilterSet

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
    company = django_filters.NumberFilter(field_name="company_id", label=_("Company"))
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

    def filter_email(self, queryset, name, value):  # type: ignore[no-untyped-def]
        from guanxi.core.normalize import normalize_email

        return queryset.filter(email=normalize_email(value))

    def filter_has_email(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if value is None:
            return queryset
        return queryset.exclude(email="") if value else queryset.filter(email="")
