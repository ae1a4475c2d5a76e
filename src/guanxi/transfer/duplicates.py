"""Duplicates already stored: a scan for likely pairs, their review, merging a pair and undoing a merge.

Scan (contacts and companies). Exact keys first — a contact's e-mail or mobile number, a company's domain
or name key (legal forms ignored) — then names that are nearly the same, compared with rapidfuzz only
within blocks (contacts of the same company, companies whose name keys start alike), so a million records
take seconds, not the 10¹² comparisons of every pair. Each pair gets a score (100: same e-mail) and a
reason. A pair somebody dismissed ("not duplicates") or merged is not proposed again.

Merge. The survivor keeps its values except the fields the user takes from the other record; everything
that pointed to the other record (activities, deals, deal contacts, contacts of a company, meetings,
external ids, tags, timeline events) moves to the survivor; the other record is deleted. Both records
get an audit row with the action "merge". A `MergeRecord` keeps what is needed to undo it: the other
record as it was, the survivor's values before, and which rows moved.
"""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from guanxi.core import audit, permissions
from guanxi.core.context import current_request_id, request_context
from guanxi.core.models import ExternalRef
from guanxi.core.registry import registry

from .models import DuplicatePair, MergeRecord

SCAN_TYPES = ("contact", "company")
NAME_THRESHOLD = 90
BLOCK_LIMIT = 3000
PUBLIC_DOMAINS = {
    "qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "hotmail.com", "sina.com", "yahoo.com",
    "foxmail.com", "icloud.com", "aliyun.com", "139.com", "sohu.com",
}  # fmt: skip


# ---------------------------------------------------------------------------------------------------------
# Scan
# ---------------------------------------------------------------------------------------------------------


def scan(key: str, *, chunk: int = 20_000) -> int:
    """Find likely duplicates among stored records of `key` ("contact" or "company"); replaces the open
    pairs of the last scan. Returns the number of open pairs."""
    if key not in SCAN_TYPES:
        raise ValueError(f"cannot scan {key!r} for duplicates")
    pairs: dict[tuple[int, int], tuple[int, str]] = {}

    def add(a: int, b: int, score: int, reason: str) -> None:
        if a == b:
            return
        pair = (a, b) if a < b else (b, a)
        known = pairs.get(pair)
        if known is None or known[0] < score:
            pairs[pair] = (score, reason)

    if key == "contact":
        _scan_contacts(add, chunk)
    else:
        _scan_companies(add, chunk)
    decided = set(
        DuplicatePair.objects.filter(object_type=key)
        .exclude(status=DuplicatePair.Status.OPEN)
        .values_list("first_id", "second_id")
    )
    with transaction.atomic():
        DuplicatePair.objects.filter(object_type=key, status=DuplicatePair.Status.OPEN).delete()
        objs = [
            DuplicatePair(object_type=key, first_id=a, second_id=b, score=score, reason=reason)
            for (a, b), (score, reason) in pairs.items()
            if (a, b) not in decided
        ]
        DuplicatePair.objects.bulk_create(objs, batch_size=2000, ignore_conflicts=True)
    return len(objs)


def _rows(queryset: Any, fields: list[str], chunk: int) -> Iterator[tuple[Any, ...]]:
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:chunk])
        if not batch:
            return
        last = batch[-1][0]
        yield from batch


def _scan_contacts(add: Any, chunk: int) -> None:
    from rapidfuzz import fuzz

    from guanxi.customers.models import Contact

    first_email: dict[str, int] = {}
    first_mobile: dict[str, tuple[int, str]] = {}
    by_company: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, email, mobile, company_id, sort_name in _rows(
        Contact.objects.all(), ["email", "mobile_e164", "company_id", "sort_name"], chunk
    ):
        if email:
            seen = first_email.setdefault(email, pk)
            if seen != pk:
                add(seen, pk, 100, "email")
        if mobile:
            seen_mobile = first_mobile.setdefault(mobile, (pk, sort_name))
            if seen_mobile[0] != pk:
                similar = fuzz.ratio(seen_mobile[1], sort_name) >= 80
                add(seen_mobile[0], pk, 95 if similar else 85, "mobile")
        if company_id is not None and sort_name:
            by_company[company_id].append((pk, sort_name))
    first_email.clear()
    first_mobile.clear()
    for members in by_company.values():
        if len(members) > 1:
            _similar_names(add, members)


