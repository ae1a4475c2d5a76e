"""Audit: one ObjectChange row per create, update, delete, merge and import of a record."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .context import current_request_id


class Action(models.TextChoices):
    CREATE = "create", pgettext_lazy("audit action", "created")
    UPDATE = "update", pgettext_lazy("audit action", "updated")
    DELETE = "delete", pgettext_lazy("audit action", "deleted")
    MERGE = "merge", pgettext_lazy("audit action", "merged")
    RESTORE = "restore", pgettext_lazy("audit action", "restored")


class ObjectChange(models.Model):
    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(_("request"), max_length=64, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(_("record"), max_length=200)
    version = models.PositiveIntegerField(default=1)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        app_label = "core"
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-id"], name="objectchange_object")]
        verbose_name = _("change")
        verbose_name_plural = _("changes")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.object_id}"

    @property
    def changed_fields(self) -> list[str]:
        keys = set(self.before or {}) | set(self.after or {})
        return sorted(keys)

    def diff(self) -> list[tuple[str, Any, Any]]:
        before, after = self.before or {}, self.after or {}
        return [(key, before.get(key), after.get(key)) for key in self.changed_fields]


def to_json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_json(v) for v in value]
    return str(value)


def snapshot(instance: models.Model, *, tags: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited state of a record: concrete fields (foreign keys by id), custom fields as `cf_<name>`
    and, when given, the tag names."""
    exclude = set(getattr(instance, "audit_exclude", ()))
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.name == "custom_field_data" or field.primary_key:
            continue
        data[field.name] = to_json(getattr(instance, field.attname))
    for name, value in (getattr(instance, "custom_field_data", None) or {}).items():
        data[f"cf_{name}"] = to_json(value)
    if tags is not None:
        data["tags"] = sorted(tags)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (old values, new values)."""
    keys = [k for k in before.keys() | after.keys() if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def build_change(
    *,
    actor: Any,
    action: str,
    object_type: str,
    instance: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> ObjectChange:
    actor_id = getattr(actor, "pk", None)
    return ObjectChange(
        actor_id=actor_id,
        actor_name=getattr(actor, "username", "") or "",
        request_id=current_request_id(),
        action=action,
        object_type=object_type,
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        version=getattr(instance, "version", 1),
        before=before,
        after=after,
    )


def record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    instance: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> ObjectChange:
    change = build_change(
        actor=actor, action=action, object_type=object_type, instance=instance, before=before, after=after
    )
    change.save()
    return change


def history(object_type: str, object_id: int) -> models.QuerySet[ObjectChange]:
    return ObjectChange.objects.filter(object_type=object_type, object_id=object_id).select_related("actor")
