from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "guanxi.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from guanxi.core.views import add_detail_panel
        from guanxi.web import navigation

        from . import objecttypes  # noqa: F401
        from .views import TIMELINE_TYPES, timeline_panel

        section = _("Activities")
        navigation.add(
            navigation.MenuItem(
                section, _("My work"), "activities:my_work", navigation.can_view("activity"), order=40
            )
        )
        navigation.add(
            navigation.MenuItem(
                section,
                _("All activities"),
                "activities:activity_list",
                navigation.can_view("activity"),
                order=41,
            )
        )
        for object_type in TIMELINE_TYPES:
            add_detail_panel(object_type, timeline_panel, order=10)