def _scan_companies(add: Any, chunk: int) -> None:
    from guanxi.customers.models import Company

    first_domain: dict[str, int] = {}
    first_key: dict[str, int] = {}
    blocks: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, domain, name_key in _rows(Company.objects.all(), ["domain", "name_key"], chunk):
        if domain and domain not in PUBLIC_DOMAINS:
            seen = first_domain.setdefault(domain, pk)
            if seen != pk:
                add(seen, pk, 95, "domain")
        if name_key:
            seen = first_key.setdefault(name_key, pk)
            if seen != pk:
                add(seen, pk, 100, "name_key")
                continue
            if len(name_key) >= 4:
                blocks[name_key[:2]].append((pk, name_key))
    for members in blocks.values():
        if len(members) > 1:
            _similar_names(add, members)


def _similar_names(add: Any, members: list[tuple[int, str]]) -> None:
    """Pairs of nearly equal names within one block (sub-blocked when a block is large)."""
    from rapidfuzz import fuzz, process

    if len(members) > BLOCK_LIMIT:
        sub: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for pk, name in members:
            sub[name[:3]].append((pk, name))
        if len(sub) == 1:  # cannot split further: compare neighbours in name order only
            ordered = sorted(members, key=lambda m: m[1])
            for (a, na), (b, nb) in itertools.pairwise(ordered):
                score = fuzz.ratio(na, nb)
                if score >= NAME_THRESHOLD:
                    add(a, b, int(score * 0.9), "similar_name")
            return
        for group in sub.values():
            if len(group) > 1:
                _similar_names(add, group)
        return
    names = [name for _pk, name in members]
    extract, ratio = process.extract, fuzz.ratio
    for i, name in enumerate(names):
        # One call per name; rapidfuzz compares it with the whole block in C++.
        for _choice, score, j in extract(name, names, scorer=ratio, score_cutoff=NAME_THRESHOLD, limit=None):
            if j > i:
                add(members[i][0], members[j][0], int(score * 0.9), "similar_name")


# ---------------------------------------------------------------------------------------------------------
# Review
# ---------------------------------------------------------------------------------------------------------


def open_pairs(user: Any, key: str) -> Any:
    """Open pairs of which the user may see both records, best first."""
    model: Any = registry.get(key).model
    visible = model.objects.visible_to(user).values("pk")
    return DuplicatePair.objects.filter(
        object_type=key, status=DuplicatePair.Status.OPEN, first_id__in=visible, second_id__in=visible
    ).order_by("-score", "id")


def dismiss(*, actor: Any, pair: DuplicatePair) -> None:
    _require_pair(actor, pair)
    pair.status = DuplicatePair.Status.DISMISSED
    pair.save(update_fields=["status", "updated_at"])


def _require_pair(actor: Any, pair: DuplicatePair) -> tuple[Any, Any]:
    model: Any = registry.get(pair.object_type).model
    records = {
        o.pk: o for o in model.objects.visible_to(actor).filter(pk__in=[pair.first_id, pair.second_id])
    }
    if len(records) != 2:
        raise PermissionDenied(_g("You may not see both records."))
    return records[pair.first_id], records[pair.second_id]


def comparison(key: str, first: Any, second: Any) -> list[dict[str, Any]]:
    """The fields a person chooses between when merging: label and both values, differing ones first."""
    from guanxi.core import customfields

    ot = registry.get(key)
    out = []
    for name in mergeable_fields(key):
        field: Any = ot.model._meta.get_field(name)
        a, b = _display(first, field), _display(second, field)
        out.append({"name": name, "label": field.verbose_name, "first": a, "second": b, "differs": a != b})
    for definition in customfields.definitions(key):
        a = customfields.display(definition, (first.custom_field_data or {}).get(definition.name))
        b = customfields.display(definition, (second.custom_field_data or {}).get(definition.name))
        out.append(
            {
                "name": definition.form_name,
                "label": definition.display_label,
                "first": a,
                "second": b,
                "differs": a != b,
            }
        )
    return out


