"""Writes on imports: create one from a file (stored in the data directory, columns mapped), change its
mapping, run it (dry or for real) as a background task, resume, cancel, undo."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _g

from guanxi.core import audit, customfields, permissions

from . import mapping as mapping_mod
from .convert import key_of
from .models import RECORD_TYPE, ImportJob, OnDuplicate, data_dir
from .readers import ReadError, open_table

PREVIEW_ROWS = 10
_SAFE_NAME = re.compile(r"[^\w.\-]+")


def can_import(user: Any, object_type: str) -> bool:
    return permissions.can(user, "create", RECORD_TYPE[mapping_mod.object_type(object_type)])


def can_manage(user: Any, job: ImportJob) -> bool:
    """The person who made an import, or an administrator."""
    return permissions.is_admin(user) or (
        job.created_by_id is not None and job.created_by_id == getattr(user, "pk", None)
    )


def visible_imports(user: Any) -> Any:
    jobs = ImportJob.objects.select_related("created_by")
    if permissions.is_admin(user):
        return jobs
    return jobs.filter(created_by_id=getattr(user, "pk", None))


def store_file(source: str | Path | IO[bytes], file_name: str) -> tuple[str, int]:
    """Copy an uploaded or given file into the data directory; (path relative to it, size)."""
    folder = Path("imports") / uuid.uuid4().hex
    (data_dir() / folder).mkdir(parents=True, exist_ok=True)
    safe = _SAFE_NAME.sub("_", Path(file_name).name)[:120] or "upload"
    target = folder / safe
    full = data_dir() / target
    if isinstance(source, (str, Path)):
        shutil.copyfile(source, full)
    else:
        with open(full, "wb") as out:
            if hasattr(source, "chunks"):
                for chunk in source.chunks():
                    out.write(chunk)
            else:
                shutil.copyfileobj(source, out, 1024 * 1024)
    return str(target), full.stat().st_size


def propose(headers: list[str], object_type: str, preset: str | None) -> dict[str, str | None]:
    """The proposed mapping, also recognising custom fields by name or label (and Guanxi's own exports'
    `custom:<name>` headers)."""
    proposal = mapping_mod.propose_mapping(headers, object_type, preset)
    key = RECORD_TYPE[mapping_mod.object_type(object_type)]
    by_key: dict[str, str] = {}
    for definition in customfields.definitions(key):
        for alt in (
            definition.name,
            definition.label,
            definition.label_zh,
            f"custom:{definition.name}",
            f"cf_{definition.name}",
        ):
            if alt:
                by_key.setdefault(key_of(alt), f"{mapping_mod.CUSTOM_PREFIX}{definition.name}")
    used = {t for t in proposal.values() if t}
    for header in headers:
        if proposal.get(header):
            continue
        target = by_key.get(key_of(header))
        if target is None and header.startswith(mapping_mod.CUSTOM_PREFIX):
            slug = header[len(mapping_mod.CUSTOM_PREFIX) :]
            if re.fullmatch(r"[a-z][a-z0-9_]{0,62}", slug):
                target = header
        if target and target not in used:
            proposal[header] = target
            used.add(target)
    return proposal


def custom_slug(header: str) -> str:
    """A custom field name for a column ("Customer level" → customer_level, 客户等级 → field_…)."""
    slug = re.sub(r"[^a-z0-9]+", "_", key_of(header) if header.isascii() else header.lower()).strip("_")
    slug = re.sub(r"[^a-z0-9_]", "", slug)
    if not slug or not slug[0].isalpha():
        slug = f"field_{uuid.uuid5(uuid.NAMESPACE_OID, header).hex[:8]}"
    return slug[:50]


def import_create(
    *,
    actor: Any,
    source: str | Path | IO[bytes],
    file_name: str,
    object_type: str | None = None,
    preset: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    mapping_file: str | Path | None = None,
    system: str | None = None,
    on_duplicate: str = OnDuplicate.SKIP,
    user_map: Mapping[str, Any] | None = None,
    value_map: Mapping[str, Mapping[str, str]] | None = None,
    sheet: str | None = None,
) -> ImportJob:
    """Store the file and make a draft import with the proposed mapping (laid over by `mapping` and a
    mapping file). Raises ReadError (the file cannot be read) or MappingError (its columns cannot be
    mapped), ValidationError for bad options, PermissionDenied."""
    file_map: dict[str, Any] = {}
    if mapping_file is not None:
        file_map = mapping_mod.load_mapping_file(mapping_file, object_type)
        object_type = object_type or file_map.get("object")
        preset = preset or file_map.get("preset")
    if on_duplicate not in OnDuplicate.values:
        raise ValidationError({"on_duplicate": [_g("Choose skip, update or create.")]})
    relative, size = store_file(source, file_name)
    try:
        with open_table(data_dir() / relative, sheet=sheet) as table:
            headers = list(table.headers)
            fmt, encoding, delimiter, sheet_name = table.format, table.encoding, table.delimiter, table.sheet
            from .engine import estimate_rows

            total = estimate_rows(str(data_dir() / relative), table)
        if preset is None:
            preset = mapping_mod.detect_preset(headers)
        if object_type is None:
            object_type = mapping_mod.detect_preset_object(headers, preset) if preset else None
        if object_type is None:
            raise mapping_mod.MappingError(
                "cannot tell which records the file holds: "
                "choose companies, contacts, leads, deals or activities"
            )
        obj = mapping_mod.object_type(object_type)
        if preset is not None:
            mapping_mod.load_preset(preset)
        if not can_import(actor, obj):
            raise PermissionDenied(_g("You may not import these records."))
        proposal = propose(headers, obj, preset)
        if file_map.get("columns"):
            proposal = mapping_mod.apply_overrides(proposal, file_map["columns"], obj)
        if mapping:
            proposal = mapping_mod.apply_overrides(proposal, dict(mapping), obj)
        mapping_mod.validate_mapping(proposal, obj)
        users = dict(file_map.get("users") or {})
        users.update(user_map or {})
        values = dict(file_map.get("values") or {})
        values.update(value_map or {})
    except BaseException:
        shutil.rmtree(data_dir() / Path(relative).parent, ignore_errors=True)
        raise
    return ImportJob.objects.create(
        created_by=actor if getattr(actor, "pk", None) else None,
        object_type=obj,
        file_name=Path(file_name).name[:255],
        file_path=relative,
        file_size=size,
        format=fmt,
        encoding=encoding or "",
        delimiter=delimiter or "",
        sheet=sheet_name or "",
        headers=headers,
        preset=preset or "",
        system=(system or preset or "file")[:40],
        mapping=proposal,
        user_map=_user_ids(users),
        value_map=values,
        on_duplicate=on_duplicate,
        total_rows=total,
    )


def _user_ids(users: Mapping[str, Any]) -> dict[str, int]:
    """A mapping file names users by username or e-mail; the job keeps their ids."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    out: dict[str, int] = {}
    for value, who in users.items():
        if who in (None, ""):
            continue
        if isinstance(who, int) or str(who).isdigit():
            out[str(value)] = int(who)
            continue
        user = get_user_model().objects.filter(Q(username=who) | Q(email__iexact=who)).first()
        if user is None:
            raise mapping_mod.MappingError(f"unknown user {who!r} in the users section")
        out[str(value)] = user.pk
    return out


