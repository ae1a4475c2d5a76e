"""Exports of a list: the records the user may see that match the list's filters (the object type's
FilterSet on `visible_to(user)`), as CSV, XLSX or JSON, custom fields included.

The columns are named as the importer's fields (`full_name`, `email`, `company`, `owner`, `custom:<name>`
…), so an export imports back into Guanxi unchanged. Records are read in keyset chunks, so CSV and JSON
stream whatever their size; a large spreadsheet is made by a background job.

A CSV cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets an apostrophe in front, so
a spreadsheet shows it as text instead of running it (the importer takes the apostrophe off again); in
XLSX such a cell is written as a string marked "quote prefix", which no spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils import timezone

from guanxi.core import customfields, permissions
from guanxi.core.registry import ObjectType, registry
from guanxi.core.services import tag_names_by_record

logger = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx", "json")
CHUNK = 2000
XLSX_BACKGROUND_ROWS = 50_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PLURAL = {
    "company": "companies",
    "contact": "contacts",
    "lead": "leads",
    "deal": "deals",
    "activity": "activities",
}


def neutralise(value: str) -> str:
    """A cell a spreadsheet would run as a formula, made text."""
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat(timespec="seconds")
            if timezone.is_aware(value)
            else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        if set(value) == {"amount", "currency"}:
            return f"{value['amount']} {value['currency']}"
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _name(obj: Any) -> str:
    return "" if obj is None else str(getattr(obj, "name", None) or obj)


def _username(user: Any) -> str:
    return user.username if user is not None else ""


def _key(value: Any) -> str:
    return value.key if value is not None else ""


Column = tuple[str, Callable[[Any, dict[str, Any]], Any]]


def _field(name: str) -> Callable[[Any, dict[str, Any]], Any]:
    return lambda obj, extra: getattr(obj, name)


def _related_name(name: str) -> Callable[[Any, dict[str, Any]], Any]:
    return lambda obj, extra: _name(getattr(obj, name))


ADDRESS: list[Column] = [
    ("country", _field("country")),
    ("province", _field("province")),
    ("city", _field("city")),
    ("street", _field("street")),
    ("postal_code", _field("postal_code")),
]


def _activity_when(obj: Any, extra: dict[str, Any]) -> Any:
    if obj.kind in ("task", "meeting"):
        return obj.start_at if obj.kind == "meeting" else None
    return obj.occurred_at


COLUMNS: dict[str, list[Column]] = {
    "company": [
        ("name", _field("name")),
        ("legal_name", _field("legal_name")),
        ("domain", _field("domain")),
        ("website", _field("website")),
        ("industry", _field("industry")),
        ("size", _field("size")),
        ("phone", _field("phone")),
        *ADDRESS,
        ("owner", lambda o, e: _username(o.owner)),
        ("tags", lambda o, e: e["tags"].get(o.pk, [])),
        ("notes", _field("notes")),
    ],
    "contact": [
        ("full_name", _field("full_name")),
        ("family_name", _field("family_name")),
        ("given_name", _field("given_name")),
        ("title", _field("title")),
        ("company", lambda o, e: _name(o.company)),
        ("email", _field("email")),
        ("email2", _field("email_secondary")),
        ("mobile", _field("mobile")),
        ("work_phone", _field("work_phone")),
        ("wechat", _field("wechat")),
        *ADDRESS,
        ("source", _field("source")),
        ("owner", lambda o, e: _username(o.owner)),
        ("tags", lambda o, e: e["tags"].get(o.pk, [])),
        ("notes", _field("notes")),
    ],
    "lead": [
        ("full_name", _field("full_name")),
        ("company_name", _field("company_name")),
        ("title", _field("title")),
        ("email", _field("email")),
        ("phone", _field("phone")),
        ("source", lambda o, e: _key(o.source)),
        ("status", lambda o, e: _key(o.status)),
        ("disqualification_reason", _field("disqualification_reason")),
        ("country", _field("country")),
        ("province", _field("province")),
        ("city", _field("city")),
        ("owner", lambda o, e: _username(o.owner)),
        ("tags", lambda o, e: e["tags"].get(o.pk, [])),
        ("notes", _field("notes")),
    ],
    "deal": [
        ("name", _field("name")),
        ("company", lambda o, e: _name(o.company)),
        ("contact", lambda o, e: e["contacts"].get(o.pk, "")),
        ("pipeline", lambda o, e: _name(o.pipeline)),
        ("stage", lambda o, e: _name(o.stage)),
        ("amount", _field("amount")),
        ("currency", _field("currency")),
        ("expected_close_date", _field("expected_close_date")),
        ("source", lambda o, e: _key(o.source)),
        ("lost_reason", lambda o, e: _key(o.lost_reason)),
        ("lost_note", _field("lost_note")),
        ("owner", lambda o, e: _username(o.owner)),
        ("tags", lambda o, e: e["tags"].get(o.pk, [])),
        ("notes", _field("notes")),
    ],
    "activity": [
        ("kind", _field("kind")),
        ("subject", _field("subject")),
        ("body", _field("body")),
        ("due_at", _field("due_at")),
        ("start_at", _activity_when),
        ("end_at", _field("end_at")),
        ("done", lambda o, e: o.done if o.kind == "task" else None),
        ("priority", _field("priority")),
        ("direction", _field("direction")),
        ("duration_minutes", _field("duration_minutes")),
        ("outcome", _field("outcome")),
        ("location", _field("location")),
        ("company", lambda o, e: _name(o.company)),
        ("contact", lambda o, e: (o.contact.email or o.contact.full_name) if o.contact_id else ""),
        ("deal", lambda o, e: _name(o.deal)),
        ("lead", lambda o, e: (o.lead.email or o.lead.full_name) if o.lead_id else ""),
        ("owner", lambda o, e: _username(o.owner)),
    ],
}
RELATED = {
    "company": ("owner",),
    "contact": ("owner", "company"),
    "lead": ("owner", "source", "status"),
    "deal": ("owner", "company", "pipeline", "stage", "source", "lost_reason"),
    "activity": ("owner", "company", "contact", "deal", "lead"),
}


def _generic_columns(object_type: ObjectType) -> list[Column]:
    """The editable fields of a record type the importer does not know (products, pipelines …)."""
    skip = set(getattr(object_type.model, "audit_exclude", ())) | {"custom_field_data", "id"}
    columns: list[Column] = []
    for f in object_type.model._meta.concrete_fields:
        if f.primary_key or not f.editable or f.name in skip:
            continue
        if f.is_relation:
            columns.append((f.name, _related_name(f.name)))
        else:
            columns.append((f.name, _field(f.name)))
    return columns


def filtered_queryset(
    user: Any, object_type: ObjectType, params: QueryDict | dict[str, Any]
) -> QuerySet[Any]:
    """The records of a list with its filters, as the list view selects them (only what `user` sees)."""
    if not permissions.can(user, "view", object_type):
        return object_type.model._default_manager.none()
    if not isinstance(params, QueryDict):
        data = QueryDict(mutable=True)
        for k, v in params.items():
            if isinstance(v, (list, tuple)):
                data.setlist(k, [str(x) for x in v])
            else:
                data[k] = str(v)
        params = data
    model: Any = object_type.model
    base = model.objects.visible_to(user)
    filterset = object_type.filterset_class(params, queryset=base)
    if filterset.is_bound and not filterset.is_valid():
        raise ValueError("; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()))
    queryset: QuerySet[Any] = filterset.qs
    return queryset


def filter_names(user: Any, object_type: ObjectType) -> list[str]:
    """The filters a list of `object_type` offers `user` (custom fields and owners included)."""
    model: Any = object_type.model
    filterset = object_type.filterset_class(QueryDict(), queryset=model.objects.visible_to(user))
    return sorted(filterset.filters)


class Exporter:
    """Rows (lists of strings) of a queryset for one object type, custom fields included."""

    def __init__(self, object_type: ObjectType) -> None:
        self.object_type = object_type
        self.columns = list(COLUMNS.get(object_type.key) or _generic_columns(object_type))
        self.custom = customfields.definitions(object_type.key) if object_type.has_custom_fields else []

    @property
    def headers(self) -> list[str]:
        return [
            "id",
            *[c[0] for c in self.columns],
            *[f"custom:{d.name}" for d in self.custom],
            "created_at",
            "updated_at",
        ]

    def rows(
        self, queryset: QuerySet[Any], progress: Callable[[int], None] | None = None
    ) -> Iterator[list[str]]:
        key = self.object_type.key
        qs = queryset.order_by("pk")
        related = list(RELATED.get(key, ()))
        if related:
            qs = qs.select_related(*related)
        last = 0
        done = 0
        while True:
            chunk = list(qs.filter(pk__gt=last)[:CHUNK])
            if not chunk:
                return
            last = chunk[-1].pk
            extra = self._extra(chunk)
            for obj in chunk:
                yield self.row(obj, extra)
            done += len(chunk)
            if progress is not None:
                progress(done)

    def row(self, obj: Model, extra: dict[str, Any]) -> list[str]:
        values = [str(obj.pk)]
        values += [_text(get(obj, extra)) for _name_, get in self.columns]
        data = getattr(obj, "custom_field_data", None) or {}
        for definition in self.custom:
            value = data.get(definition.name)
            if definition.type == "user" and value is not None:
                value = extra["users"].get(value, value)
            values.append(_text(value))
        values.append(_text(getattr(obj, "created_at", None)))
        values.append(_text(getattr(obj, "updated_at", None)))
        return values

    def _extra(self, chunk: list[Any]) -> dict[str, Any]:
        ids = [o.pk for o in chunk]
        extra: dict[str, Any] = {"tags": {}, "contacts": {}, "users": {}}
        if self.object_type.has_tags:
            extra["tags"] = tag_names_by_record(self.object_type.model, ids)
        if self.object_type.key == "deal":
            from guanxi.sales.models import DealContact

            for deal_id, email, name in (
                DealContact.objects.filter(deal_id__in=ids)
                .order_by("id")
                .values_list("deal_id", "contact__email", "contact__full_name")
            ):
                extra["contacts"].setdefault(deal_id, email or name)
        if any(d.type == "user" for d in self.custom):
            from django.contrib.auth import get_user_model

            wanted = {
                (o.custom_field_data or {}).get(d.name)
                for o in chunk
                for d in self.custom
                if d.type == "user"
            }
            ids = [int(v) for v in wanted if v is not None]
            extra["users"] = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
        return extra


# ---------------------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------------------


class _Line:
    """A file-like object csv.writer writes one line into."""

    def __init__(self) -> None:
        self.value = ""

    def write(self, text: str) -> None:
        self.value = text


def csv_chunks(headers: list[str], rows: Iterable[list[str]]) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (so Excel reads Chinese), formula cells neutralised."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer.writerow(headers)
    buffer.write(line.value)
    for count, row in enumerate(rows, 1):
        writer.writerow([neutralise(v) for v in row])
        buffer.write(line.value)
        if count % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer = io.StringIO()
    yield buffer.getvalue().encode("utf-8")


def json_chunks(headers: list[str], rows: Iterable[list[str]]) -> Iterator[bytes]:
    """A JSON list of objects, one per record (values as text, as in the CSV)."""
    yield b"["
    first = True
    parts: list[str] = []
    for row in rows:
        parts.append(
            ("\n" if first else ",\n") + json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False)
        )
        first = False
        if len(parts) >= 500:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


def write_xlsx(
    target: str | Path | IO[bytes], headers: list[str], rows: Iterable[list[str]], *, sheet: str = "Export"
) -> int:
    """A spreadsheet of the rows (constant memory); formula-like cells as quote-prefixed text."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "in_memory": False,
        },
    )
    try:
        bold = workbook.add_format({"bold": True})
        quoted = workbook.add_format({"quote_prefix": True})
        ws = workbook.add_worksheet(sheet[:31])
        for col, header in enumerate(headers):
            ws.write_string(0, col, header, bold)
        count = 0
        for r, row in enumerate(rows, 1):
            for col, value in enumerate(row):
                if value:
                    if value.startswith(FORMULA_START):
                        ws.write_string(r, col, value, quoted)
                    else:
                        ws.write_string(r, col, value)
            count += 1
    finally:
        workbook.close()
    return count


