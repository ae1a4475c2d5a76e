"""The life cycle every record write follows: permission, validation, save, audit, event.

Domain services (`contact_create`, `company_update` …) prepare their fields and call these helpers, so
the web, the API, imports and background jobs behave identically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _g

from . import audit, customfields, events, permissions
from .models import ExternalRef, Tag
from .registry import ObjectType, registry

Prepare = Callable[[Any], None]


class StaleVersionError(Exception):
    """The record changed since the version the writer saw; nothing was written."""

    def __init__(self, current: models.Model, expected: int, changes: list[audit.ObjectChange]) -> None:
        super().__init__(f"record is at version {getattr(current, 'version', '?')}, not {expected}")
        self.current = current
        self.expected = expected
        self.changes = changes


def _validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
    return {"__all__": list(exc.messages)}


def validate(
    instance: models.Model, *, custom_fields: Mapping[str, Any] | None, object_type: ObjectType
) -> None:
    """full_clean() plus custom-field validation, reported together, keyed by field."""
    errors: dict[str, list[str]] = {}
    if custom_fields is not None and object_type.has_custom_fields:
        try:
            instance.custom_field_data = customfields.clean(  # type: ignore[attr-defined]
                object_type.key,
                custom_fields,
                existing=instance.custom_field_data,  # type: ignore[attr-defined]
            )
        except ValidationError as exc:
            errors.update(_validation_errors(exc))
    elif object_type.has_custom_fields and instance.pk is None:
        try:
            instance.custom_field_data = customfields.clean(object_type.key, {}, existing=None)  # type: ignore[attr-defined]
        except ValidationError as exc:
            errors.update(_validation_errors(exc))
    try:
        instance.full_clean(exclude=["custom_field_data", "tags"])
    except ValidationError as exc:
        for field, messages in _validation_errors(exc).items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def tag_names(instance: models.Model) -> list[str]:
    if instance.pk is None:
        return []
    return sorted(instance.tags.values_list("name", flat=True))  # type: ignore[attr-defined]


def tag_names_by_record(model: type[models.Model], ids: Iterable[Any]) -> dict[Any, list[str]]:
    """The tag names of many records of `model` in one query, by record id, each list in the tags' own
    order (by name, as the database sorts); records without tags are left out."""
    relation = model._meta.get_field("tags")
    through = relation.remote_field.through  # type: ignore[union-attr]
    source = relation.m2m_field_name()  # type: ignore[union-attr]
    target = relation.m2m_reverse_field_name()  # type: ignore[union-attr]
    out: dict[Any, list[str]] = {}
    for pk, name in (
        through.objects.filter(**{f"{source}__in": list(ids)})
        .order_by(f"{target}__name")
        .values_list(f"{source}_id", f"{target}__name")
    ):
        out.setdefault(pk, []).append(name)
    return out


def normalise_tags(names: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        cleaned = " ".join(str(name).split())[:50]
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def set_tags(instance: models.Model, names: Iterable[str]) -> None:
    wanted = normalise_tags(names)
    existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=n) for n in wanted if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    instance.tags.set([existing[n] for n in wanted])  # type: ignore[attr-defined]


def _default_ownership(actor: Any, instance: models.Model) -> None:
    if instance.owner_id is None and getattr(actor, "pk", None):  # type: ignore[attr-defined]
        instance.owner = actor  # type: ignore[attr-defined]
    if instance.team_id is None and instance.owner_id is not None:  # type: ignore[attr-defined]
        instance.team_id = instance.owner.team_id  # type: ignore[attr-defined]


def _check_team(actor: Any, object_type: ObjectType, instance: models.Model, action: str) -> None:
    """Outside the 'all' scope a record can only be put in the actor's team or its owner's team."""
    if permissions.scope_for(actor, object_type, action) is permissions.Scope.ALL:
        return
    team_id = instance.team_id  # type: ignore[attr-defined]
    owner = instance.owner  # type: ignore[attr-defined]
    allowed = {actor.team_id, owner.team_id if owner else None, None}
    if team_id not in allowed:
        raise PermissionDenied(_g("not allowed to put this record in that team"))


def create_record[M: models.Model](
    *,
    actor: Any,
    instance: M,
    tags: Iterable[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    prepare: Prepare | None = None,
    external_ref: tuple[str, str] | None = None,
) -> M:
    object_type = registry.for_model(instance)
    if object_type.ownable:
        _default_ownership(actor, instance)
        if not permissions.can_assign(actor, object_type, instance.owner, "create"):  # type: ignore[attr-defined]
            raise PermissionDenied(
                _g("not allowed to create this %(type)s for that owner") % {"type": object_type.label}
            )
        _check_team(actor, object_type, instance, "create")
    else:
        permissions.require(actor, "create", object_type)
    if prepare is not None:
        prepare(instance)
    validate(instance, custom_fields=custom_fields, object_type=object_type)
    with transaction.atomic():
        instance.save()
        names: list[str] | None = None
        if object_type.has_tags:
            names = normalise_tags(tags or [])
            if names:
                set_tags(instance, names)
        if external_ref is not None:
            ExternalRef.objects.create(
                object_type=object_type.key,
                object_id=instance.pk,
                system=external_ref[0],
                external_id=external_ref[1],
            )
        after = audit.snapshot(instance, tags=names)
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            object_type=object_type.key,
            instance=instance,
            before=None,
            after={k: v for k, v in after.items() if v not in (None, "", [], {})},  # what was given
        )
        events.emit(f"{object_type.key}.created", instance=instance, actor=actor, data=after)
    return instance


def lock_for_update[M: models.Model](instance: M) -> M:
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def check_version(instance: models.Model, expected_version: int | None, object_type: ObjectType) -> None:
    current = instance.version  # type: ignore[attr-defined]
    if expected_version is not None and current != expected_version:
        changes = list(
            audit.history(object_type.key, instance.pk).filter(version__gt=expected_version).order_by("id")
        )
        raise StaleVersionError(instance, expected_version, changes)


def update_record[M: models.Model](
    *,
    actor: Any,
    instance: M,
    changes: Mapping[str, Any],
    tags: Iterable[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    prepare: Prepare | None = None,
) -> M:
    """Apply `changes` (field → value) if the actor may edit the record and its version is still
    `expected_version`. A write that changes nothing saves nothing and writes no audit row."""
    object_type = registry.for_model(instance)
    permissions.require(actor, "edit", object_type, instance)
    with transaction.atomic():
        current = lock_for_update(instance)
        permissions.require(actor, "edit", object_type, current)
        check_version(current, expected_version, object_type)
        names_before = tag_names(current) if object_type.has_tags else None
        before = audit.snapshot(current, tags=names_before)
        old_owner_id = getattr(current, "owner_id", None)
        for field, value in changes.items():
            setattr(current, field, value)
        if object_type.ownable:
            if current.owner_id != old_owner_id:  # type: ignore[attr-defined]
                if not permissions.can_assign(actor, object_type, current.owner, "edit"):  # type: ignore[attr-defined]
                    raise PermissionDenied(
                        _g("not allowed to give this %(type)s to that owner") % {"type": object_type.label}
                    )
                if "team" not in changes and "team_id" not in changes:
                    current.team_id = current.owner.team_id if current.owner else None  # type: ignore[attr-defined]
            _check_team(actor, object_type, current, "edit")
        if prepare is not None:
            prepare(current)
        validate(current, custom_fields=custom_fields, object_type=object_type)
        names_after = normalise_tags(tags) if tags is not None and object_type.has_tags else names_before
        after = audit.snapshot(current, tags=names_after)
        old, new = audit.diff(before, after)
        if not new:
            return current
        current.version += 1  # type: ignore[attr-defined]
        current.save()
        if tags is not None and object_type.has_tags and names_after != names_before:
            set_tags(current, names_after or [])
        audit.record(
            actor=actor,
            action=audit.Action.UPDATE,
            object_type=object_type.key,
            instance=current,
            before=old,
            after=new,
        )
        events.emit(
            f"{object_type.key}.updated", instance=current, actor=actor, data=after, changes=(old, new)
        )
    return current


def delete_record(*, actor: Any, instance: models.Model, expected_version: int | None = None) -> None:
    object_type = registry.for_model(instance)
    permissions.require(actor, "delete", object_type, instance)
    with transaction.atomic():
        current = lock_for_update(instance)
        permissions.require(actor, "delete", object_type, current)
        check_version(current, expected_version, object_type)
        before = audit.snapshot(current, tags=tag_names(current) if object_type.has_tags else None)
        pk = current.pk
        audit.record(
            actor=actor,
            action=audit.Action.DELETE,
            object_type=object_type.key,
            instance=current,
            before=before,
            after=None,
        )
        refs = ExternalRef.objects.filter(object_type=object_type.key, object_id=pk)
        # receivers match a deleted record by its ids in their system, which go with the refs
        external_ids = dict(refs.order_by("system").values_list("system", "external_id"))
        refs.delete()
        current.delete()
        current.pk = pk
        events.emit(
            f"{object_type.key}.deleted",
            instance=current,
            actor=actor,
            data=before,
            extra={"external_ids": external_ids} if external_ids else None,
        )
