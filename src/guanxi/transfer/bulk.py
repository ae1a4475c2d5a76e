"""The record life cycle of `guanxi.core.services`, in bulk: permission → normalise → validate → save → audit.

`create_record` / `update_record` do this for one record; an import of a million rows cannot (rule 2 of
DESIGN.md). The domain apps' batched services (`guanxi.customers.bulk.contacts_upsert_many` …) declare a
`BulkSpec` — their `prepare_*` function, their duplicate keys, their hooks — and call `upsert_many`, which
applies the same rules to a batch with set-based queries:

* permission: create (and edit for updates) on the object type; each owner checked with `can_assign`,
  once per distinct owner; an updated record must be editable by the actor;
* normalisation: the app's own `prepare_*` on every record, exactly as a single write;
* validation: what `full_clean()` checks, field by field (`FieldValidator` runs each field's own
  `clean()` and only skips it for values that plainly pass: a string within its length, a choice in its
  list); custom fields through `customfields.clean`; the related records (foreign keys) are resolved by
  the caller from the database, so their existence is not queried again row by row;
* duplicates: the record's source-system id (ExternalRef) and its natural keys, within the batch, against
  earlier batches of the same run and against stored records (one query per key per batch);
* writes: one multi-row INSERT (COPY on PostgreSQL) per batch with ids allocated up front; on SQLite the
  search index is filled with one INSERT … SELECT per batch instead of the per-row trigger (the trigger is
  dropped and re-created inside the batch's transaction, so a crash can never leave it missing);
* audit: one ObjectChange row per created or changed record, carrying the current request (job) id. An
  update that changes nothing saves nothing: no version bump, no audit row.

Per-record domain events are not emitted by bulk writes (a million webhook calls would help nobody); the
caller emits one summary event (`import.finished`).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.core import validators as dj_validators
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, router, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _g

from guanxi.core import audit, customfields, permissions
from guanxi.core.context import current_request_id
from guanxi.core.models import ExternalRef, Tag
from guanxi.core.registry import ObjectType, registry
from guanxi.core.search import SearchTextField
from guanxi.core.services import tag_names_by_record

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
DUPLICATE = "duplicate"
FAILED = "failed"

SKIP = "skip"
UPDATE = "update"
CREATE = "create"
ON_DUPLICATE = (SKIP, UPDATE, CREATE)


@dataclass(slots=True)
class Issue:
    """A problem with one row: `field` is a model field name, `cf_<name>`, or "" for the whole row."""

    row: int
    field: str
    message: str


@dataclass(slots=True)
class BulkRow:
    """One record to write. `fields` holds model field names → Python values (foreign keys as instances
    or ids); only the fields the source gave (non-empty), so an update leaves the others alone."""

    number: int
    fields: dict[str, Any]
    custom_fields: dict[str, Any] = field(default_factory=dict)
    tags: list[str] | None = None
    external_id: str = ""
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    instance: Any = None
    prepared: bool = False
    given: frozenset[str] = frozenset()
    outcome: str = ""
    object_id: int | None = None
    match_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def fail(self, field_name: str, message: str) -> None:
        self.errors.append(Issue(self.number, field_name, str(message)))

    def warn(self, field_name: str, message: str) -> None:
        self.warnings.append(Issue(self.number, field_name, str(message)))


Keys = Callable[[Any], list[tuple[str, str]]]


@dataclass
class BulkSpec:
    """How one model is written in bulk; declared by the domain app next to its services."""

    key: str
    prepare: Callable[[Any], None]
    keys: Keys = lambda instance: []
    select_related: tuple[str, ...] = ()
    # Fields given by the source that bring others along on an update (contact: family_name → full_name).
    update_also: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Fields an update never changes (set on create only).
    create_only: tuple[str, ...] = ()
    # Checks beyond the record itself, on a batch (e.g. an activity's links must be visible to the actor):
    # called with (actor, rows), marks rows as failed.
    check: Callable[[Any, list[BulkRow]], None] | None = None
    # Hooks around the writes (deal stage history, deal contacts): called with (actor, rows, now) for the
    # rows being created (row.instance has its id), and with (actor, [(state before, instance, row)], now)
    # for the rows that matched a stored record in update mode (outcome updated or unchanged).
    before_insert: Callable[[Any, list[BulkRow], dt.datetime], None] | None = None
    after_insert: Callable[[Any, list[BulkRow], dt.datetime], None] | None = None
    after_update: Callable[[Any, list[tuple[dict[str, Any], Any, BulkRow]], dt.datetime], None] | None = None
    # True when `prepare` needs no database (given the related objects on the instance): the importer may
    # then run it in worker processes.
    parallel: bool = False

    @property
    def object_type(self) -> ObjectType:
        return registry.get(self.key)

    @property
    def model(self) -> type[models.Model]:
        return self.object_type.model


# ---------------------------------------------------------------------------------------------------------
# Building instances fast
# ---------------------------------------------------------------------------------------------------------


class InstanceFactory:
    """Model instances without `Model.__init__` (about 4× faster): defaults as the fields define them,
    then the given values; relation fields accept an instance (cached on the new object) or an id."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.defaults: dict[str, Any] = {}
        self.callables: list[tuple[str, Callable[[], Any]]] = []
        self.relations: dict[str, models.Field[Any, Any]] = {}
        self.attnames: dict[str, str] = {}
        for f in model._meta.concrete_fields:
            self.attnames[f.name] = f.attname
            if f.is_relation:
                self.relations[f.name] = f
            if f.primary_key:
                self.defaults[f.attname] = None
            elif f.has_default() and callable(f.default):
                self.callables.append((f.attname, f.default))
            else:
                self.defaults[f.attname] = f.get_default()

    def new(self, values: Mapping[str, Any]) -> Any:
        obj = self.model.__new__(self.model)
        obj._state = ModelState()
        d = obj.__dict__
        d.update(self.defaults)
        for attname, make in self.callables:
            d[attname] = make()
        self.assign(obj, values)
        return obj

    def assign(self, obj: Any, values: Mapping[str, Any]) -> None:
        d = obj.__dict__
        relations = self.relations
        for name, value in values.items():
            rel = relations.get(name)
            if rel is None:
                d[self.attnames.get(name, name)] = value
            elif value is None:
                d[rel.attname] = None
                obj._state.fields_cache[name] = None
            elif isinstance(value, models.Model):
                # What the forward descriptor's __set__ does for a plain foreign key, without its checks.
                d[rel.attname] = value.pk
                obj._state.fields_cache[name] = value
            else:
                d[rel.attname] = value
                obj._state.fields_cache.pop(name, None)


