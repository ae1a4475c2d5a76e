from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _can_import(user: object) -> bool:
    from guanxi.core import permissions

    return any(
        permissions.can(user, "create", key) for key in ("company", "contact", "lead", "deal", "activity")
    )


def _can_dedupe(user: object) -> bool:
    from guanxi.core import permissions

    return any(permissions.can(user, "edit", key) for key in ("company", "contact"))


class TransferConfig(AppConfig):
    name = "guanxi.transfer"
    label = "transfer"
    verbose_name = _("Data transfer")

    def ready(self) -> None:
        from guanxi.core import events
        from guanxi.web import navigation

        events.declare("import.finished", _("Import finished"))
        section = _("Data")
        navigation.add(
            navigation.MenuItem(section, _("Imports"), "transfer:import_list", _can_import, order=60)
        )
        navigation.add(
            navigation.MenuItem(section, _("Duplicates"), "transfer:duplicate_list", _can_dedupe, order=61)
        )
