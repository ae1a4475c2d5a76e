from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "guanxi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from guanxi.web import navigation

        from . import objecttypes  # noqa: F401

        section = _("Customers")
        navigation.add(
            navigation.MenuItem(
                section, _("Companies"), "customers:company_list", navigation.can_view("company"), order=10
            )
        )
        navigation.add(
            navigation.MenuItem(
                section, _("Contacts"), "customers:contact_list", navigation.can_view("contact"), order=11
            )
        )