def set_relation(obj: Any, name: str, value: Any) -> None:
    """Point a foreign key of `obj` at `value` (an instance or None) and cache it, like `obj.name = value`."""
    model: type[models.Model] = type(obj)
    obj.__dict__[_attname(model, name)] = None if value is None else value.pk
    obj._state.fields_cache[name] = value


@functools.cache
def _attname(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).attname)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------------------
# Validation: full_clean(), field by field
# ---------------------------------------------------------------------------------------------------------

_PLAIN_VALIDATORS = (dj_validators.MaxLengthValidator, dj_validators.ProhibitNullCharactersValidator)
# Addresses that Django's EmailValidator certainly accepts (a strict subset of it); others are checked
# by the validator itself.
_SIMPLE_EMAIL = re.compile(
    r"[a-z0-9_%+\-]+(?:\.[a-z0-9_%+\-]+)*@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


class FieldValidator:
    """What `Model.clean_fields()` does for every field (`full_clean` without custom fields and tags),
    fast: each field's own `clean()` runs unless the value plainly passes it — a string within the
    field's length and without NUL characters when the field has no other validator, a member of the
    field's choices, a value of the field's own type for dates, times and booleans. Foreign keys hold
    records the caller resolved from the database (their existence is not queried again). The results of
    `clean()` for fields with few distinct values (a country, a city) are remembered per value."""

    MEMO_LIMIT = 20_000

    def __init__(self, model: type[models.Model], exclude: Iterable[str] = ("custom_field_data",)) -> None:
        excluded = set(exclude)
        self.checks: list[
            tuple[models.Field[Any, Any], str, bool, Callable[[Any], bool] | None, dict[Any, bool] | None]
        ] = []
        for f in model._meta.concrete_fields:
            if f.name in excluded or getattr(f, "generated", False):
                continue
            fast = self._fast(f)
            memo: dict[Any, bool] | None = None
            if fast is None and not f.is_relation and not isinstance(f, models.EmailField):
                memo = {}
            self.checks.append((f, f.attname, f.blank, fast, memo))
        # Model-level clean() when a model overrides it; uniqueness when the model has unique fields or
        # constraints (none of the imported models has: then no query per row).
        self.model_clean = model.clean is not models.Model.clean
        self.unique = (
            bool(model._meta.total_unique_constraints)
            or any(f.unique and not f.primary_key for f in model._meta.concrete_fields)
            or bool(model._meta.unique_together)
        )

    @staticmethod
    def _fast(f: models.Field[Any, Any]) -> Callable[[Any], bool] | None:
        """A check that answers True only for values the field's clean() would return unchanged."""
        if f.is_relation:
            return lambda v: v is not None
        plain = all(isinstance(v, _PLAIN_VALIDATORS) for v in f.validators)
        text_like = isinstance(f, (models.CharField, models.TextField)) and type(f).to_python in (
            models.CharField.to_python,
            models.TextField.to_python,
        )
        if text_like and plain:
            limit = f.max_length or 10**12
            if f.choices:
                allowed = frozenset(str(k) for k, _label in f.flatchoices)
                return lambda v: type(v) is str and v in allowed and len(v) <= limit and "\x00" not in v
            return lambda v: type(v) is str and v != "" and len(v) <= limit and "\x00" not in v
        if isinstance(f, models.EmailField) and all(
            isinstance(v, (*_PLAIN_VALIDATORS, dj_validators.EmailValidator)) for v in f.validators
        ):
            limit = f.max_length or 254
            simple = _SIMPLE_EMAIL.fullmatch
            return lambda v: type(v) is str and len(v) <= limit and simple(v) is not None
        if f.choices:
            return None
        if isinstance(f, models.IntegerField) and not isinstance(f, models.AutoField):
            low, high = -(2**63), 2**63 - 1
            for v in f.validators:
                if isinstance(v, dj_validators.MinValueValidator) and not callable(v.limit_value):
                    low = max(low, v.limit_value)
                elif isinstance(v, dj_validators.MaxValueValidator) and not callable(v.limit_value):
                    high = min(high, v.limit_value)
                elif not isinstance(v, (dj_validators.MinValueValidator, dj_validators.MaxValueValidator)):
                    return None
            return lambda v: type(v) is int and low <= v <= high
        if type(f) is models.BooleanField:
            return lambda v: type(v) is bool
        if type(f) is models.DateTimeField and not f.validators:
            return lambda v: type(v) is dt.datetime
        if type(f) is models.DateField and not f.validators:
            return lambda v: type(v) is dt.date
        return None

    def errors(self, obj: Any) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        d = obj.__dict__
        empty = dj_validators.EMPTY_VALUES
        for f, attname, blank, fast, memo in self.checks:
            raw = d.get(attname)
            if blank and raw in empty:
                continue
            if fast is not None and fast(raw):
                continue
            if memo is not None:
                try:
                    if memo.get(raw):
                        continue
                except TypeError:  # an unhashable value
                    memo = None
            try:
                cleaned = f.clean(raw, obj)
            except ValidationError as exc:
                errors[f.name] = list(exc.messages)
                continue
            d[attname] = cleaned
            if memo is not None and cleaned == raw and len(memo) < self.MEMO_LIMIT:
                memo[raw] = True
        if self.model_clean and not errors:
            try:
                obj.clean()
            except ValidationError as exc:
                errors.update(_error_dict(exc))
        if self.unique and not errors:
            try:
                obj.validate_unique()
                obj.validate_constraints()
            except ValidationError as exc:
                errors.update(_error_dict(exc))
        return errors


def _error_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: [str(m) for e in errs for m in e.messages] for name, errs in exc.error_dict.items()}
    return {"": [str(m) for m in exc.messages]}


