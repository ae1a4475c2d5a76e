from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "guanxi.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from guanxi.core import (
            events,
            openapi,  # noqa: F401 - the rate limit's (empty) schema extension
        )
        from guanxi.web import dashboard, navigation

        from . import checks  # noqa: F401 - registers the system checks
        from .delivery import on_event
        from .views import paused_notice

        events.subscribe(on_event)
        navigation.add(
            navigation.MenuItem(
                _("Settings"), _("Webhooks"), "integrations:webhook_list", navigation.admin_only, order=950
            )
        )
        dashboard.register(paused_notice)
