from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _defaults(sender: Any, **kwargs: Any) -> None:
    from .services import ensure_defaults

    ensure_defaults()


class SalesConfig(AppConfig):
    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from guanxi.core.views import add_detail_panel
        from guanxi.web import navigation

        from . import objecttypes  # noqa: F401
        from .panels import company_deals_panel, contact_deals_panel

        post_migrate.connect(_defaults, sender=self, dispatch_uid="guanxi.sales.defaults")
        section = _("Sales")
        for order, (label, url, key) in enumerate(
            [
                (_("Leads"), "sales:lead_list", "lead"),
                (_("Deals"), "sales:deal_list", "deal"),
                (_("Board"), "sales:board", "deal"),
                (_("Products"), "sales:product_list", "product"),
            ]
        ):
            navigation.add(
                navigation.MenuItem(section, label, url, navigation.can_view(key), order=20 + order)
            )
        settings_section = _("Settings")
        navigation.add(
            navigation.MenuItem(
                settings_section, _("Pipelines"), "sales:pipeline_list", navigation.admin_only, order=910
            )
        )
        for order, area in enumerate(["lists", "rules", "forms", "rates"]):
            navigation.add(
                navigation.MenuItem(
                    settings_section,
                    _sales_settings_label(area),
                    f"sales:settings_{area}",
                    navigation.admin_only,
                    order=911 + order,
                )
            )
        add_detail_panel("company", company_deals_panel, order=20)
        add_detail_panel("contact", contact_deals_panel, order=20)


def _sales_settings_label(area: str) -> Any:
    return {
        "lists": _("Lists"),
        "rules": _("Lead assignment rules"),
        "forms": _("Web-to-lead forms"),
        "rates": _("Exchange rates"),
    }[area]