# ---------------------------------------------------------------------------------------------------------
# Audit snapshots (same content as guanxi.core.audit.snapshot)
# ---------------------------------------------------------------------------------------------------------

_PLAIN_TYPES = (str, int, bool, float, type(None))


class Snapshotter:
    def __init__(self, model: type[models.Model]) -> None:
        exclude = set(getattr(model, "audit_exclude", ()))
        self.fields = [
            (f.name, f.attname)
            for f in model._meta.concrete_fields
            if f.name not in exclude and f.name != "custom_field_data" and not f.primary_key
        ]

    def __call__(self, obj: Any, *, tags: Iterable[str] | None = None) -> dict[str, Any]:
        d = obj.__dict__
        data: dict[str, Any] = {}
        for name, attname in self.fields:
            v = d[attname]
            data[name] = v if type(v) in _PLAIN_TYPES else audit.to_json(v)
        for name, value in (d.get("custom_field_data") or {}).items():
            data[f"cf_{name}"] = audit.to_json(value)
        if tags is not None:
            data["tags"] = sorted(tags)
        return data


def static_values(snapshot: Snapshotter, obj: Any, relations: Iterable[str]) -> bytes:
    """The audit values of a new record that do not depend on its relations, custom fields or tags,
    serialised (a worker process computes them; `Upserter._created_values` adds the rest)."""
    data = compact(snapshot(obj))
    for name in relations:
        data.pop(name, None)
    return orjson.dumps(data, default=audit.to_json)


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """A created record's audit values without the empty ones (the history shows only those anyway)."""
    return {k: v for k, v in data.items() if v is not None and v != "" and v != [] and v != {}}


def dumps(value: Any) -> str | None:
    if value is None:
        return None
    return orjson.dumps(value, default=audit.to_json).decode()


# ---------------------------------------------------------------------------------------------------------
# Writing rows: ids up front, executemany on SQLite, COPY on PostgreSQL
# ---------------------------------------------------------------------------------------------------------


