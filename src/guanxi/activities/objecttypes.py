from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.registry import Column, ObjectType, registry

from .models import Activity

registry.register(
    ObjectType(
        key="activity",
        model=Activity,
        api_group="activities",
        url_namespace="activities",
        api_path="activities",
        searchable=True,
        default_sort="-occurred_at",
        select_related=("owner", "contact", "company", "deal", "lead"),
        columns=[
            Column("subject", _("Subject"), sort="subject", link=True),
            Column("kind", _("Type"), sort="kind"),
            Column("occurred_at", _("When"), sort="occurred_at"),
            Column("status", _("Status")),
            Column("related", _("Related to")),
            Column("owner", _("Owner")),
            Column("priority", _("Priority"), sort="priority", default=False),
            Column("created_at", pgettext_lazy("date", "Created"), sort="created_at", default=False),
        ],
        filterset="guanxi.activities.filtersets.ActivityFilterSet",
        serializer="guanxi.activities.api.ActivitySerializer",
        viewset="guanxi.activities.api.ActivityViewSet",
        form="guanxi.activities.forms.ActivityForm",
        create="guanxi.activities.services.activity_create",
        update="guanxi.activities.services.activity_update",
        delete="guanxi.activities.services.activity_delete",
    )
)
