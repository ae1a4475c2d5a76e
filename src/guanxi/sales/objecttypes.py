from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.registry import Column, ObjectType, registry

from .models import Deal, Lead, Pipeline, Product

registry.register(
    ObjectType(
        key="lead",
        model=Lead,
        api_group="sales",
        url_namespace="sales",
        api_path="leads",
        searchable=True,
        home_card=True,
        has_tags=True,
        default_sort="-created_at",
        select_related=("owner", "status", "source"),
        columns=[
            Column("full_name", pgettext_lazy("person", "Name"), sort="sort_name", link=True),
            Column("company_name", _("Company"), sort="company_name"),
            Column("email", _("E-mail"), sort="email"),
            Column("phone", _("Phone")),
            Column("status", _("Status")),
            Column("source", _("Source")),
            Column("city", _("City"), sort="city", default=False),
            Column("owner", _("Owner")),
            Column("created_at", pgettext_lazy("date", "Created"), sort="created_at"),
        ],
        filterset="guanxi.sales.filtersets.LeadFilterSet",
        serializer="guanxi.sales.api.LeadSerializer",
        viewset="guanxi.sales.api.LeadViewSet",
        form="guanxi.sales.forms.LeadForm",
        create="guanxi.sales.services.lead_create",
        update="guanxi.sales.services.lead_update",
        delete="guanxi.sales.services.lead_delete",
    )
)

registry.register(
    ObjectType(
        key="deal",
        model=Deal,
        api_group="sales",
        url_namespace="sales",
        api_path="deals",
        searchable=True,
        home_card=True,
        has_tags=True,
        default_sort="-created_at",
        select_related=("owner", "stage", "pipeline", "company"),
        columns=[
            Column("name", _("Name"), sort="sort_name", link=True),
            Column("company", _("Company")),
            Column("stage", _("Stage")),
            Column("amount", _("Amount"), sort="amount"),
            Column("expected_close_date", _("Expected close"), sort="expected_close_date"),
            Column("pipeline", _("Pipeline"), default=False),
            Column("owner", _("Owner")),
            Column("closed_at", _("Closed"), sort="closed_at", default=False),
            Column("created_at", pgettext_lazy("date", "Created"), sort="created_at", default=False),
        ],
        filterset="guanxi.sales.filtersets.DealFilterSet",
        serializer="guanxi.sales.api.DealSerializer",
        viewset="guanxi.sales.api.DealViewSet",
        form="guanxi.sales.forms.DealForm",
        create="guanxi.sales.services.deal_create",
        update="guanxi.sales.services.deal_update",
        delete="guanxi.sales.services.deal_delete",
    )
)

registry.register(
    ObjectType(
        key="product",
        model=Product,
        api_group="sales",
        url_namespace="sales",
        api_path="products",
        ownable=False,
        configuration=True,
        searchable=True,
        default_sort="code",
        columns=[
            Column("code", _("Code"), sort="code", link=True),
            Column("name", _("Name"), sort="sort_name"),
            Column("unit", _("Unit")),
            Column("list_price", _("List price"), sort="list_price"),
            Column("tax_rate", _("Tax rate (%)")),
            Column("active", _("Active")),
        ],
        filterset="guanxi.sales.filtersets.ProductFilterSet",
        serializer="guanxi.sales.api.ProductSerializer",
        viewset="guanxi.sales.api.ProductViewSet",
        form="guanxi.sales.forms.ProductForm",
        create="guanxi.sales.services.product_create",
        update="guanxi.sales.services.product_update",
        delete="guanxi.sales.services.product_delete",
    )
)

registry.register(
    ObjectType(
        key="pipeline",
        model=Pipeline,
        api_group="sales",
        url_namespace="sales",
        api_path="pipelines",
        ownable=False,
        configuration=True,
        default_sort="order",
        columns=[
            Column("name", _("Name"), sort="name", link=True),
            Column("stages", _("Stages")),
            Column("is_default", _("Default")),
            Column("active", _("Active")),
        ],
        filterset="guanxi.sales.filtersets.PipelineFilterSet",
        serializer="guanxi.sales.api.PipelineSerializer",
        viewset="guanxi.sales.api.PipelineViewSet",
        form="guanxi.sales.forms.PipelineForm",
        create="guanxi.sales.services.pipeline_create",
        update="guanxi.sales.services.pipeline_update",
        delete="guanxi.sales.services.pipeline_delete",
    )
)
