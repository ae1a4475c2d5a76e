from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CostsConfig(AppConfig):
    name = "guanxi.costs"
    label = "costs"
    verbose_name = _("Costs")

    def ready(self) -> None:
        from guanxi.web import dashboard, navigation

        from . import objecttypes  # noqa: F401
        from .views import home_widget

        dashboard.register(home_widget)

        section = _("Costs")
        for order, (label, url_name, object_type) in enumerate(
            [
                (_("Scenarios"), "costs:scenario_list", "scenario"),
                (_("Compare scenarios"), "costs:scenario_compare", "scenario"),
                (_("Expenses"), "costs:expense_list", "expense"),
                (_("Internal time"), "costs:time_entry_list", "time_entry"),
                (_("Budget against actual"), "costs:budget_report", "budget"),
                (_("Budgets"), "costs:budget_list", "budget"),
                (_("Hours saved"), "costs:time_saving_list", "time_saving"),
                (_("Is our CRM paying back?"), "costs:payback", "expense"),
                (_("Price catalogue"), "costs:price_plan_list", "price_plan"),
            ]
        ):
            navigation.add(
                navigation.MenuItem(
                    section, label, url_name, navigation.can_view(object_type), order=700 + order
                )
            )
