"""Writes on custom-field definitions (administrators only, audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _g

from . import audit
from .models import CustomField
from .permissions import is_admin
from .registry import registry

FIELDS = (
    "object_type",
    "name",
    "label",
    "label_zh",
    "type",
    "required",
    "choices",
    "default",
    "help_text",
    "order",
    "show_in_list",
)


def _state(field: CustomField) -> dict[str, Any]:
    return {f: audit.to_json(getattr(field, f)) for f in FIELDS}


def _check(field: CustomField) -> None:
    if registry.find(field.object_type) is None or not registry.get(field.object_type).has_custom_fields:
        raise ValidationError({"object_type": [_g("This kind of record has no custom fields.")]})
    if field.type in ("choice", "multichoice"):
        choices = [str(c).strip() for c in (field.choices or []) if str(c).strip()]
        if not choices:
            raise ValidationError({"choices": [_g("Give at least one choice.")]})
        field.choices = list(dict.fromkeys(choices))
    else:
        field.choices = []
    if (field.name and not field.name.replace("_", "").isalnum()) or field.name != field.name.lower():
        raise ValidationError({"name": [_g("Use lower-case letters, digits and underscores.")]})


def customfield_create(*, actor: Any, **fields: Any) -> CustomField:
    if not is_admin(actor):
        raise PermissionDenied(_g("administrators only"))
    field = CustomField(**fields)
    _check(field)
    field.full_clean()
    with transaction.atomic():
        field.save()
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            object_type="customfield",
            instance=field,
            before=None,
            after=_state(field),
        )
    return field


def customfield_update(*, actor: Any, field: CustomField, **changes: Any) -> CustomField:
    """Label, choices, required, help, order and list display can change; key, type and object type cannot."""
    if not is_admin(actor):
        raise PermissionDenied(_g("administrators only"))
    fixed = {"object_type", "name", "type"} & set(changes)
    for key in fixed:
        if changes[key] != getattr(field, key):
            raise ValidationError({key: [_g("This cannot change once the field exists.")]})
    before = _state(field)
    for key, value in changes.items():
        setattr(field, key, value)
    _check(field)
    field.full_clean()
    after = _state(field)
    old, new = audit.diff(before, after)
    if not new:
        return field
    with transaction.atomic():
        field.version += 1
        field.save()
        audit.record(
            actor=actor,
            action=audit.Action.UPDATE,
            object_type="customfield",
            instance=field,
            before=old,
            after=new,
        )
    return field


def customfield_delete(*, actor: Any, field: CustomField) -> None:
    """Removes the definition; stored values stay in the records' JSON until they are next saved."""
    if not is_admin(actor):
        raise PermissionDenied(_g("administrators only"))
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=audit.Action.DELETE,
            object_type="customfield",
            instance=field,
            before=_state(field),
            after=None,
        )
        field.delete()