def export_to(
    user: Any,
    object_type_key: str,
    params: QueryDict | dict[str, Any],
    fmt: str,
    out: IO[bytes],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write an export to a binary stream; returns the number of records."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of: {', '.join(FORMATS)})")
    object_type = registry.get(object_type_key)
    exporter = Exporter(object_type)
    queryset = filtered_queryset(user, object_type, params)
    rows = exporter.rows(queryset, progress)
    if fmt == "xlsx":
        return write_xlsx(out, exporter.headers, rows, sheet=str(object_type.label_plural))
    counted = _Counted(rows)
    chunks = csv_chunks(exporter.headers, counted) if fmt == "csv" else json_chunks(exporter.headers, counted)
    for chunk in chunks:
        out.write(chunk)
    return counted.count


class _Counted:
    def __init__(self, rows: Iterable[list[str]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[list[str]]:
        for row in self.rows:
            self.count += 1
            yield row


def run_export_job(export_id: int) -> str:
    """The background export of a large spreadsheet (ExportJob)."""
    from .models import ExportJob, data_dir

    job = ExportJob.objects.select_related("created_by").get(pk=export_id)
    job.status = ExportJob.Status.RUNNING
    job.save(update_fields=["status"])
    folder = Path("exports") / str(job.pk)
    (data_dir() / folder).mkdir(parents=True, exist_ok=True)
    relative = folder / f"{PLURAL.get(job.object_type, job.object_type)}.{job.format}"

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    try:
        with open(data_dir() / relative, "wb") as out:
            count = export_to(
                job.created_by, job.object_type, QueryDict(job.query), job.format, out, progress
            )
    except Exception as exc:  # reported on the job's page and logged
        logger.exception("export %s failed", job.pk)
        job.status = ExportJob.Status.FAILED
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job.status
    job.status = ExportJob.Status.FINISHED
    job.rows_done = count
    job.file_path = str(relative)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "rows_done", "file_path", "finished_at"])
    return job.status
