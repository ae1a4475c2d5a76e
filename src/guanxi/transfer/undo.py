"""Undoing an import: the records it created are deleted, the records it updated get their values back.

The import's audit rows (request id `import-<id>`) say what it did. A record somebody changed after the
import is left as it is and counted as kept, so an undo never throws away later work. The undo is
audited itself (request id `import-<id>-undo`: a delete row per removed record, a restore row per
restored one) and runs in batches, so a large undo can be resumed like an import.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from guanxi.core import audit, permissions
from guanxi.core.context import request_context
from guanxi.core.models import ExternalRef
from guanxi.core.registry import registry
from guanxi.core.services import tag_names_by_record

from .bulk import Snapshotter, set_tags_bulk, write_audit
from .models import ImportJob

CHUNK = 2000


def can_revert(actor: Any, job: ImportJob) -> bool:
    from .services import can_manage

    return bool(
        can_manage(actor, job)
        and not job.dry_run
        and job.status
        in (
            ImportJob.Status.FINISHED,
            ImportJob.Status.CANCELLED,
            ImportJob.Status.FAILED,
            ImportJob.Status.REVERTING,
        )
        and (job.created or job.updated or job.related_created or job.status == ImportJob.Status.REVERTING)
    )


def revert_import(*, actor: Any, job: ImportJob) -> dict[str, int]:
    """Undo `job`; returns {"deleted", "restored", "kept"}."""
    if not can_revert(actor, job):
        raise PermissionDenied(_g("You may not undo this import."))
    if job.status in (ImportJob.Status.RUNNING, ImportJob.Status.QUEUED):
        raise ValidationError(_g("The import is still running."))
    job.status = ImportJob.Status.REVERTING
    job.save(update_fields=["status", "updated_at"])
    counts = {"deleted": 0, "restored": 0, "kept": 0}
    changes = audit.ObjectChange.objects.filter(request_id=job.request_id)
    # What the import did to each record: created?, the values it found, the version it left.
    plan: dict[tuple[str, int], dict[str, Any]] = {}
    for object_type, object_id, action, version, before, after in (
        changes.order_by("id")
        .values_list("object_type", "object_id", "action", "version", "before", "after")
        .iterator(chunk_size=CHUNK)
    ):
        entry = plan.setdefault(
            (object_type, object_id), {"created": False, "before": {}, "version": 0, "links": []}
        )
        if action == audit.Action.CREATE:
            entry["created"] = True
        elif action == audit.Action.UPDATE:
            if before and "contacts" in before and after and after.get("contacts"):
                entry["links"].append(after["contacts"]["contact"])
            else:
                for key, value in (before or {}).items():
                    entry["before"].setdefault(key, value)
        entry["version"] = max(entry["version"], version)
    by_type: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for (object_type, object_id), entry in plan.items():
        by_type[object_type].append((object_id, entry))
    # Records of the main type first (contacts before the companies they created), newest first.
    order = sorted(by_type, key=lambda t: 0 if t == job.record_type else 1)
    with request_context(job.revert_request_id):
        for object_type in order:
            items = sorted(by_type[object_type], key=lambda item: -item[0])
            for start in range(0, len(items), CHUNK):
                with transaction.atomic():
                    _revert_chunk(actor, object_type, items[start : start + CHUNK], counts)
    job.status = ImportJob.Status.REVERTED
    job.reverted_at = timezone.now()
    job.reverted_by = actor if getattr(actor, "pk", None) else None
    job.report = {**(job.report or {}), "undo": counts}
    job.save(update_fields=["status", "reverted_at", "reverted_by", "report", "updated_at"])
    return counts


def _revert_chunk(
    actor: Any, object_type: str, items: list[tuple[int, dict[str, Any]]], counts: dict[str, int]
) -> None:
    ot = registry.find(object_type)
    if ot is None:
        return
    model: Any = ot.model
    snapshot = Snapshotter(model)
    ids = [oid for oid, _entry in items]
    created = {oid for oid, entry in items if entry["created"]}
    deletable = set(
        model.objects.restrict(actor, "delete").filter(pk__in=created).values_list("pk", flat=True)
    )
    editable = {o.pk: o for o in model.objects.restrict(actor, "edit").filter(pk__in=set(ids) - created)}
    current = {o.pk: o for o in model.objects.filter(pk__in=ids)}
    now = timezone.now()
    deletes, restores = [], []
    tags = _tags(model, ids) if ot.has_tags else {}
    for oid, entry in items:
        obj = current.get(oid)
        if obj is None:
            continue
        if getattr(obj, "version", 1) != entry["version"]:
            counts["kept"] += 1  # changed after the import: leave it
            continue
        if entry["created"]:
            if oid not in deletable:
                counts["kept"] += 1
                continue
            deletes.append(obj)
        else:
            if oid not in editable:
                counts["kept"] += 1
                continue
            restores.append((obj, entry))
    if deletes:
        removed: list[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None, int | None]] = [
            (
                audit.Action.DELETE,
                obj,
                snapshot(obj, tags=tags.get(obj.pk, []) if ot.has_tags else None),
                None,
                None,
            )
            for obj in deletes
        ]
        write_audit(removed, key=ot.key, actor=actor, now=now)
        pks = [obj.pk for obj in deletes]
        ExternalRef.objects.filter(object_type=ot.key, object_id__in=pks).delete()
        model.objects.filter(pk__in=pks).delete()
        counts["deleted"] += len(pks)
    if restores:
        prepare = _prepare_for(ot.key)
        entries: list[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None, int | None]] = []
        tag_sets = []
        for obj, entry in restores:
            names = tags.get(obj.pk, []) if ot.has_tags else None
            before = snapshot(obj, tags=names)
            restore = entry["before"]
            for key, value in restore.items():
                if key == "tags":
                    continue
                if key.startswith("cf_"):
                    data = dict(obj.custom_field_data or {})
                    if value is None:
                        data.pop(key[3:], None)
                    else:
                        data[key[3:]] = value
                    obj.custom_field_data = data
                    continue
                field = _field_or_none(model, key)
                if field is None:  # a field that no longer exists
                    continue
                setattr(obj, field.attname, field.to_python(value) if value is not None else None)
            if prepare is not None:
                prepare(obj)
            names_after = sorted(restore["tags"]) if "tags" in restore and ot.has_tags else names
            after = snapshot(obj, tags=names_after)
            old, new = audit.diff(before, after)
            for contact_id in entry["links"]:
                _unlink_contact(obj, contact_id)
            if not new:
                continue
            obj.version += 1
            obj.save()
            if names_after != names:
                tag_sets.append((obj.pk, names_after or []))
            entries.append((audit.Action.RESTORE, obj, old, new, obj.version))
            counts["restored"] += 1
        if tag_sets:
            set_tags_bulk(model, tag_sets, replace=True)
        write_audit(entries, key=ot.key, actor=actor, now=now)


def _field_or_none(model: Any, name: str) -> Any:
    from django.core.exceptions import FieldDoesNotExist

    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _unlink_contact(deal: Any, contact_id: int) -> None:
    from guanxi.sales.models import DealContact

    DealContact.objects.filter(deal_id=deal.pk, contact_id=contact_id).delete()


def _tags(model: Any, ids: list[int]) -> dict[int, list[str]]:
    return {k: sorted(v) for k, v in tag_names_by_record(model, ids).items()}


def _prepare_for(key: str) -> Any:
    from .engine import spec_for

    plural = {
        "company": "companies",
        "contact": "contacts",
        "lead": "leads",
        "deal": "deals",
        "activity": "activities",
    }.get(key)
    return spec_for(plural).prepare if plural else None


__all__ = ["can_revert", "permissions", "revert_import"]