def import_configure(
    *,
    actor: Any,
    job: ImportJob,
    mapping: Mapping[str, str | None] | None = None,
    user_map: Mapping[str, Any] | None = None,
    on_duplicate: str | None = None,
    system: str | None = None,
) -> ImportJob:
    """Change a draft import's mapping, user mapping, duplicate handling or source-system name."""
    if not can_manage(actor, job):
        raise PermissionDenied
    from .engine import is_stalled

    stalled_check = job.status == ImportJob.Status.CHECKING and is_stalled(job)
    if job.status not in (ImportJob.Status.DRAFT, ImportJob.Status.CHECKED) and not stalled_check:
        raise ValidationError(_g("This import has started; its settings can no longer change."))
    if mapping is not None:
        clean = {h: (t or None) for h, t in mapping.items() if h in job.headers}
        mapping_mod.validate_mapping(clean, job.object_type)
        job.mapping = {h: clean.get(h) for h in job.headers}
    if user_map is not None:
        job.user_map = {str(k): int(v) for k, v in user_map.items() if v not in (None, "")}
    if on_duplicate is not None:
        if on_duplicate not in OnDuplicate.values:
            raise ValidationError({"on_duplicate": [_g("Choose skip, update or create.")]})
        job.on_duplicate = on_duplicate
    if system is not None:
        job.system = (system.strip() or job.preset or "file")[:40]
    if job.status in (ImportJob.Status.CHECKED, ImportJob.Status.CHECKING):
        job.status = ImportJob.Status.DRAFT
    job.save()
    return job


