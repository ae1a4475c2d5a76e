"""The import engine: a file, a mapping and a job record in; records, a report and row issues out.

    job = ImportJob(...)            # file, object type, mapping, duplicate handling (see services.py)
    ImportRunner(job).run()         # in a background task, the CLI, or a test

How it goes:

* The file is read as a stream (`readers.open_table`) and cut into batches of rows. Each row is converted
  (`convert.Converter`), normalised and validated with the app's own `prepare_*` (`bulk.prepare_rows`),
  its references are looked up (`resolve.Resolver`), and the batch is written by the app's batched
  service (`guanxi.customers.bulk` …) — the same rules as single writes, set-based.
* Each batch is one transaction that also holds the job's checkpoint (the last row number written), its
  counters and the issues of its rows. A run that is killed at any moment is started again from the
  checkpoint: no row is written twice, none half.
* Large files of contacts, companies and leads are normalised by worker processes (both cores) while
  the main process resolves references and writes.
* A dry run goes through everything and rolls every batch back.
* The audit rows of the import carry the job's id as request id (`import-<id>`), which is how an import
  is undone (`undo.revert_import`).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _g

from guanxi.core import customfields, events, permissions
from guanxi.core.context import request_context
from guanxi.core.models import CustomField
from guanxi.core.normalize import company_name_key

from . import mapping as mapping_mod
from .bulk import (
    BulkRow,
    BulkSpec,
    InstanceFactory,
    Issue,
    Snapshotter,
    TableWriter,
    Upserter,
    prepare_rows,
    static_values,
)
from .convert import TEXT_FIELDS, Converter
from .models import ImportIssue, ImportJob
from .readers import ReadError, open_table
from .resolve import Resolver, load_lists, text

logger = logging.getLogger(__name__)

SPECS = {
    "companies": "guanxi.customers.bulk.COMPANY",
    "contacts": "guanxi.customers.bulk.CONTACT",
    "leads": "guanxi.sales.bulk.LEAD",
    "deals": "guanxi.sales.bulk.DEAL",
    "activities": "guanxi.activities.bulk.ACTIVITY",
}
BATCH_SIZE = 5000
PARALLEL_MIN_ROWS = 50_000
MAX_WARNINGS_STORED = 10_000
# Phones kept as typed when they cannot be parsed: (typed field, E.164 field) per record type.
PHONES = {
    "contact": (("mobile", "mobile_e164"), ("work_phone", "work_phone_e164")),
    "company": (("phone", "phone_e164"),),
    "lead": (("phone", "phone_e164"),),
}
# An error on a derived field belongs to the column it comes from.
FIELD_SOURCES = {
    "full_name": ("full_name", "family_name", "given_name"),
    "email_secondary": ("email2",),
    "mobile_e164": ("mobile",),
    "work_phone_e164": ("work_phone",),
    "phone_e164": ("phone", "mobile"),
    "name_key": ("name",),
    "sort_name": ("full_name", "name"),
    "domain": ("domain", "website"),
    "occurred_at": ("start_at", "due_at"),
    "company": ("company", "company_external_id"),
    "contact": ("contact",),
    "disqualification_reason": ("status",),
    "subject": ("subject", "body"),
    "start_at": ("start_at",),
    "lost_reason": ("lost_reason", "stage"),
}


class ImportFailed(Exception):
    """The file cannot be imported at all (unmappable, not allowed); a one-line reason. `kind` is
    "mapping" when its columns cannot be mapped."""

    def __init__(self, message: str, kind: str = "refused") -> None:
        super().__init__(message)
        self.kind = kind


class SimulatedCrash(BaseException):
    """Raised by the `crash_after_batches` test hook: the run stops as if the process had been killed."""


def spec_for(object_type: str) -> BulkSpec:
    spec: BulkSpec = import_string(SPECS[mapping_mod.object_type(object_type)])
    return spec


def estimate_rows(path: str, table: Any) -> int | None:
    """About how many data rows a file has (for the progress bar), without reading it as a table."""
    if table.format == "csv":
        count = 0
        with open(path, "rb") as handle:
            while chunk := handle.read(4 * 1024 * 1024):
                count += chunk.count(b"\n")
        return max(count - 1, 0)
    ws = getattr(table, "_ws", None)
    height = getattr(ws, "height", None)
    if height:
        return max(int(height) - 1, 0)
    return None


# ---------------------------------------------------------------------------------------------------------
# From file rows to prepared BulkRows (in the main process or in workers)
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Source:
    path: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    format: str | None

    def open(self) -> Any:
        return open_table(
            self.path,
            encoding=self.encoding or None,
            delimiter=self.delimiter or None,
            sheet=self.sheet or None,
            format=self.format or None,
        )


class RowMaker:
    """Converts and (for record types whose normalisation needs no database) prepares rows.

    A contact's company is not known yet when it is prepared: it is prepared with a stand-in carrying the
    name the company will have — the stored company's name for a name key that exists, else the name of
    the first row naming it (the importer creates the company from that row). Where the guess turns out
    wrong, the contact is prepared again in the main process (`ImportRunner._reprepare_contacts`)."""

    STORED_COMPANIES_LIMIT = 500_000

    def __init__(self, spec: BulkSpec, converter: Converter) -> None:
        from .bulk import FieldValidator

        self.spec = spec
        self.converter = converter
        self.factory = InstanceFactory(spec.model)
        self.validator = FieldValidator(spec.model)
        self._given: dict[frozenset[str], frozenset[str]] = {}
        self.snapshot = Snapshotter(spec.model)
        self.stub_company = spec.key == "contact"
        self.company_names: dict[str, str] = {}
        self._stubs: dict[str, Any] = {}
        self.company_column: int | None = None
        if self.stub_company:
            from guanxi.customers.models import Company

            column = converter.column_of.get("company")
            self.company_column = converter.headers.index(column) if column in converter.headers else None
            if self.company_column is not None and Company.objects.count() <= self.STORED_COMPANIES_LIMIT:
                for key, name in (
                    Company.objects.order_by("pk").values_list("name_key", "name").iterator(5000)
                ):
                    self.company_names.setdefault(key, name)

    def observe(self, numbered: list[tuple[int, list[str]]]) -> None:
        """Note the company names of rows another worker prepares (to know which row names one first)."""
        index = self.company_column
        if index is None:
            return
        names = self.company_names
        for _number, cells in numbered:
            raw = cells[index]
            if raw and not raw.isspace():
                name = text(raw)
                names.setdefault(company_name_key(name), name)

    def _stub(self, typed: str) -> Any:
        name = text(typed)
        canonical = self.company_names.setdefault(company_name_key(name), name)
        stub = self._stubs.get(canonical)
        if stub is None:
            from guanxi.customers.models import Company

            stub = Company.__new__(Company)
            stub._state = ModelState()
            stub.__dict__.update(id=-1, name=canonical)
            self._stubs[canonical] = stub
        return stub

    def make(self, numbered: list[tuple[int, list[str]]]) -> list[BulkRow]:
        convert = self.converter.convert
        rows = [convert(n, cells) for n, cells in numbered]
        given = self._given
        for row in rows:
            row.given = given.setdefault(row.given, row.given)
        if not self.spec.parallel:
            return rows
        if self.stub_company:
            for row in rows:
                name = row.extra["refs"].get("company")
                if name:
                    stub = self._stub(name)
                    row.fields["company"] = stub
                    row.extra["stub_name"] = stub.name
        prepare_rows(self.spec, rows, factory=self.factory, validator=self.validator)
        relations = list(self.factory.relations)
        snapshot = self.snapshot
        for row in rows:
            if self.stub_company:
                row.fields.pop("company", None)
            if row.instance is not None and not row.errors:
                row.extra["after_static"] = static_values(snapshot, row.instance, relations)
        return rows


def pack(rows: list[BulkRow], attnames: list[str]) -> list[tuple[Any, ...]]:
    """Rows as plain tuples for the trip from a worker process (model instances pickle slowly)."""
    out = []
    for r in rows:
        state = None
        if r.instance is not None and not r.errors:
            d = r.instance.__dict__
            state = tuple([d[a] for a in attnames])
        refs = r.extra.get("refs") or None
        stub = r.extra.get("stub_name")
        errors = [(e.field, e.message) for e in r.errors] or None
        warnings = [(e.field, e.message) for e in r.warnings] or None
        out.append(
            (
                r.number,
                state,
                r.given,
                r.custom_fields or None,
                r.tags,
                r.external_id,
                refs,
                stub,
                errors,
                warnings,
                r.extra.get("after_static"),
            )
        )
    return out


def unpack(
    packed: list[tuple[Any, ...]], model: Any, attnames: list[str], company_stub: bool
) -> list[BulkRow]:
    rows = []
    new = model.__new__
    stubs: dict[str, Any] = {}
    stub_model = None
    if company_stub:
        from guanxi.customers.models import Company

        stub_model = Company
    for number, state, given, custom, tags, external_id, refs, stub, errors, warnings, after in packed:
        extra: dict[str, Any] = {"refs": refs or {}}
        if stub is not None:
            extra["stub_name"] = stub
        if after is not None:
            extra["after_static"] = after
        row = BulkRow(
            number,
            {},
            custom or {},
            tags,
            external_id,
            [_issue(number, f, m) for f, m in errors] if errors else [],
            [_issue(number, f, m) for f, m in warnings] if warnings else [],
            None,
            True,
            given,
            extra=extra,
        )
        if state is not None:
            obj = new(model)
            d = dict(zip(attnames, state, strict=True))
            d["_state"] = ModelState()
            obj.__dict__ = d
            if stub is not None and stub_model is not None:
                placeholder = stubs.get(stub)
                if placeholder is None:
                    placeholder = stub_model.__new__(stub_model)
                    placeholder._state = ModelState()
                    placeholder.__dict__.update(id=-1, name=stub)
                    stubs[stub] = placeholder
                obj._state.fields_cache["company"] = placeholder
            row.instance = obj
        rows.append(row)
    return rows


def _issue(number: int, field: str, message: str) -> Any:
    return Issue(number, field, message)


def _batches(table: Any, start_after: int, size: int) -> Iterator[list[tuple[int, list[str]]]]:
    batch: list[tuple[int, list[str]]] = []
    for number, cells in table.rows():
        if number <= start_after:
            continue
        batch.append((number, cells))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _worker(
    source: Source, maker: RowMaker, start_after: int, index: int, workers: int, size: int, conn: Any
) -> None:
    """A forked worker process: reads the whole file, converts and prepares every `workers`-th batch."""
    attnames = [f.attname for f in maker.spec.model._meta.concrete_fields]
    try:
        with source.open() as table:
            reported = 0
            for i, batch in enumerate(_batches(table, start_after, size)):
                if i % workers != index:
                    maker.observe(batch)
                    continue
                rows = maker.make(batch)
                extra = table.extra_cells[reported:]
                reported = len(table.extra_cells)
                conn.send(("batch", i, pack(rows, attnames), extra))
        conn.send(("done", None, None, None))
    except BaseException as exc:  # noqa: BLE001 - reported to the main process
        with contextlib.suppress(Exception):
            conn.send(("error", None, f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    finally:
        conn.close()
        os._exit(0)


class ParallelRows:
    """Prepared batches in file order from worker processes."""

    def __init__(self, source: Source, maker: RowMaker, start_after: int, size: int, workers: int) -> None:
        ctx = multiprocessing.get_context("fork")
        # Keep the pages the workers share with this process shared: no collection of the objects that
        # exist now, here or in the workers (Python's collector writes to every object it visits). They
        # stay out of this process's collections until `close`: each full collection would otherwise walk
        # all of Django and pypinyin's dictionary again while the batches' rows come and go (about a tenth
        # of this process's time).
        from guanxi.core.normalize import pinyin_keys

        pinyin_keys("张三")  # load pypinyin's dictionary (about 50 MB) once, shared, not in each worker
        gc.collect()
        gc.freeze()
        self.model = maker.spec.model
        self.attnames = [f.attname for f in self.model._meta.concrete_fields]
        self.stub = maker.stub_company
        self.conns = []
        self.procs = []
        try:
            for index in range(workers):
                receive, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(
                    target=_worker,
                    args=(source, maker, start_after, index, workers, size, send),
                    daemon=True,
                )
                proc.start()
                send.close()
                self.conns.append(receive)
                self.procs.append(proc)
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[tuple[list[BulkRow], list[tuple[int, list[str]]]]]:
        done = [False] * len(self.conns)
        i = 0
        while not all(done):
            k = i % len(self.conns)
            if done[k]:
                i += 1
                continue
            kind, number, payload, extra = self.conns[k].recv()
            if kind == "error":
                raise RuntimeError(f"an import worker failed: {payload}\n{extra}")
            if kind == "done":
                done[k] = True
                i += 1
                continue
            assert number == i, f"batch {number} arrived in place of {i}"
            yield unpack(payload, self.model, self.attnames, self.stub), extra
            i += 1

    def close(self) -> None:
        try:
            for conn in self.conns:
                conn.close()
            for proc in self.procs:
                if proc.is_alive():
                    proc.terminate()
                proc.join(timeout=5)
        finally:
            gc.unfreeze()


# ---------------------------------------------------------------------------------------------------------
# The runner
# ---------------------------------------------------------------------------------------------------------

Progress = Callable[[ImportJob], None]


class Superseded(Exception):
    """Another run took the job over (it was resumed elsewhere); this one stops."""


class ImportRunner:
    """Runs an import job: `resume=True` continues from its checkpoint instead of starting afresh."""

    def __init__(
        self,
        job: ImportJob,
        *,
        resume: bool = False,
        batch_size: int = BATCH_SIZE,
        workers: int | None = None,
        progress: Progress | None = None,
        crash_after_batches: int | None = None,
    ) -> None:
        self.job = job
        self.resume = resume
        self.batch_size = batch_size
        self.workers = workers
        self.progress = progress
        self.crash_after_batches = crash_after_batches
        self.actor: Any = job.created_by
        self.token = uuid.uuid4().hex
        self._issue_writer: TableWriter | None = None
        if self.actor is None:
            from guanxi.core.permissions import SYSTEM

            self.actor = SYSTEM

    # -- entry point ----------------------------------------------------------------------------------
    def run(self) -> ImportJob:
        job = self.job
        with request_context(job.request_id):
            try:
                self._run()
            except ReadError as exc:
                self._fail(str(exc), "read")
            except mapping_mod.MappingError as exc:
                self._fail(str(exc), "mapping")
            except (ImportFailed, PermissionDenied) as exc:
                self._fail(str(exc), getattr(exc, "kind", "refused"))
            except Superseded:
                job.refresh_from_db()
            except SimulatedCrash:
                raise
            except Exception as exc:
                logger.exception("import %s failed", job.pk)
                self._fail(f"{type(exc).__name__}: {exc}")
        return self.job

    def _fail(self, reason: str, kind: str = "error") -> None:
        job = self.job
        job.status = ImportJob.Status.FAILED
        job.error = reason.splitlines()[0][:2000] if reason else _g("The import failed.")
        job.finished_at = timezone.now()
        job.report = {**(job.report or {}), "failure": kind}
        job.save(update_fields=["status", "error", "finished_at", "report", "updated_at"])

    # -- the work -------------------------------------------------------------------------------------------
    def _run(self) -> None:
        job = self.job
        obj = mapping_mod.object_type(job.object_type)
        spec = spec_for(obj)
        self._check_permission(spec, job)
        mapping = {h: t for h, t in (job.mapping or {}).items() if t}
        mapping_mod.validate_mapping(job.mapping or {}, obj)
        missing = mapping_mod.missing_required(job.mapping or {}, obj)
        if missing:
            raise ImportFailed(
                _g("Map a column to one of: %(fields)s.") % {"fields": ", ".join(missing[0])}, "mapping"
            )
        new_custom = self._custom_fields(spec, mapping)
        source = Source(str(job.path), job.encoding, job.delimiter, job.sheet, job.format)
        with source.open() as table:
            headers = table.headers
            if job.total_rows is None:
                job.total_rows = estimate_rows(source.path, table)
        self.column_of = {t: h for h, t in mapping.items()}
        self.reverse = {field: target for target, field in TEXT_FIELDS.get(obj, {}).items()}
        lists, default_status = load_lists()
        converter = Converter(
            obj,
            headers,
            job.mapping or {},
            preset=job.preset or None,
            value_map=job.value_map or {},
            picklists=lists,
            default_status=default_status,
            time_zone=getattr(self.actor, "time_zone", "") or settings.TIME_ZONE,
            currency=_reporting_currency(),
        )
        maker = RowMaker(spec, converter)
        resolver = Resolver(
            object_type=obj, actor=self.actor, system=job.system, user_map=job.user_map, dry_run=job.dry_run
        )
        upserter = Upserter(
            spec, actor=self.actor, on_duplicate=job.on_duplicate, system=job.system, dry_run=job.dry_run
        )
        if self.resume and job.rows_done and job.on_duplicate != "create":
            # Records the run wrote before it stopped: a later row repeating one of them is a duplicate.
            from guanxi.core.audit import ObjectChange

            upserter.touched.update(
                ObjectChange.objects.filter(request_id=job.request_id, object_type=spec.key).values_list(
                    "object_id", flat=True
                )
            )
        for name in new_custom:  # a dry run checks values of custom fields it would create, as text
            upserter.custom_defs.append(CustomField(object_type=spec.key, name=name, label=name, type="text"))
        self._start()
        workers = self.workers
        if workers is None:
            left = (job.total_rows or 0) - job.rows_done
            workers = 2 if spec.parallel and left >= PARALLEL_MIN_ROWS and (os.cpu_count() or 1) > 1 else 0
        if not spec.parallel:
            workers = 0
        batches_done = 0
        parallel: ParallelRows | None = None
        cache = _larger_sqlite_cache()
        try:
            if workers:
                parallel = ParallelRows(source, maker, job.rows_done, self.batch_size, workers)
                stream: Any = iter(parallel)
            else:
                stream = self._local(source, maker, job.rows_done)
            for rows, extra_cells in stream:
                self._batch(spec, resolver, upserter, rows, extra_cells)
                batches_done += 1
                if self.crash_after_batches is not None and batches_done >= self.crash_after_batches:
                    raise SimulatedCrash(f"simulated crash after {batches_done} batches")
                if self._cancelled():
                    break
        finally:
            if parallel is not None:
                parallel.close()
            _restore_sqlite_cache(cache)
        self._finish()

    def _local(
        self, source: Source, maker: RowMaker, start_after: int
    ) -> Iterator[tuple[list[BulkRow], list[Any]]]:
        with source.open() as table:
            reported = 0
            for batch in _batches(table, start_after, self.batch_size):
                rows = maker.make(batch)
                extra = table.extra_cells[reported:]
                reported = len(table.extra_cells)
                yield rows, extra

    def _check_permission(self, spec: BulkSpec, job: ImportJob) -> None:
        ot = spec.object_type
        if not permissions.can(self.actor, "create", ot):
            raise ImportFailed(_g("You may not create %(type)s.") % {"type": ot.label_plural})
        if job.on_duplicate == "update" and not permissions.can(self.actor, "edit", ot):
            raise ImportFailed(
                _g("You may not edit %(type)s, so duplicates cannot be updated.") % {"type": ot.label_plural}
            )

    def _custom_fields(self, spec: BulkSpec, mapping: dict[str, str]) -> list[str]:
        """Columns mapped to a custom field that does not exist yet become a text field (administrators
        only); a dry run creates nothing and returns the names it would create."""
        from guanxi.core.customfield_services import customfield_create

        prefix = mapping_mod.CUSTOM_PREFIX
        wanted = {t[len(prefix) :]: h for h, t in mapping.items() if t.startswith(prefix)}
        existing = {d.name for d in customfields.definitions(spec.key)}
        new = [name for name in wanted if name not in existing]
        if not new:
            return []
        if not permissions.is_admin(self.actor):
            raise ImportFailed(
                _g("There is no custom field “%(name)s” for %(type)s; an administrator can create it.")
                % {"name": new[0], "type": spec.object_type.label_plural}
            )
        if self.job.dry_run:
            return new
        for name in new:
            customfield_create(
                actor=self.actor, object_type=spec.key, name=name, label=wanted[name][:100], type="text"
            )
        return []

    def _start(self) -> None:
        job = self.job
        now = timezone.now()
        if not (self.resume and job.rows_done):
            job.issues.all().delete()
            job.rows_done = job.rows = job.created = job.updated = job.duplicates = 0
            job.failed = job.warnings = job.related_created = 0
            job.started_at = now
            job.rows_at_resume = 0
            job.resumed_at = None
            if not job.dry_run:
                job.report = {}
        else:
            job.resumed_at = now
            job.rows_at_resume = job.rows_done
        job.error = ""
        job.cancel_requested = False
        job.runner = self.token
        job.status = ImportJob.Status.CHECKING if job.dry_run else ImportJob.Status.RUNNING
        job.heartbeat = now
        job.finished_at = None
        job.save()

    def _cancelled(self) -> bool:
        return bool(
            ImportJob.objects.filter(pk=self.job.pk).values_list("cancel_requested", flat=True).first()
        )

    def _batch(
        self,
        spec: BulkSpec,
        resolver: Resolver,
        upserter: Upserter,
        rows: list[BulkRow],
        extra_cells: list[Any],
    ) -> None:
        job = self.job
        dry = job.dry_run
        with transaction.atomic():
            companies_before = resolver.created_companies
            resolver.resolve(rows)

            def before(to_write: list[BulkRow]) -> None:
                resolver.create_companies(to_write)
                if spec.key == "contact":
                    self._reprepare_contacts(upserter, to_write)

            result = upserter.write(rows, before=before)
            self._phone_warnings(spec, rows)
            if extra_cells:
                by_number = {row.number: row for row in rows}
                for number, cells in extra_cells:
                    row = by_number.get(number)
                    if row is not None:
                        row.warn(
                            "",
                            _g("Cells beyond the last column were ignored: %(cells)s")
                            % {"cells": ", ".join(cells)[:200]},
                        )
            if dry:
                transaction.set_rollback(True)
        with transaction.atomic():
            issues = []
            warnings = 0
            for row in rows:
                for e in row.errors:
                    issues.append(
                        ImportIssue(
                            job=job,
                            row=row.number,
                            column=self._column(e.field),
                            message=e.message,
                            level=ImportIssue.ERROR,
                        )
                    )
                if not row.errors:
                    for w in row.warnings:
                        warnings += 1
                        if job.warnings + warnings <= MAX_WARNINGS_STORED:
                            issues.append(
                                ImportIssue(
                                    job=job,
                                    row=row.number,
                                    column=self._column(w.field),
                                    message=w.message,
                                    level=ImportIssue.WARNING,
                                )
                            )
            job.rows += len(rows)
            job.created += result.created
            job.updated += result.updated
            job.duplicates += result.duplicates
            job.failed += result.failed
            job.warnings += warnings
            job.related_created += resolver.created_companies - companies_before
            job.rows_done = rows[-1].number if rows else job.rows_done
            job.heartbeat = timezone.now()
            claimed = ImportJob.objects.filter(pk=job.pk, runner=self.token).update(
                rows=job.rows,
                created=job.created,
                updated=job.updated,
                duplicates=job.duplicates,
                failed=job.failed,
                warnings=job.warnings,
                related_created=job.related_created,
                rows_done=job.rows_done,
                heartbeat=job.heartbeat,
                total_rows=job.total_rows,
                updated_at=job.heartbeat,
            )
            if not claimed:
                transaction.set_rollback(True)
                raise Superseded
            if issues:
                self._write_issues(issues)
        if self.progress is not None:
            self.progress(job)

    def _write_issues(self, issues: list[ImportIssue]) -> None:
        """The batch's issues in one multi-row insert (COPY on PostgreSQL), as the records."""
        writer = self._issue_writer
        if writer is None:
            writer = self._issue_writer = TableWriter(ImportIssue)
        for issue, pk in zip(issues, writer.allocate_ids(len(issues)), strict=True):
            issue.pk = pk
        writer.insert([writer.values(issue) for issue in issues])

    def _reprepare_contacts(self, upserter: Upserter, rows: list[BulkRow]) -> None:
        """Contacts prepared with their company's typed name: again when the company found is named
        otherwise (its name is part of the contact's search text)."""
        for row in rows:
            if row.errors or row.instance is None or "stub_name" not in row.extra:
                continue
            company = row.instance._state.fields_cache.get("company")
            if company is not None and company.pk != -1 and company.name == row.extra["stub_name"]:
                continue
            if company is None or company.pk == -1:
                row.instance.company = None
            try:
                upserter.spec.prepare(row.instance)
            except Exception as exc:  # noqa: BLE001 - reported on the row
                row.fail("", str(exc))
                continue
            for name, messages in upserter.validator.errors(row.instance).items():
                for message in messages:
                    row.fail(name, message)

    def _phone_warnings(self, spec: BulkSpec, rows: list[BulkRow]) -> None:
        pairs = PHONES.get(spec.key)
        if not pairs:
            return
        for row in rows:
            if row.errors or row.instance is None or row.outcome not in ("created", "updated"):
                continue
            d = row.instance.__dict__
            for typed, e164 in pairs:
                if typed in row.given and d.get(typed) and not d.get(e164):
                    row.warn(
                        typed,
                        _g("The phone number “%(value)s” was not recognised; it was kept as typed.")
                        % {"value": d[typed]},
                    )

    def _column(self, field: str) -> str:
        if not field:
            return ""
        if field.startswith("cf_"):
            return self.column_of.get(f"{mapping_mod.CUSTOM_PREFIX}{field[3:]}", field[3:])
        candidates = (field, self.reverse.get(field, field), *FIELD_SOURCES.get(field, ()))
        for target in candidates:
            column = self.column_of.get(target)
            if column:
                return column
        return ""

    def _finish(self) -> None:
        job = self.job
        job.refresh_from_db(fields=["cancel_requested"])
        now = timezone.now()
        job.finished_at = now
        job.heartbeat = now
        if job.dry_run:
            job.status = ImportJob.Status.CHECKED
            job.check_report = report(job, limit=200)
            job.save()
            return
        job.status = ImportJob.Status.CANCELLED if job.cancel_requested else ImportJob.Status.FINISHED
        job.report = {k: v for k, v in report(job, limit=0).items() if k not in ("errors", "warnings")}
        with transaction.atomic():
            job.save()
            events.emit(
                "import.finished",
                instance=job,
                actor=self.actor,
                data={
                    "import": job.pk,
                    "object_type": job.object_type,
                    "file": job.file_name,
                    "status": job.status,
                    **job.report,
                },
            )