class TableWriter:
    """Multi-row inserts and updates of one model's table, with values adapted once per column kind."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.vendor = connection.vendor
        self.adapters = [self._adapter(f) for f in self.fields]
        self.adapted = [(i, adapt) for i, adapt in enumerate(self.adapters) if adapt is not None]
        self._get = operator.itemgetter(*self.attnames)
        self.pk_index = next(i for i, f in enumerate(self.fields) if f.primary_key)
        self.search = any(isinstance(f, SearchTextField) for f in self.fields)

    def _adapter(self, f: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
        if isinstance(f, models.JSONField):
            return dumps
        if self.vendor == "postgresql":
            return None  # psycopg adapts str, int, bool, Decimal, date and aware datetimes itself
        if isinstance(f, (models.DateTimeField, models.DateField, models.TimeField, models.DecimalField)):
            last: list[Any] = [None, None]  # rows of a batch share their timestamps: adapt each once

            def adapt(v: Any) -> Any:
                if v is None:
                    return None
                if v is last[0]:
                    return last[1]
                out = f.get_db_prep_save(v, connection)
                last[0], last[1] = v, out
                return out

            return adapt
        return None

    def values(self, obj: Any) -> tuple[Any, ...]:
        return self.values_of(obj.__dict__)

    def values_of(self, d: Mapping[str, Any]) -> tuple[Any, ...]:
        """The row of a model instance's `__dict__` (or a dict with the same keys), adapted."""
        got = self._get(d)
        out = list(got) if len(self.attnames) > 1 else [got]
        for i, adapt in self.adapted:
            out[i] = adapt(out[i])
        return tuple(out)

    def allocate_ids(self, n: int) -> list[int]:
        if n <= 0:
            return []
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [f'"{self.table}"', n],
                )
                return [r[0] for r in cursor.fetchall()]
            cursor.execute(f'SELECT max(id) FROM "{self.table}"')  # noqa: S608
            top = cursor.fetchone()[0] or 0
            if self.vendor == "sqlite":
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                row = cursor.fetchone()
                if row and row[0] and row[0] > top:
                    top = row[0]
            return list(range(top + 1, top + 1 + n))

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        cols = ", ".join(f'"{c}"' for c in self.columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            if self.vendor == "sqlite" and self.search:
                self._insert_sqlite_search(cursor, cols, rows)
                return
            marks = ", ".join(["%s"] * len(self.columns))
            cursor.executemany(f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})', rows)  # noqa: S608

    def _insert_sqlite_search(self, cursor: Any, cols: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert without the per-row search trigger, then index the new rows with one statement. The
        trigger is dropped and re-created within the caller's transaction: other connections never see
        the table without it, and a crash rolls the drop back with everything else."""
        marks = ", ".join(["%s"] * len(self.columns))
        insert = f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})'  # noqa: S608
        bulk_index = _sqlite_bulk_index(cursor, self.table)
        if bulk_index is None:
            cursor.executemany(insert, rows)
            return
        trigger_name, trigger_sql, select_sql = bulk_index
        ids = [r[self.pk_index] for r in rows]
        cursor.execute(f'DROP TRIGGER "{trigger_name}"')
        cursor.executemany(insert, rows)
        lo, hi = min(ids), max(ids)
        if hi - lo + 1 == len(ids):
            cursor.execute(select_sql + ' WHERE new."id" BETWEEN %s AND %s', [lo, hi])
        else:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks_in = ", ".join(["%s"] * len(chunk))
                cursor.execute(select_sql + f' WHERE new."id" IN ({marks_in})', chunk)
        cursor.execute(trigger_sql)

    def update(self, objs: Sequence[Any]) -> None:
        if not objs:
            return
        names = [c for i, c in enumerate(self.columns) if i != self.pk_index]
        sets = ", ".join(f'"{c}" = %s' for c in names)
        sql = f'UPDATE "{self.table}" SET {sets} WHERE "id" = %s'  # noqa: S608
        params = []
        for obj in objs:
            values = list(self.values(obj))
            pk = values.pop(self.pk_index)
            values.append(pk)
            params.append(values)
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


_TRIGGER_BODY = re.compile(
    r"^\s*CREATE\s+TRIGGER\s+\"?(?P<name>[\w]+)\"?\s+AFTER\s+INSERT\s+ON\s+\"?(?P<table>\w+)\"?\s+BEGIN\s+"
    r"INSERT\s+INTO\s+(?P<target>\"?\w+\"?)\s*\((?P<cols>[^)]*)\)\s*VALUES\s*\((?P<exprs>[^;]*)\)\s*;\s*END\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _sqlite_bulk_index(cursor: Any, table: str) -> tuple[str, str, str] | None:
    """(trigger name, its SQL, the same insert as one INSERT … SELECT over the new rows) for the search
    index's insert trigger of `table`, read from the schema as it is now; None when there is no such
    trigger or its body is not a single `INSERT … VALUES (new.…)` (then rows go through the trigger)."""
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
    found = [r for r in cursor.fetchall() if r[0].endswith("_fts_ai")]
    if len(found) != 1:
        return None
    name, sql = found[0]
    m = _TRIGGER_BODY.match(sql or "")
    if m is None or m.group("table") != table:
        return None
    select = (
        f"INSERT INTO {m.group('target')} ({m.group('cols')}) "  # noqa: S608
        f'SELECT {m.group("exprs")} FROM "{table}" AS new'
    )
    return name, sql, select


# ---------------------------------------------------------------------------------------------------------
# The batched life cycle
# ---------------------------------------------------------------------------------------------------------


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0

    def add(self, rows: Iterable[BulkRow]) -> None:
        for row in rows:
            if row.outcome == CREATED:
                self.created += 1
            elif row.outcome == UPDATED:
                self.updated += 1
            elif row.outcome == UNCHANGED:
                self.unchanged += 1
                self.duplicates += 1
            elif row.outcome == DUPLICATE:
                self.duplicates += 1
            elif row.outcome == FAILED:
                self.failed += 1


class Upserter:
    """The state of one bulk run over many batches: definitions, caches, and the duplicate keys of the
    records this run created (so duplicates across batches are found without asking the database)."""

    def __init__(
        self,
        spec: BulkSpec,
        *,
        actor: Any,
        on_duplicate: str = SKIP,
        system: str = "",
        dry_run: bool = False,
    ) -> None:
        if on_duplicate not in ON_DUPLICATE:
            raise ValueError(f"on_duplicate must be one of {', '.join(ON_DUPLICATE)}")
        self.spec = spec
        self.object_type = spec.object_type
        self.model = spec.model
        self.actor = actor
        self.on_duplicate = on_duplicate
        self.system = system
        self.dry_run = dry_run
        self.factory = InstanceFactory(self.model)
        self.validator = FieldValidator(self.model)
        self.snapshot = Snapshotter(self.model)
        self.writer = TableWriter(self.model)
        self.audit_writer = TableWriter(audit.ObjectChange)
        self.ref_writer = TableWriter(ExternalRef)
        self.custom_defs = (
            customfields.definitions(self.object_type.key) if self.object_type.has_custom_fields else []
        )
        self.owner_ok: dict[tuple[Any, str], bool] = {}
        self.users: dict[int, Any] = {}
        self.run_keys: dict[str, int] = {}  # "field\x1fvalue" → id: one string per key, for memory
        self.run_refs: dict[str, int] = {}
        self.touched: set[int] = set()  # in update mode: records this run created or matched
        self._fake_id = 0
        self.check_permission()
        # Records stored before this run started; the records it creates are found through run_keys.
        self.stored_max_id = self._max_id()

    # -- permission -------------------------------------------------------------------------------
    def check_permission(self) -> None:
        ot = self.object_type
        permissions.require(self.actor, "create", ot)
        if self.on_duplicate == UPDATE and not permissions.can(self.actor, "edit", ot):
            raise PermissionDenied(_g("not allowed to edit this %(type)s") % {"type": ot.label})

    def _owner_allowed(self, owner: Any, action: str) -> bool:
        key = (getattr(owner, "pk", None), action)
        allowed = self.owner_ok.get(key)
        if allowed is None:
            allowed = permissions.can_assign(self.actor, self.object_type, owner, action)
            self.owner_ok[key] = allowed
        return allowed

    def _owner_of(self, obj: Any) -> Any:
        owner = obj._state.fields_cache.get("owner")
        if owner is None and obj.owner_id is not None:
            owner = self.users.get(obj.owner_id)
            if owner is None:
                from django.contrib.auth import get_user_model

                owner = get_user_model().objects.get(pk=obj.owner_id)
                self.users[owner.pk] = owner
            obj.owner = owner
        return owner

    def _custom(self, values: dict[str, Any]) -> dict[str, Any]:
        """Custom-field values as text from a file, in the form `customfields.clean` takes: several
        choices separated by commas, money as "12.50 CNY", a user by username or e-mail."""
        if not values:
            return values
        kinds = self._custom_kinds
        out = dict(values)
        for name, value in values.items():
            kind = kinds.get(name)
            if not isinstance(value, str) or kind is None:
                continue
            if kind == "multichoice":
                out[name] = [v.strip() for v in re.split(r"[,;，；|]", value) if v.strip()]
            elif kind == "money":
                parts = value.split()
                if len(parts) == 2 and parts[1].isalpha():
                    out[name] = {"amount": parts[0], "currency": parts[1]}
            elif kind == "user" and not value.strip().isdigit():
                from django.contrib.auth import get_user_model
                from django.db.models import Q

                user = (
                    get_user_model()
                    .objects.filter(Q(username=value.strip()) | Q(email__iexact=value.strip()))
                    .first()
                )
                out[name] = user.pk if user is not None else value
        return out

    @property
    def _custom_kinds(self) -> dict[str, str]:
        return {d.name: d.type for d in self.custom_defs}

    def _max_id(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT max(id) FROM "{self.model._meta.db_table}"')  # noqa: S608
            return cursor.fetchone()[0] or 0

    # -- the pure phase: build, normalise, validate ----------------------------------------------------
    def prepare_rows(self, rows: Iterable[BulkRow]) -> None:
        prepare_rows(self.spec, rows, factory=self.factory, validator=self.validator)

    # -- the whole life cycle for a batch --------------------------------------------------------------
    def write(self, rows: list[BulkRow], before: Callable[[list[BulkRow]], None] | None = None) -> BulkResult:
        """Write one batch in one transaction (a savepoint when the caller holds one, as the importer
        does, to commit its checkpoint with the batch). `before` is called with the rows that will be
        created or update a record, after duplicates were set aside (the importer creates the companies
        they name there, so that a skipped duplicate creates nothing)."""
        pending = [r for r in rows if not r.prepared]
        if pending:
            self.prepare_rows(pending)
        now = timezone.now()
        with transaction.atomic():
            live = [r for r in rows if not r.errors]
            creates, updates = self._match(live)
            if before is not None:
                before([r for r in creates + updates if not r.errors])
            self._creatable([r for r in creates if not r.errors])
            if self.spec.check is not None:
                self.spec.check(self.actor, [r for r in creates + updates if not r.errors])
            self._create([r for r in creates if not r.errors], now)
            self._update([r for r in updates if not r.errors], now)
        for row in rows:
            if row.errors:
                row.outcome = FAILED
        result = BulkResult()
        result.add(rows)
        return result

    # -- steps ----------------------------------------------------------------------------------------
    def _creatable(self, rows: list[BulkRow]) -> None:
        """What creating a record checks beyond the record: its owner (`can_assign`), its team (the
        owner's), its custom fields (defaults and required ones included)."""
        ot = self.object_type
        label = ot.label
        actor = self.actor
        actor_has_pk = getattr(actor, "pk", None) is not None
        defs = self.custom_defs
        needs_defaults = any(d.required or d.default is not None for d in defs)
        # `obj.owner = actor` without the descriptor's checks when the actor is plainly a user (what
        # the descriptor does then: the id, the cache, the instance's database).
        owner_db: str | None = None
        if ot.ownable and actor_has_pk:
            owner_field: Any = self.model._meta.get_field("owner")
            owner_model = owner_field.remote_field.model._meta.concrete_model
            if type(actor) is owner_model:
                owner_db = router.db_for_write(self.model, instance=actor)
        for row in rows:
            obj = row.instance
            if ot.ownable:
                if obj.owner_id is None and actor_has_pk:
                    if owner_db is not None:
                        set_relation(obj, "owner", actor)
                        if obj._state.db is None:
                            obj._state.db = owner_db
                    else:
                        obj.owner = actor
                owner = self._owner_of(obj)
                if not self._owner_allowed(owner, "create"):
                    row.fail(
                        "owner", _g("not allowed to create this %(type)s for that owner") % {"type": label}
                    )
                    continue
                obj.team_id = owner.team_id if owner is not None else None
            if ot.has_custom_fields and (row.custom_fields or needs_defaults):
                try:
                    obj.custom_field_data = customfields.clean(
                        ot.key, self._custom(row.custom_fields), existing=None, fields=defs
                    )
                except ValidationError as exc:
                    for name, messages in _error_dict(exc).items():
                        for message in messages:
                            row.fail(name, message)

    def _match(self, rows: list[BulkRow]) -> tuple[list[BulkRow], list[BulkRow]]:
        """Split rows into (to create, to update); the others are marked duplicates. A record that appears
        twice in a run is written from its first row only (so running the same file again changes
        nothing, whatever its repeated rows say)."""
        mode = self.on_duplicate
        keys_of = self.spec.keys
        # Source-system ids: stored refs (one query) and the refs this run made.
        by_ref: dict[str, int] = {}
        if self.system:
            wanted = list(
                {r.external_id for r in rows if r.external_id and r.external_id not in self.run_refs}
            )
            for start in range(0, len(wanted), 2000):
                for ext, oid in ExternalRef.objects.filter(
                    object_type=self.object_type.key,
                    system=self.system,
                    external_id__in=wanted[start : start + 2000],
                ).values_list("external_id", "object_id"):
                    by_ref[ext] = oid
        # Natural keys of stored records (one query per key per batch; none when the table was empty).
        row_keys: list[list[tuple[str, str]]] = []
        row_run_keys: list[list[str]] = []
        by_key: dict[tuple[str, str], int] = {}
        lookups: dict[str, set[str]] = {}
        run_keys = self.run_keys
        for row in rows:
            ks = [] if mode == CREATE else keys_of(row.instance)
            rks = [f"{k[0]}\x1f{k[1]}" for k in ks]  # the form of run_keys
            row_keys.append(ks)
            row_run_keys.append(rks)
            for k, rk in zip(ks, rks, strict=True):
                if rk not in run_keys:
                    lookups.setdefault(k[0], set()).add(k[1])
        if self.stored_max_id:
            manager = self.model._default_manager
            for name, values in lookups.items():
                vals = list(values)
                for start in range(0, len(vals), 2000):
                    found = (
                        manager.filter(
                            **{f"{name}__in": vals[start : start + 2000], "pk__lte": self.stored_max_id}
                        )
                        .order_by("pk")
                        .values_list(name, "pk")
                    )
                    for value, pk in found:
                        by_key.setdefault((name, value), pk)
        creates: list[BulkRow] = []
        updates: list[BulkRow] = []
        touched = self.touched
        batch_keys: dict[tuple[str, str], BulkRow] = {}
        batch_refs: dict[str, BulkRow] = {}
        run_refs = self.run_refs
        for row, ks, rks in zip(rows, row_keys, row_run_keys, strict=True):
            match: int | None = None
            pending: BulkRow | None = None
            reason = ""
            ext = row.external_id if self.system else ""
            if ext:
                match = run_refs.get(ext) or by_ref.get(ext)
                pending = batch_refs.get(ext)
                if match is not None or pending is not None:
                    reason = "external_id"
            if not reason:
                for k, rk in zip(ks, rks, strict=True):
                    match = run_keys.get(rk) or by_key.get(k)
                    pending = batch_keys.get(k)
                    if match is not None or pending is not None:
                        reason = k[0]
                        break
            row.match_reason = reason
            if not reason:
                creates.append(row)
                for k in ks:
                    batch_keys.setdefault(k, row)
                if ext:
                    batch_refs[ext] = row
                continue
            if mode == SKIP or (mode == CREATE and reason == "external_id"):
                row.outcome = DUPLICATE
                row.object_id = match
                continue
            if mode == CREATE:
                creates.append(row)
                if ext:
                    batch_refs[ext] = row
                continue
            if match is None or match in touched:  # its record was written from an earlier row of this run
                row.outcome = DUPLICATE
                row.object_id = match
                continue
            touched.add(match)
            row.object_id = match
            updates.append(row)
        return creates, updates

    def _create(self, rows: list[BulkRow], now: dt.datetime) -> None:
        if not rows:
            return
        objs = [r.instance for r in rows]
        if self.dry_run:
            ids = list(range(-self._fake_id - len(rows), -self._fake_id))
            self._fake_id += len(rows)
        else:
            ids = self.writer.allocate_ids(len(objs))
        has_created = "created_at" in self.factory.attnames
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
            if has_created:
                obj.created_at = now
                obj.updated_at = now
            obj._state.adding = False
            obj._state.db = "default"
        if self.spec.before_insert is not None:
            self.spec.before_insert(self.actor, rows, now)
        track_keys = self.on_duplicate != CREATE
        update_mode = self.on_duplicate == UPDATE
        keys_of = self.spec.keys
        run_keys, touched = self.run_keys, self.touched
        for row, obj in zip(rows, objs, strict=True):
            pk = obj.pk
            row.outcome = CREATED
            row.object_id = pk
            if update_mode:
                touched.add(pk)
            if track_keys:
                for k in keys_of(obj):
                    run_keys.setdefault(f"{k[0]}\x1f{k[1]}", pk)
            if row.external_id and self.system:
                self.run_refs[row.external_id] = pk
        if self.dry_run:
            return
        writer = self.writer
        writer.insert([writer.values(o) for o in objs])
        has_tags = self.object_type.has_tags
        if has_tags:
            tagged = [(r.instance.pk, r.tags) for r in rows if r.tags]
            if tagged:
                set_tags_bulk(self.model, tagged, replace=False)
        refs = [(r.instance.pk, r.external_id) for r in rows if r.external_id and self.system]
        if refs:
            self._add_refs(refs, now)
        snap = self.snapshot
        entries = [
            (
                audit.Action.CREATE,
                obj,
                None,
                self._created_values(row, obj)
                if "after_static" in row.extra
                else compact(snap(obj, tags=_tag_names(row.tags) if has_tags else None)),
                1,
            )
            for row, obj in zip(rows, objs, strict=True)
        ]
        write_audit(entries, key=self.object_type.key, actor=self.actor, now=now, writer=self.audit_writer)
        if self.spec.after_insert is not None:
            self.spec.after_insert(self.actor, rows, now)

    def _update(self, rows: list[BulkRow], now: dt.datetime) -> None:
        if not rows:
            return
        ot = self.object_type
        ids = sorted({r.object_id for r in rows if r.object_id is not None})
        qs = self.model._default_manager.filter(pk__in=ids)
        if self.spec.select_related:
            qs = qs.select_related(*self.spec.select_related)
        if connection.vendor == "postgresql" and not self.dry_run:
            qs = qs.select_for_update(of=("self",))
        stored = {o.pk: o for o in qs}
        tags_of = self._tags_of(ids) if ot.has_tags else {}
        changed: dict[int, Any] = {}
        entries: list[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None, int]] = []
        hooks: list[tuple[dict[str, Any], Any, BulkRow]] = []
        new_tags: dict[int, list[str]] = {}
        refs: list[tuple[int, str]] = []
        for row in rows:
            obj: Any = stored.get(row.object_id or 0)
            if obj is None:
                row.fail("", _g("The matching record was deleted meanwhile."))
                continue
            if not permissions.can(self.actor, "edit", ot, obj):
                field_name = row.match_reason if row.match_reason != "external_id" else ""
                row.fail(
                    field_name,
                    _g("A matching %(type)s already exists and you may not edit it.") % {"type": ot.label},
                )
                continue
            names_before = new_tags.get(obj.pk, tags_of.get(obj.pk, [])) if ot.has_tags else None
            before = self.snapshot(obj, tags=names_before)
            state = dict(obj.__dict__)
            cache = dict(obj._state.fields_cache)
            old_owner = obj.owner_id if ot.ownable else None
            self._apply(row, obj)
            if ot.ownable and obj.owner_id != old_owner:
                owner = self._owner_of(obj)
                if not self._owner_allowed(owner, "edit"):
                    row.fail(
                        "owner", _g("not allowed to give this %(type)s to that owner") % {"type": ot.label}
                    )
                    _restore(obj, state, cache)
                    continue
                obj.team_id = owner.team_id if owner is not None else None
            try:
                self.spec.prepare(obj)
            except ValidationError as exc:
                for name, messages in _error_dict(exc).items():
                    for message in messages:
                        row.fail(name, message)
            if not row.errors and row.custom_fields and ot.has_custom_fields:
                try:
                    obj.custom_field_data = customfields.clean(
                        ot.key,
                        self._custom(row.custom_fields),
                        existing=obj.custom_field_data,
                        fields=self.custom_defs,
                    )
                except ValidationError as exc:
                    for name, messages in _error_dict(exc).items():
                        for message in messages:
                            row.fail(name, message)
            if not row.errors:
                for name, messages in self.validator.errors(obj).items():
                    for message in messages:
                        row.fail(name, message)
            if row.errors:
                _restore(obj, state, cache)
                continue
            names_after = names_before
            if ot.has_tags and row.tags:
                names_after = sorted(set(names_before or []) | set(_tag_names(row.tags)))
            after = self.snapshot(obj, tags=names_after)
            old, new = audit.diff(before, after)
            if row.external_id and self.system and row.match_reason != "external_id":
                refs.append((obj.pk, row.external_id))
                self.run_refs[row.external_id] = obj.pk
            row.object_id = obj.pk
            if not new:
                row.outcome = UNCHANGED
                hooks.append((state, obj, row))
                continue
            obj.version += 1
            obj.updated_at = now
            row.outcome = UPDATED
            hooks.append((state, obj, row))
            changed[obj.pk] = obj
            entries.append((audit.Action.UPDATE, obj, old, new, obj.version))
            if ot.has_tags and names_after != names_before:
                new_tags[obj.pk] = names_after or []
        if self.dry_run:
            return
        self.writer.update(list(changed.values()))
        if new_tags:
            set_tags_bulk(self.model, list(new_tags.items()), replace=True)
        if refs:
            self._add_refs(refs, now)
        write_audit(entries, key=ot.key, actor=self.actor, now=now, writer=self.audit_writer)
        if self.spec.after_update is not None and hooks:
            self.spec.after_update(self.actor, hooks, now)

    def _created_values(self, row: BulkRow, obj: Any) -> Any:
        """A created record's audit values from the part a worker process serialised already (see
        `static_values`) and the part set here: relations, custom fields, tags."""
        d = obj.__dict__
        dynamic: dict[str, Any] = {}
        for name, relation in self.factory.relations.items():
            value = d[relation.attname]
            if value is not None:
                dynamic[name] = value
        for name, value in (d.get("custom_field_data") or {}).items():
            if value is not None and value != "" and value != [] and value != {}:
                dynamic[f"cf_{name}"] = audit.to_json(value)
        if self.object_type.has_tags and row.tags:
            dynamic["tags"] = sorted(_tag_names(row.tags))
        static: bytes = row.extra["after_static"]
        if not dynamic:
            return orjson.Fragment(static)
        head = orjson.dumps(dynamic)
        if static == b"{}":
            return orjson.Fragment(head)
        return orjson.Fragment(head[:-1] + b"," + static[1:])

    def _apply(self, row: BulkRow, obj: Any) -> None:
        """Lay the row's given values over a stored record (an empty cell leaves its field alone)."""
        source = row.instance
        names = set(row.given)
        for name in list(names):
            names.update(self.spec.update_also.get(name, ()))
        names.difference_update(self.spec.create_only)
        values: dict[str, Any] = {}
        attnames = self.factory.attnames
        for name in names:
            if name not in attnames:
                continue
            if name in self.factory.relations:
                cached = source._state.fields_cache.get(name)
                values[name] = cached if cached is not None else source.__dict__[attnames[name]]
            else:
                values[name] = source.__dict__[attnames[name]]
        self.factory.assign(obj, values)

    # -- external ids and tags ------------------------------------------------------------------------
    def _add_refs(self, refs: list[tuple[int, str]], now: dt.datetime) -> None:
        key = self.object_type.key
        wanted = list({ext for _pk, ext in refs})
        existing: set[str] = set()
        for start in range(0, len(wanted), 2000):
            existing.update(
                ExternalRef.objects.filter(
                    object_type=key, system=self.system, external_id__in=wanted[start : start + 2000]
                ).values_list("external_id", flat=True)
            )
        objs = []
        seen: set[str] = set()
        for pk, ext in refs:
            if ext in existing or ext in seen:
                continue
            seen.add(ext)
            objs.append(
                ExternalRef(
                    object_type=key, object_id=pk, system=self.system, external_id=ext, created_at=now
                )
            )
        if objs:
            for ref, pk in zip(objs, self.ref_writer.allocate_ids(len(objs)), strict=True):
                ref.pk = pk
            self.ref_writer.insert([self.ref_writer.values(o) for o in objs])

    def _tags_of(self, ids: list[int]) -> dict[int, list[str]]:
        return {k: sorted(v) for k, v in tag_names_by_record(self.model, ids).items()}


def _tag_names(names: Iterable[str] | None) -> list[str]:
    from guanxi.core.services import normalise_tags

    return normalise_tags(names or [])


def _restore(obj: Any, state: dict[str, Any], cache: dict[str, Any]) -> None:
    obj.__dict__.clear()
    obj.__dict__.update(state)
    obj._state.fields_cache.clear()
    obj._state.fields_cache.update(cache)


def set_tags_bulk(model: type[models.Model], pairs: list[tuple[int, list[str]]], *, replace: bool) -> None:
    """Give records tags by name (creating missing tags); `replace` drops tags not named."""
    from guanxi.core.services import normalise_tags

    through = model.tags.through  # type: ignore[attr-defined]
    column = f"{model._meta.model_name}_id"
    wanted = {pk: normalise_tags(names) for pk, names in pairs}
    all_names = {n for names in wanted.values() for n in names}
    existing = {t.name: t.pk for t in Tag.objects.filter(name__in=all_names)}
    missing = [Tag(name=n) for n in all_names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t.pk for t in Tag.objects.filter(name__in=all_names)}
    if replace:
        through.objects.filter(**{f"{column}__in": list(wanted)}).delete()
        have: set[tuple[int, int]] = set()
    else:
        have = set(through.objects.filter(**{f"{column}__in": list(wanted)}).values_list(column, "tag_id"))
    links = []
    for pk, names in wanted.items():
        for name in names:
            pair = (pk, existing[name])
            if pair not in have:
                have.add(pair)
                links.append(through(**{column: pk, "tag_id": existing[name]}))
    if links:
        through.objects.bulk_create(links, ignore_conflicts=True)


def write_audit(
    entries: Sequence[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None, int | None]],
    *,
    key: str,
    actor: Any,
    now: dt.datetime,
    writer: TableWriter | None = None,
) -> None:
    """ObjectChange rows for (action, instance, before, after, version or None) entries, in one
    multi-row insert, with the current request (job) id."""
    if not entries:
        return
    writer = writer or TableWriter(audit.ObjectChange)
    actor_id = getattr(actor, "pk", None)
    actor_name = getattr(actor, "username", "") or ""
    request_id = current_request_id()
    ids = writer.allocate_ids(len(entries))
    rows = []
    values_of = writer.values_of
    for pk, (action, obj, before, after, version) in zip(ids, entries, strict=True):
        rows.append(
            values_of(
                {
                    "id": pk,
                    "time": now,
                    "actor_id": actor_id,
                    "actor_name": actor_name,
                    "request_id": request_id,
                    "action": action,
                    "object_type": key,
                    "object_id": obj.pk,
                    "object_repr": str(obj)[:200],
                    "version": version if version is not None else getattr(obj, "version", 1),
                    "before": before,
                    "after": after,
                }
            )
        )
    writer.insert(rows)


