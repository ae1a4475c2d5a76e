"""Users, teams, roles and API tokens."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import ACTIONS, Scope


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


BUILTIN_ROLE_NAMES = {
    "administrator": _("Administrator"),
    "sales_manager": _("Sales manager"),
    "sales_rep": _("Sales representative"),
    "service_agent": _("Service agent"),
    "finance": _("Finance"),
    "read_only": _("Read-only"),
}


class Role(models.Model):
    """Grants per object type and action, each a scope:
    {"contact": {"view": "all", "create": "own", "edit": "own", "delete": "none"}}."""

    code = models.SlugField(max_length=40, unique=True, null=True, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_admin = models.BooleanField(
        _("administrator"),
        default=False,
        help_text=_("Administrators may do everything, including settings."),
    )
    grants = models.JSONField(_("permissions"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return str(self.display_name)

    @property
    def display_name(self) -> Any:
        return BUILTIN_ROLE_NAMES.get(self.code or "", self.name)

    @property
    def is_builtin(self) -> bool:
        return bool(self.code)

    def scope(self, object_type: str, action: str) -> Scope:
        return Scope.parse((self.grants or {}).get(object_type, {}).get(action, "none"))


def clean_grants(grants: Any) -> dict[str, dict[str, str]]:
    """Grants in canonical form: only known actions and scope names."""
    result: dict[str, dict[str, str]] = {}
    if not isinstance(grants, dict):
        return result
    for key, actions in grants.items():
        if not isinstance(actions, dict):
            continue
        row = {a: Scope.parse(actions.get(a, "none")).name.lower() for a in ACTIONS}
        result[str(key)] = row
    return result


class User(AbstractUser):
    display_name = models.CharField(pgettext_lazy("person", "name"), max_length=150, blank=True)
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL)
    role = models.ForeignKey(Role, verbose_name=_("role"), null=True, blank=True, on_delete=models.PROTECT)
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)
    time_zone = models.CharField(_("time zone"), max_length=50, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[UserManager[Self]] = UserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.display_name:
            return self.display_name
        full = self.get_full_name()
        return full or self.username

    @property
    def preferred_currency(self) -> str:
        return self.currency or settings.GUANXI_DEFAULT_CURRENCY

    @property
    def preferred_language(self) -> str:
        return self.language or get_language() or settings.LANGUAGE_CODE


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """An API key. Only its SHA-256 is stored; the key itself is shown once, when it is created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("key starts with"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(_("read-only"), default=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired
