from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "guanxi.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from guanxi.web import dashboard

        from .views import sales_dashboard

        dashboard.register(sales_dashboard)