def import_start(*, actor: Any, job: ImportJob, dry_run: bool = False) -> ImportJob:
    """Queue the import (or its dry run) as a background task."""
    from .engine import is_stalled
    from .tasks import run_import

    if not can_manage(actor, job):
        raise PermissionDenied
    restartable = job.status == ImportJob.Status.CHECKING and is_stalled(job)  # a dry run that was killed
    if job.status not in (ImportJob.Status.DRAFT, ImportJob.Status.CHECKED) and not restartable:
        raise ValidationError(_g("This import has already run."))
    if job.on_duplicate == OnDuplicate.UPDATE and not permissions.can(actor, "edit", job.record_type):
        raise PermissionDenied(_g("You may not edit these records, so duplicates cannot be updated."))
    job.dry_run = dry_run
    job.status = ImportJob.Status.CHECKING if dry_run else ImportJob.Status.QUEUED
    job.cancel_requested = False
    job.save(update_fields=["dry_run", "status", "cancel_requested", "updated_at"])
    transaction.on_commit(lambda: run_import.enqueue(job.pk, False))
    return job


def import_resume(*, actor: Any, job: ImportJob) -> ImportJob:
    """Continue a killed or failed import from its checkpoint."""
    from .engine import is_stalled
    from .tasks import run_import

    if not can_manage(actor, job):
        raise PermissionDenied
    resumable = (
        job.status == ImportJob.Status.FAILED or is_stalled(job) or job.status == ImportJob.Status.QUEUED
    )
    if job.dry_run or not resumable:
        raise ValidationError(_g("Only an import that stopped part-way can be resumed."))
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: run_import.enqueue(job.pk, True))
    return job


def import_cancel(*, actor: Any, job: ImportJob) -> ImportJob:
    if not can_manage(actor, job):
        raise PermissionDenied
    job.cancel_requested = True
    if job.status == ImportJob.Status.QUEUED:
        job.status = ImportJob.Status.CANCELLED
    job.save(update_fields=["cancel_requested", "status", "updated_at"])
    return job


def import_delete(*, actor: Any, job: ImportJob) -> None:
    """Forget an import that wrote nothing (a draft or a dry run) and its stored file."""
    if not can_manage(actor, job):
        raise PermissionDenied
    if (
        job.status not in (ImportJob.Status.DRAFT, ImportJob.Status.CHECKED, ImportJob.Status.FAILED)
        or job.created
    ):
        raise ValidationError(_g("An import that wrote records is kept; undo it instead."))
    folder = (data_dir() / job.file_path).parent if job.file_path else None
    job.delete()
    if folder is not None and folder.name and folder.parent.name == "imports":
        shutil.rmtree(folder, ignore_errors=True)


def preview(job: ImportJob, rows: int = PREVIEW_ROWS) -> list[tuple[int, list[str]]]:
    """The first rows of the file, as the importer reads them."""
    out: list[tuple[int, list[str]]] = []
    with open_table(
        job.path,
        encoding=job.encoding or None,
        delimiter=job.delimiter or None,
        sheet=job.sheet or None,
        format=job.format or None,
    ) as table:
        for number, cells in table.rows():
            out.append((number, cells))
            if len(out) >= rows:
                break
    return out


def owner_values(job: ImportJob, limit_rows: int = 200_000) -> list[str]:
    """The distinct values of the column mapped to `owner` (the first `limit_rows` rows)."""
    column = next((h for h, t in (job.mapping or {}).items() if t == "owner"), None)
    if column is None:
        return []
    index = job.headers.index(column)
    seen: dict[str, None] = {}
    with open_table(
        job.path,
        encoding=job.encoding or None,
        delimiter=job.delimiter or None,
        sheet=job.sheet or None,
        format=job.format or None,
    ) as table:
        for number, cells in table.rows():
            value = cells[index].strip()
            if value:
                seen.setdefault(value, None)
            if number >= limit_rows or len(seen) > 500:
                break
    return list(seen)


def rejected_rows(job: ImportJob, out: IO[str]) -> int:
    """Write the rejected rows as CSV: the file's own columns plus a `reason` column, ready to fix and
    import again. The rows are read again from the stored file."""
    import csv

    reasons: dict[int, list[str]] = {}
    for row, column, message in job.issues.filter(level="error").values_list("row", "column", "message"):
        reasons.setdefault(row, []).append(f"{column}: {message}" if column else message)
    writer = csv.writer(out)
    writer.writerow([*job.headers, _g("reason")])
    written = 0
    if not reasons:
        return 0
    last = max(reasons)
    with open_table(
        job.path,
        encoding=job.encoding or None,
        delimiter=job.delimiter or None,
        sheet=job.sheet or None,
        format=job.format or None,
    ) as table:
        for number, cells in table.rows():
            if number in reasons:
                writer.writerow([*cells, "; ".join(reasons[number])])
                written += 1
            if number >= last:
                break
    return written


__all__ = [
    "ReadError",
    "audit",
    "can_import",
    "can_manage",
    "custom_slug",
    "import_cancel",
    "import_configure",
    "import_create",
    "import_delete",
    "import_resume",
    "import_start",
    "owner_values",
    "preview",
    "propose",
    "rejected_rows",
    "store_file",
    "visible_imports",
]