def prepare_rows(
    spec: BulkSpec,
    rows: Iterable[BulkRow],
    *,
    factory: InstanceFactory | None = None,
    validator: FieldValidator | None = None,
) -> None:
    """Build each row's instance, run the app's `prepare_*` and the field validation. Needs no database
    when `spec.parallel` (the importer runs it in worker processes for large files)."""
    model = spec.model
    factory = factory or InstanceFactory(model)
    validator = validator or FieldValidator(model)
    prepare = spec.prepare
    for row in rows:
        row.prepared = True
        if row.errors:
            continue
        obj = factory.new(row.fields)
        if not row.given:
            row.given = frozenset(row.fields)
        row.instance = obj
        try:
            prepare(obj)
        except ValidationError as exc:
            for name, messages in _error_dict(exc).items():
                for message in messages:
                    row.fail(name, message)
            continue
        except PermissionDenied as exc:
            row.fail("", str(exc))
            continue
        for name, messages in validator.errors(obj).items():
            for message in messages:
                row.fail(name, message)


def upsert_many(
    spec: BulkSpec,
    *,
    actor: Any,
    rows: Sequence[BulkRow],
    on_duplicate: str = SKIP,
    system: str = "",
    upserter: Upserter | None = None,
    batch_size: int = 5000,
) -> BulkResult:
    """Create or update many records of `spec`'s type; each row ends with an `outcome` and `object_id`
    (or its `errors`). Pass an `upserter` to share state across calls (one import, many batches); the
    caller holds the transaction."""
    upserter = upserter or Upserter(spec, actor=actor, on_duplicate=on_duplicate, system=system)
    total = BulkResult()
    for start in range(0, len(rows), batch_size):
        result = upserter.write(list(rows[start : start + batch_size]))
        for name in ("created", "updated", "unchanged", "duplicates", "failed"):
            setattr(total, name, getattr(total, name) + getattr(result, name))
    return total