def report(job: ImportJob, *, limit: int | None = None) -> dict[str, Any]:
    """The summary of a run: counts, and the errors and warnings as {row, column, message}."""

    def issues(level: str) -> list[dict[str, Any]]:
        qs = job.issues.filter(level=level).order_by("row", "id").values_list("row", "column", "message")
        if limit is not None:
            qs = qs[:limit]
        return [{"row": r, "column": c, "message": m} for r, c, m in qs]

    return {
        "rows": job.rows,
        "created": job.created,
        "updated": job.updated,
        "duplicates": job.duplicates,
        "failed": job.failed,
        "warning_count": job.warnings,
        "related_created": job.related_created,
        "errors": issues(ImportIssue.ERROR),
        "warnings": issues(ImportIssue.WARNING),
    }


SQLITE_IMPORT_CACHE_KIB = 256 * 1024


def _larger_sqlite_cache() -> int | None:
    """A bigger SQLite page cache while an import writes (the contact table has 16 indexes; inserting in
    them at random places reads pages back); the previous size, to restore."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")
    return previous


def _restore_sqlite_cache(previous: int | None) -> None:
    if previous is not None:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(previous)}")


def _reporting_currency() -> str:
    from guanxi.sales.money import reporting_currency

    return reporting_currency()


def is_stalled(job: ImportJob, seconds: int = 300) -> bool:
    """A running job whose worker has not written a batch for a while: it was killed; resume it."""
    if job.status not in (ImportJob.Status.RUNNING, ImportJob.Status.CHECKING):
        return False
    beat = job.heartbeat or job.updated_at
    return beat is None or (timezone.now() - beat).total_seconds() > seconds


def rate_and_eta(job: ImportJob) -> tuple[float | None, float | None]:
    """Rows per second since the run (re)started, and seconds left at that rate."""
    start = job.resumed_at or job.started_at
    if start is None:
        return None, None
    end = job.finished_at or timezone.now()
    elapsed = max((end - start).total_seconds(), 0.001)
    done = job.rows_done - (job.rows_at_resume if job.resumed_at else 0)
    if done <= 0:
        return None, None
    rate = done / elapsed
    left = None
    if job.total_rows and not job.finished_at:
        left = max(job.total_rows - job.rows_done, 0) / rate
    return rate, left


__all__ = [
    "ImportFailed",
    "ImportRunner",
    "SimulatedCrash",
    "estimate_rows",
    "is_stalled",
    "rate_and_eta",
    "report",
    "spec_for",
]
