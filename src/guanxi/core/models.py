"""Base model, mixins and the platform's own tables (tags, custom fields, external ids, saved views)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .audit import ObjectChange
from .customfields import FIELD_TYPES

if TYPE_CHECKING:
    from guanxi.users.models import User

__all__ = [
    "BaseModel",
    "CustomField",
    "ExternalRef",
    "GuanxiQuerySet",
    "ObjectChange",
    "OwnedModel",
    "SavedView",
    "Tag",
]


class GuanxiQuerySet(models.QuerySet):
    """Every read of records goes through `visible_to(user)`; writes check `restrict(user, action)`."""

    def visible_to(self, user: User | Any) -> Self:
        return self.restrict(user, "view")

    def restrict(self, user: User | Any, action: str) -> Self:
        from .permissions import scope_filter

        condition = scope_filter(user, self.model, action)
        if condition is None:
            return self.none()
        return self.filter(condition) if condition else self


class BaseModel(models.Model):
    """Timestamps, an optimistic-locking version and custom-field values."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    custom_field_data = models.JSONField(_("custom fields"), default=dict, blank=True)

    objects = GuanxiQuerySet.as_manager()

    # Derived columns the audit log leaves out (they follow from other fields).
    audit_exclude: tuple[str, ...] = ("created_at", "updated_at", "version", "search_text", "sort_name")

    class Meta:
        abstract = True

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class OwnedModel(BaseModel):
    """A record that belongs to an owner and a team; scopes own/team/all are computed from them."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        "users.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(_("colour"), max_length=20, default="blue")

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomField(models.Model):
    """An administrator-defined typed field; values live in the record's `custom_field_data`."""

    object_type = models.CharField(_("object type"), max_length=40)
    name = models.SlugField(
        _("key"), max_length=50, help_text=_("Lower-case letters, digits and underscores.")
    )
    label = models.CharField(_("label (English)"), max_length=100)
    label_zh = models.CharField(_("label (Chinese)"), max_length=100, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=FIELD_TYPES)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    default = models.JSONField(_("default"), null=True, blank=True)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    show_in_list = models.BooleanField(_("show in lists"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["object_type", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["object_type", "name"], name="customfield_unique_name")
        ]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        from django.utils.translation import get_language

        language = get_language() or ""
        return self.label_zh if language.startswith("zh") and self.label_zh else self.label

    @property
    def form_name(self) -> str:
        return f"cf_{self.name}"


class ExternalRef(models.Model):
    """A record's id in another system (an ERP, a marketing tool, the CRM an import came from)."""

    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    system = models.CharField(max_length=40)
    external_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "system", "external_id"], name="externalref_unique"
            ),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"], name="externalref_object")]

    def __str__(self) -> str:
        return f"{self.system}:{self.external_id}"


class SavedView(models.Model):
    """A user's named list view: filters, sort and columns of one object type's list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    object_type = models.CharField(max_length=40)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    columns = models.JSONField(default=list, blank=True)
    is_default = models.BooleanField(_("open by default"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "object_type", "name"], name="savedview_unique_name"),
        ]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name
