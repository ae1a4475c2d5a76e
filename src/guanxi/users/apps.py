from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender: Any, **kwargs: Any) -> None:
    from .roles import sync_builtin_roles

    sync_builtin_roles()


class UsersConfig(AppConfig):
    name = "guanxi.users"
    label = "users"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from guanxi.web import navigation

        from . import schema  # noqa: F401 - registers the OpenAPI description of token auth

        section = _("Settings")
        for order, (label, url) in enumerate(
            [
                (_("Users"), "users:user_list"),
                (_("Teams"), "users:team_list"),
                (_("Roles and permissions"), "users:role_list"),
                (_("Custom fields"), "core:customfield_list"),
                (_("Audit log"), "core:audit_list"),
            ]
        ):
            navigation.add(navigation.MenuItem(section, label, url, navigation.admin_only, order=900 + order))
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="guanxi.users.sync_roles")
