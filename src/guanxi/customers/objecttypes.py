from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.registry import Column, ObjectType, registry

from .models import Company, Contact

registry.register(
    ObjectType(
        key="company",
        model=Company,
        api_group="customers",
        url_namespace="customers",
        api_path="companies",
        searchable=True,
        home_card=True,
        has_tags=True,
        icon="building",
        default_sort="sort_name",
        select_related=("owner",),
        columns=[
            Column("name", _("Name"), sort="sort_name", link=True),
            Column("industry", _("Industry"), sort="industry"),
            Column("city", _("City"), sort="city"),
            Column("phone", _("Phone"), default=False),
            Column("domain", _("Domain"), sort="domain", default=False),
            Column("size", _("Size"), sort="size", default=False),
            Column("owner", _("Owner")),
            Column("created_at", pgettext_lazy("date", "Created"), sort="created_at", default=False),
            Column("updated_at", pgettext_lazy("date", "Updated"), sort="updated_at"),
        ],
        filterset="guanxi.customers.filtersets.CompanyFilterSet",
        serializer="guanxi.customers.api.CompanySerializer",
        viewset="guanxi.customers.api.CompanyViewSet",
        form="guanxi.customers.forms.CompanyForm",
        create="guanxi.customers.services.company_create",
        update="guanxi.customers.services.company_update",
        delete="guanxi.customers.services.company_delete",
    )
)

registry.register(
    ObjectType(
        key="contact",
        model=Contact,
        api_group="customers",
        url_namespace="customers",
        api_path="contacts",
        searchable=True,
        home_card=True,
        has_tags=True,
        icon="user",
        default_sort="sort_name",
        select_related=("owner", "company"),
        columns=[
            Column("full_name", pgettext_lazy("person", "Name"), sort="sort_name", link=True),
            Column("company", _("Company")),
            Column("title", _("Title"), default=False),
            Column("email", _("E-mail"), sort="email"),
            Column("mobile", _("Mobile")),
            Column("city", _("City"), sort="city", default=False),
            Column("source", _("Source"), sort="source", default=False),
            Column("owner", _("Owner")),
            Column("created_at", pgettext_lazy("date", "Created"), sort="created_at", default=False),
            Column("updated_at", pgettext_lazy("date", "Updated"), sort="updated_at"),
        ],
        filterset="guanxi.customers.filtersets.ContactFilterSet",
        serializer="guanxi.customers.api.ContactSerializer",
        viewset="guanxi.customers.api.ContactViewSet",
        form="guanxi.customers.forms.ContactForm",
        create="guanxi.customers.services.contact_create",
        update="guanxi.customers.services.contact_update",
        delete="guanxi.customers.services.contact_delete",
    )
)