def _display(obj: Any, field: Any) -> str:
    value = getattr(obj, field.name)
    if value is None or value == "":
        return ""
    display = getattr(obj, f"get_{field.name}_display", None)
    if display is not None and field.choices:
        return str(display())
    return str(value)


def mergeable_fields(key: str) -> list[str]:
    model = registry.get(key).model
    skip = set(getattr(model, "audit_exclude", ())) | {"custom_field_data", "team"}
    return [
        f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key and f.name not in skip
    ]


# ---------------------------------------------------------------------------------------------------------
# Merge and unmerge
# ---------------------------------------------------------------------------------------------------------


def _row_state(obj: Any) -> dict[str, Any]:
    """All stored values of a record (by column attribute), for recreating it exactly."""
    return {f.attname: audit.to_json(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def _unique_sets(model: Any, field_name: str) -> list[list[str]]:
    sets: list[list[str]] = [list(t) for t in model._meta.unique_together if field_name in t]
    for constraint in model._meta.constraints:
        fields = list(getattr(constraint, "fields", ()) or ())
        if (
            isinstance(constraint, models.UniqueConstraint)
            and field_name in fields
            and constraint.condition is None
        ):
            sets.append(fields)
    return [[n for n in s if n != field_name] for s in sets]


def _pointers(model: Any) -> Iterable[tuple[Any, Any]]:
    """(model, foreign key) of every row type that points to records of `model`."""
    for rel in model._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and isinstance(rel, models.ManyToOneRel):
            yield rel.related_model, rel.field


def _prepare(key: str) -> Any:
    from .undo import _prepare_for

    return _prepare_for(key)


def merge(
    *,
    actor: Any,
    key: str,
    survivor: Any,
    other: Any,
    take: Iterable[str] = (),
    pair: DuplicatePair | None = None,
    versions: dict[int, int] | None = None,
) -> MergeRecord:
    """Merge `other` into `survivor`; `take` names the fields (and `cf_<name>` custom fields) whose value
    comes from `other`. `versions` ({pk: version} as the person saw them) refuses a merge of records
    changed since (ValidationError with the code "stale")."""
    from .bulk import Snapshotter

    ot = registry.get(key)
    model: Any = ot.model
    if survivor.pk == other.pk:
        raise ValidationError(_g("A record cannot be merged with itself."))
    for obj, action in ((survivor, "edit"), (other, "delete")):
        if not model.objects.visible_to(actor).filter(pk=obj.pk).exists() or not permissions.can(
            actor, action, ot, obj
        ):
            raise PermissionDenied(_g("You may not merge these records."))
    take = set(take)
    allowed = set(mergeable_fields(key))
    request_id = current_request_id() or f"merge-{uuid.uuid4().hex[:12]}"
    snapshot = Snapshotter(model)
    with request_context(request_id), transaction.atomic():
        survivor = model._default_manager.select_for_update().get(pk=survivor.pk)
        other = model._default_manager.select_for_update().get(pk=other.pk)
        for obj in (survivor, other):
            if versions is not None and versions.get(obj.pk, obj.version) != obj.version:
                raise ValidationError(
                    _g(
                        "“%(name)s” was changed by somebody since you opened this page; "
                        "review the values again."
                    )
                    % {"name": obj},
                    code="stale",
                )
        tags_of = _tag_names(model) if ot.has_tags else None
        survivor_tags = tags_of(survivor.pk) if tags_of else None
        other_tags = tags_of(other.pk) if tags_of else None
        before = snapshot(survivor, tags=survivor_tags)
        other_before = snapshot(other, tags=other_tags)
        other_row = _row_state(other)
        for name in take:
            if name.startswith("cf_"):
                data = dict(survivor.custom_field_data or {})
                value = (other.custom_field_data or {}).get(name[3:])
                if value is None:
                    data.pop(name[3:], None)
                else:
                    data[name[3:]] = value
                survivor.custom_field_data = data
            elif name in allowed:
                taken: Any = model._meta.get_field(name)
                setattr(survivor, taken.attname, getattr(other, taken.attname))
        if ot.ownable and "owner" in take and survivor.owner_id is not None:
            if not permissions.can_assign(actor, ot, survivor.owner, "edit"):
                raise PermissionDenied(
                    _g("not allowed to give this %(type)s to that owner") % {"type": ot.label}
                )
            survivor.team_id = survivor.owner.team_id
        moved: dict[str, Any] = {"rows": {}, "removed": {}, "refs": [], "timeline": []}
        # Rows pointing to the other record move to the survivor (or go, where the survivor has one).
        for related, fk in _pointers(model):
            label = f"{related._meta.label}.{fk.name}"
            qs = related._default_manager.filter(**{fk.attname: other.pk})
            for others in _unique_sets(related, fk.name):
                mine = set(related._default_manager.filter(**{fk.attname: survivor.pk}).values_list(*others))
                if not mine:
                    continue
                clash = [r for r in qs.values("pk", *others) if tuple(r[n] for n in others) in mine]
                if clash:
                    ids = [r["pk"] for r in clash]
                    moved["removed"][label] = [
                        _row_state(r) for r in related._default_manager.filter(pk__in=ids)
                    ]
                    related._default_manager.filter(pk__in=ids).delete()
            ids = list(qs.values_list("pk", flat=True))
            if ids:
                related._default_manager.filter(pk__in=ids).update(**{fk.attname: survivor.pk})
                moved["rows"][label] = ids
        refs = list(
            ExternalRef.objects.filter(object_type=key, object_id=other.pk).values_list("pk", flat=True)
        )
        ExternalRef.objects.filter(pk__in=refs).update(object_id=survivor.pk)
        moved["refs"] = refs
        from guanxi.activities.models import TimelineEvent

        events = list(
            TimelineEvent.objects.filter(object_type=key, object_id=other.pk).values_list("pk", flat=True)
        )
        TimelineEvent.objects.filter(pk__in=events).update(object_id=survivor.pk)
        moved["timeline"] = events
        prepare = _prepare(key)
        if prepare is not None:
            if hasattr(survivor, "_state"):
                survivor._state.fields_cache.clear()
            prepare(survivor)
        survivor.full_clean(exclude=["custom_field_data", "tags"])
        survivor_after_tags = tags_of(survivor.pk) if tags_of else None
        after = snapshot(survivor, tags=survivor_after_tags)
        old, new = audit.diff(before, after)
        survivor.version += 1
        survivor.save()
        audit.record(
            actor=actor,
            action=audit.Action.MERGE,
            object_type=key,
            instance=other,
            before=other_before,
            after={"merged_into": survivor.pk},
        )
        other_pk = other.pk
        other.delete()
        other.pk = other_pk
        audit.record(
            actor=actor,
            action=audit.Action.MERGE,
            object_type=key,
            instance=survivor,
            before={**old, "merged": None},
            after={**new, "merged": other_pk},
        )
        DuplicatePair.objects.filter(object_type=key).filter(
            models.Q(first_id=other_pk) | models.Q(second_id=other_pk)
        ).exclude(pk=pair.pk if pair is not None else 0).update(status=DuplicatePair.Status.MERGED)
        if pair is not None:
            pair.status = DuplicatePair.Status.MERGED
            pair.save(update_fields=["status", "updated_at"])
        record = MergeRecord.objects.create(
            object_type=key,
            survivor_id=survivor.pk,
            merged_id=other_pk,
            actor=actor if getattr(actor, "pk", None) else None,
            request_id=request_id,
            survivor_before={"values": before, "version": survivor.version - 1},
            survivor_after={"values": after, "version": survivor.version},
            merged_row={"row": other_row, "tags": other_tags},
            moved=moved,
            pair=pair,
        )
    return record


def unmerge(*, actor: Any, record: MergeRecord) -> Any:
    """Undo a merge: the merged record comes back with its id and values, the rows that moved go back,
    the survivor's values that the merge changed (and nobody changed since) are restored."""
    from .bulk import Snapshotter

    if record.undone_at is not None:
        raise ValidationError(_g("This merge was already undone."))
    ot = registry.get(record.object_type)
    model: Any = ot.model
    survivor = model.objects.visible_to(actor).filter(pk=record.survivor_id).first()
    if (
        survivor is None
        or not permissions.can(actor, "edit", ot, survivor)
        or not permissions.can(actor, "create", ot)
    ):
        raise PermissionDenied(_g("You may not undo this merge."))
    if model._default_manager.filter(pk=record.merged_id).exists():
        raise ValidationError(_g("The merged record exists again."))
    snapshot = Snapshotter(model)
    with request_context(current_request_id() or f"unmerge-{record.pk}"), transaction.atomic():
        survivor = model._default_manager.select_for_update().get(pk=survivor.pk)
        tags_of = _tag_names(model) if ot.has_tags else None
        # The merged record, as it was.
        from .bulk import InstanceFactory, TableWriter

        values = {}
        for field in model._meta.concrete_fields:
            raw = record.merged_row["row"].get(field.attname)
            values[field.attname] = field.to_python(raw) if raw is not None else None
        restored = InstanceFactory(model).new({})
        restored.__dict__.update(values)
        writer = TableWriter(model)
        writer.insert([writer.values(restored)])  # its own id and timestamps, unlike save()
        # Rows that moved go back (those still pointing at the survivor), removed ones are recreated.
        for label, ids in record.moved.get("rows", {}).items():
            related, fk = _resolve(label)
            related._default_manager.filter(pk__in=ids, **{fk.attname: survivor.pk}).update(
                **{fk.attname: record.merged_id}
            )
        for label, rows in record.moved.get("removed", {}).items():
            related, _fk = _resolve(label)
            for row in rows:
                data = {
                    f.attname: (f.to_python(row.get(f.attname)) if row.get(f.attname) is not None else None)
                    for f in related._meta.concrete_fields
                }
                related._default_manager.create(**data)
        ExternalRef.objects.filter(pk__in=record.moved.get("refs", [])).update(object_id=record.merged_id)
        from guanxi.activities.models import TimelineEvent

        TimelineEvent.objects.filter(pk__in=record.moved.get("timeline", [])).update(
            object_id=record.merged_id
        )
        # The survivor's values the merge changed and that are still as the merge left them.
        before_values = record.survivor_before.get("values", {})
        after_values = record.survivor_after.get("values", {})
        current_tags = tags_of(survivor.pk) if tags_of else None
        current = snapshot(survivor, tags=current_tags)
        for name, old_value in before_values.items():
            if (
                name == "tags"
                or after_values.get(name) == old_value
                or current.get(name) != after_values.get(name)
            ):
                continue
            if name.startswith("cf_"):
                data = dict(survivor.custom_field_data or {})
                if old_value is None:
                    data.pop(name[3:], None)
                else:
                    data[name[3:]] = old_value
                survivor.custom_field_data = data
                continue
            restored_field: Any = model._meta.get_field(name)
            value = restored_field.to_python(old_value) if old_value is not None else None
            setattr(survivor, restored_field.attname, value)
        prepare = _prepare(record.object_type)
        if prepare is not None:
            survivor._state.fields_cache.clear()
            prepare(survivor)
        after = snapshot(survivor, tags=tags_of(survivor.pk) if tags_of else None)
        old, new = audit.diff(current, after)
        if new:
            survivor.version += 1
            survivor.save()
        audit.record(
            actor=actor,
            action=audit.Action.RESTORE,
            object_type=record.object_type,
            instance=survivor,
            before={**old, "merged": record.merged_id},
            after={**new, "merged": None},
        )
        restored = model._default_manager.get(pk=record.merged_id)
        audit.record(
            actor=actor,
            action=audit.Action.RESTORE,
            object_type=record.object_type,
            instance=restored,
            before={"merged_into": survivor.pk},
            after=snapshot(restored, tags=tags_of(restored.pk) if tags_of else None),
        )
        record.undone_at = timezone.now()
        record.undone_by = actor if getattr(actor, "pk", None) else None
        record.save(update_fields=["undone_at", "undone_by"])
        if record.pair_id:
            DuplicatePair.objects.filter(pk=record.pair_id).update(status=DuplicatePair.Status.OPEN)
    return restored


def _resolve(label: str) -> tuple[Any, Any]:
    from django.apps import apps

    model_label, field_name = label.rsplit(".", 1)
    related = apps.get_model(model_label)
    return related, related._meta.get_field(field_name)


def _tag_names(model: Any) -> Any:
    through = model.tags.through
    column = f"{model._meta.model_name}_id"

    def names(pk: int) -> list[str]:
        return sorted(through.objects.filter(**{column: pk}).values_list("tag__name", flat=True))

    return names
