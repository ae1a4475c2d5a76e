"""Finding the records an imported row refers to: its owner, company, contact, deal, lead, pipeline and
stage, by natural key (a name, an e-mail, a domain, a user's name) or by the source system's record id
(ExternalRef). One query per kind of reference per batch; what was found is remembered for the next
batches. A company that a contact or deal names and that does not exist is created (with the same rules
as an imported company); a reference that cannot be resolved rejects the row with a reason."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _g

from guanxi.core import permissions
from guanxi.core.models import ExternalRef
from guanxi.core.normalize import company_name_key, domain_from, fold_width, normalize_email

from .bulk import BulkRow, Upserter, set_relation
from .convert import key_of


def text(value: str) -> str:
    """The way services store a name: width-folded, inner whitespace collapsed."""
    return " ".join(fold_width(value or "").split())


def load_lists() -> tuple[dict[str, list[tuple[str, str, str, str, Any]]], Any]:
    """The editable lists (lead sources, lead statuses, lost reasons) and the status a new lead gets."""
    from guanxi.sales.choices import StatusMeaning
    from guanxi.sales.models import PicklistValue

    lists: dict[str, list[tuple[str, str, str, str, Any]]] = {}
    default_status = None
    for value in PicklistValue.objects.filter(active=True).order_by("kind", "order", "id"):
        lists.setdefault(value.kind, []).append(
            (value.key, value.label, value.label_zh, value.meaning, value)
        )
        if value.kind == "lead_status" and value.meaning == StatusMeaning.NEW and default_status is None:
            default_status = value
    return lists, default_status


class Users:
    """Who a vendor's owner column means: the import's own user mapping first, then the e-mail, the
    username, the display name or the first and last names (either order, with or without a space)."""

    def __init__(self, user_map: Mapping[str, Any] | None = None) -> None:
        self.by_pk: dict[int, Any] = {}
        self.index: dict[str, Any] = {}
        ambiguous: set[str] = set()
        for user in get_user_model().objects.filter(is_active=True).select_related("role").order_by("pk"):
            self.by_pk[user.pk] = user
            keys = {user.username.lower(), key_of(user.username)}
            if user.email:
                keys.add(user.email.lower())
            for name in (
                user.display_name,
                user.get_full_name(),
                f"{user.last_name}{user.first_name}",
                f"{user.last_name} {user.first_name}",
            ):
                if name and name.strip():
                    keys.add(key_of(name))
            for key in keys - {""}:
                if key in self.index and self.index[key].pk != user.pk:
                    ambiguous.add(key)
                self.index.setdefault(key, user)
        for key in ambiguous:
            self.index.pop(key, None)
        self.mapped: dict[str, Any] = {}
        for value, user_id in (user_map or {}).items():
            mapped = self.by_pk.get(int(user_id)) if str(user_id).isdigit() else None
            if mapped is not None:
                self.mapped[str(value).strip()] = mapped

    def find(self, value: str) -> Any:
        value = value.strip()
        user = self.mapped.get(value)
        if user is not None:
            return user
        return self.index.get(value.lower()) or self.index.get(key_of(value))


def owner_values(cells: Iterable[str]) -> list[str]:
    """The distinct owner values of a column, in order of first appearance."""
    seen: dict[str, None] = {}
    for cell in cells:
        value = cell.strip()
        if value:
            seen.setdefault(value, None)
    return list(seen)


class Resolver:
    def __init__(
        self,
        *,
        object_type: str,
        actor: Any,
        system: str = "",
        user_map: Mapping[str, Any] | None = None,
        dry_run: bool = False,
    ) -> None:
        self.object_type = object_type
        self.actor = actor
        self.system = system
        self.dry_run = dry_run
        self.users = Users(user_map)
        self.companies: dict[tuple[str, str], Any] = {}
        self._parsed_names: dict[str, tuple[str, str, str]] = {}
        self.company_upserter: Upserter | None = None
        self.created_companies = 0
        self.contacts: dict[tuple[str, str], Any] = {}
        self.deals: dict[tuple[str, str], Any] = {}
        self.leads: dict[tuple[str, str], Any] = {}
        self._pipelines: dict[str, Any] | None = None
        self._stages: dict[int, dict[str, Any]] = {}
        self._grown: dict[tuple[frozenset[str], str], frozenset[str]] = {}

    # -- the batch ----------------------------------------------------------------------------------------
    def resolve(self, rows: list[BulkRow]) -> None:
        live = [r for r in rows if not r.errors and r.extra.get("refs")]
        if not live:
            return
        self._owners(live)
        if self.object_type in ("contacts", "deals", "activities"):
            self._companies([r for r in live if not r.errors])
        if self.object_type in ("deals", "activities"):
            self._contacts([r for r in live if not r.errors])
        if self.object_type == "activities":
            self._deals([r for r in live if not r.errors])
            self._leads([r for r in live if not r.errors])
            self._related([r for r in live if not r.errors])
        if self.object_type == "deals":
            self._pipeline_stage([r for r in live if not r.errors])

    def _give(self, row: BulkRow, name: str, value: Any) -> None:
        row.fields[name] = value
        given = row.given
        if name not in given:
            # Rows share their sets of given fields (a batch has a handful of distinct ones).
            key = (given, name)
            grown = self._grown.get(key)
            if grown is None:
                grown = self._grown[key] = given | {name}
            row.given = grown
        if row.instance is not None:
            set_relation(row.instance, name, value)

    # -- owners ---------------------------------------------------------------------------------------------
    def _owners(self, rows: list[BulkRow]) -> None:
        for row in rows:
            value = row.extra["refs"].get("owner")
            if not value:
                continue
            user = self.users.find(value)
            if user is None:
                row.fail(
                    "owner",
                    _g("No user matches “%(value)s”; map it to a user on the import page.")
                    % {"value": value},
                )
                continue
            self._give(row, "owner", user)

    # -- companies ------------------------------------------------------------------------------------------
    def _companies(self, rows: list[BulkRow]) -> None:
        from guanxi.customers.models import Company

        wanted_ext: set[str] = set()
        wanted_keys: set[str] = set()
        wanted_domains: set[str] = set()
        plan: list[tuple[BulkRow, str, str, str, str]] = []
        parsed = self._parsed_names
        for row in rows:
            refs = row.extra["refs"]
            ext = refs.get("company_external_id", "") if self.system else ""
            name = refs.get("company", "")
            if not ext and not name:
                continue
            known = parsed.get(name)
            if known is None:
                clean = text(name)
                known = (clean, company_name_key(clean) if name else "", _domain_of(name))
                if len(parsed) < 200_000:
                    parsed[name] = known
            clean, key, domain = known
            plan.append((row, ext, clean, key, domain))
            if ext and ("ext", ext) not in self.companies:
                wanted_ext.add(ext)
            if self.system and name and ("ext", name) not in self.companies:
                wanted_ext.add(
                    name
                )  # a vendor's company column may hold its record id (Salesforce AccountId)
            if key and ("key", key) not in self.companies:
                wanted_keys.add(key)
            if domain and ("domain", domain) not in self.companies:
                wanted_domains.add(domain)
        if not plan:
            return
        if wanted_ext:
            ids = dict(
                ExternalRef.objects.filter(
                    object_type="company", system=self.system, external_id__in=wanted_ext
                ).values_list("object_id", "external_id")
            )
            for found in Company.objects.filter(pk__in=ids):
                self.companies[("ext", ids[found.pk])] = found
        if wanted_keys:
            for found in Company.objects.filter(name_key__in=wanted_keys).order_by("pk"):
                self.companies.setdefault(("key", found.name_key), found)
        if wanted_domains:
            for found in Company.objects.filter(domain__in=wanted_domains).order_by("pk"):
                self.companies.setdefault(("domain", found.domain), found)
        for row, ext, name, key, domain in plan:
            company: Any = (
                (self.companies.get(("ext", ext)) if ext else None)
                or (self.companies.get(("domain", domain)) if domain else None)
                or (self.companies.get(("key", key)) if key else None)
                or (self.companies.get(("ext", name)) if name and self.system else None)
            )
            if company is not None:
                self._give(row, "company", company)
            elif name and key:
                row.extra["new_company"] = key
            elif ext:
                row.warn(
                    "company_external_id",
                    _g("No company was imported with the id “%(value)s”; the record has no company.")
                    % {"value": ext},
                )

    def create_companies(self, rows: list[BulkRow]) -> None:
        """Create the companies that rows about to be written name and that do not exist yet (rows that
        turned out to be duplicates create nothing)."""
        missing: dict[str, list[BulkRow]] = {}
        for row in rows:
            key = row.extra.pop("new_company", None)
            if key is None or row.errors:
                continue
            company = self.companies.get(("key", key))
            if company is not None:
                self._give(row, "company", company)
            else:
                missing.setdefault(key, []).append(row)
        if missing:
            self._create_companies(missing)

    def _create_companies(self, missing: dict[str, list[BulkRow]]) -> None:
        from guanxi.customers.bulk import COMPANY

        if self.object_type == "activities" or not permissions.can(self.actor, "create", "company"):
            for rows in missing.values():
                for row in rows:
                    row.fail(
                        "company",
                        _g("There is no company “%(name)s”.") % {"name": row.extra["refs"]["company"]},
                    )
            return
        if self.company_upserter is None:
            self.company_upserter = Upserter(
                COMPANY, actor=self.actor, on_duplicate="skip", dry_run=self.dry_run
            )
        batch = []
        for key, rows in missing.items():
            first = rows[0]
            fields: dict[str, Any] = {"name": text(first.extra["refs"]["company"])}
            owner = first.fields.get("owner")
            if owner is not None:
                fields["owner"] = owner
            batch.append(BulkRow(number=first.number, fields=fields, extra={"key": key}))
        result = self.company_upserter.write(batch)
        self.created_companies += result.created
        from guanxi.customers.models import Company

        found = {r.object_id for r in batch if r.object_id}
        stored = {c.pk: c for c in Company.objects.filter(pk__in=[i for i in found if i > 0])}
        for made in batch:
            rows = missing[made.extra["key"]]
            if made.errors:
                reason = "; ".join(e.message for e in made.errors)
                for row in rows:
                    row.fail(
                        "company", _g("The company could not be created: %(reason)s") % {"reason": reason}
                    )
                continue
            company = stored.get(made.object_id) if made.object_id and made.object_id > 0 else made.instance
            if company is None:
                company = made.instance
            self.companies[("key", made.extra["key"])] = company
            for row in rows:
                self._give(row, "company", company)

    # -- contacts, deals, leads ----------------------------------------------------------------------------
    def _visible(self, model: Any) -> Any:
        return model.objects.visible_to(self.actor)

    def _by_ext(self, object_type: str, values: set[str]) -> dict[str, int]:
        if not self.system or not values:
            return {}
        return dict(
            ExternalRef.objects.filter(
                object_type=object_type, system=self.system, external_id__in=values
            ).values_list("external_id", "object_id")
        )

    def _contacts(self, rows: list[BulkRow]) -> None:
        from guanxi.customers.models import Contact

        targets = [(r, r.extra["refs"].get("contact", "")) for r in rows if r.extra["refs"].get("contact")]
        if not targets:
            return
        emails, names = set(), set()
        for _row, value in targets:
            if "@" in value:
                email = normalize_email(value)
                if ("email", email) not in self.contacts:
                    emails.add(email)
            elif ("name", key_of(value)) not in self.contacts:
                names.update(_name_variants(value))
        visible = self._visible(Contact)
        if emails:
            for contact in visible.filter(email__in=emails).order_by("pk"):
                self.contacts.setdefault(("email", contact.email), contact)
        if names:
            for contact in visible.filter(full_name__in=names).order_by("pk"):
                self.contacts.setdefault(("name", key_of(contact.full_name)), contact)
        ext = self._by_ext("contact", {v for _r, v in targets})
        if ext:
            for contact in visible.filter(pk__in=ext.values()):
                for value, pk in ext.items():
                    if pk == contact.pk:
                        self.contacts[("ext", value)] = contact
        for row, value in targets:
            contact = self.contacts.get(("ext", value))
            if contact is None and "@" in value:
                contact = self.contacts.get(("email", normalize_email(value)))
            if contact is None:
                for variant in _name_variants(value):
                    contact = self.contacts.get(("name", key_of(variant)))
                    if contact is not None:
                        break
            if contact is None:
                row.fail("contact", _g("There is no contact “%(value)s”.") % {"value": value})
                continue
            if self.object_type == "deals":
                row.extra["contact"] = contact
            else:
                self._give(row, "contact", contact)

    def _deals(self, rows: list[BulkRow]) -> None:
        from guanxi.sales.models import Deal

        targets = [(r, r.extra["refs"].get("deal", "")) for r in rows if r.extra["refs"].get("deal")]
        if not targets:
            return
        names = {text(v) for _r, v in targets if ("name", key_of(v)) not in self.deals}
        visible = self._visible(Deal)
        if names:
            for deal in visible.filter(name__in=names).order_by("pk"):
                self.deals.setdefault(("name", key_of(deal.name)), deal)
        ext = self._by_ext("deal", {v for _r, v in targets})
        for deal in visible.filter(pk__in=ext.values()) if ext else ():
            for value, pk in ext.items():
                if pk == deal.pk:
                    self.deals[("ext", value)] = deal
        for row, value in targets:
            deal = self.deals.get(("ext", value)) or self.deals.get(("name", key_of(value)))
            if deal is None:
                row.fail("deal", _g("There is no deal “%(value)s”.") % {"value": value})
                continue
            self._give(row, "deal", deal)

    def _leads(self, rows: list[BulkRow]) -> None:
        from guanxi.sales.models import Lead

        targets = [(r, r.extra["refs"].get("lead", "")) for r in rows if r.extra["refs"].get("lead")]
        if not targets:
            return
        visible = self._visible(Lead)
        emails = {normalize_email(v) for _r, v in targets if "@" in v}
        names = {n for _r, v in targets if "@" not in v for n in _name_variants(v)}
        for lead in visible.filter(Q(email__in=emails) | Q(full_name__in=names)).order_by("pk"):
            self.leads.setdefault(("email", lead.email), lead)
            self.leads.setdefault(("name", key_of(lead.full_name)), lead)
        ext = self._by_ext("lead", {v for _r, v in targets})
        for lead in visible.filter(pk__in=ext.values()) if ext else ():
            for value, pk in ext.items():
                if pk == lead.pk:
                    self.leads[("ext", value)] = lead
        for row, value in targets:
            lead = self.leads.get(("ext", value))
            if lead is None and "@" in value:
                lead = self.leads.get(("email", normalize_email(value)))
            if lead is None:
                lead = next(
                    (
                        self.leads[("name", key_of(n))]
                        for n in _name_variants(value)
                        if ("name", key_of(n)) in self.leads
                    ),
                    None,
                )
            if lead is None:
                row.fail("lead", _g("There is no lead “%(value)s”.") % {"value": value})
                continue
            self._give(row, "lead", lead)

    def _related(self, rows: list[BulkRow]) -> None:
        """A vendor's "related to" id: whichever record (company, contact, deal, lead) it was imported as."""
        from guanxi.customers.models import Company, Contact
        from guanxi.sales.models import Deal, Lead

        targets = [(r, r.extra["refs"].get("related_external_id", "")) for r in rows]
        targets = [(r, v.split(";")[0].strip()) for r, v in targets if v]
        if not targets or not self.system:
            return
        models = {"company": Company, "contact": Contact, "deal": Deal, "lead": Lead}
        refs: dict[str, tuple[str, int]] = {}
        for object_type, object_id, external_id in ExternalRef.objects.filter(
            system=self.system, object_type__in=list(models), external_id__in={v for _r, v in targets}
        ).values_list("object_type", "object_id", "external_id"):
            refs.setdefault(external_id, (object_type, object_id))
        loaded: dict[tuple[str, int], Any] = {}
        for object_type, model in models.items():
            ids = [oid for t, oid in refs.values() if t == object_type]
            if ids:
                for obj in self._visible(model).filter(pk__in=ids):
                    loaded[(object_type, obj.pk)] = obj
        for row, value in targets:
            ref = refs.get(value)
            obj = loaded.get(ref) if ref else None
            if obj is None:
                row.warn(
                    "related_external_id", _g("No imported record has the id “%(value)s”.") % {"value": value}
                )
                continue
            if ref and row.fields.get(ref[0]) is None:
                self._give(row, ref[0], obj)

    # -- pipelines and stages -------------------------------------------------------------------------------
    def _load_pipelines(self) -> dict[str, Any]:
        from guanxi.sales.models import Pipeline

        if self._pipelines is None:
            self._pipelines = {}
            pipelines = list(Pipeline.objects.filter(active=True).order_by("-is_default", "order", "id"))
            for pipeline in pipelines:
                self._pipelines.setdefault(key_of(pipeline.name), pipeline)
                self._stages[pipeline.pk] = {}
                for stage in pipeline.stages.order_by("order", "id"):
                    stage.pipeline = pipeline
                    self._stages[pipeline.pk].setdefault(key_of(stage.name), stage)
            self._pipelines[""] = pipelines[0] if pipelines else None
        return self._pipelines

    def _pipeline_stage(self, rows: list[BulkRow]) -> None:
        from guanxi.sales.choices import StageKind

        pipelines = self._load_pipelines()
        for row in rows:
            refs = row.extra["refs"]
            name = refs.get("pipeline", "")
            pipeline = pipelines.get(key_of(name)) if name else pipelines.get("")
            if pipeline is None:
                if name:
                    row.fail("pipeline", _g("There is no pipeline “%(name)s”.") % {"name": name})
                else:
                    row.fail("pipeline", _g("There is no pipeline yet; an administrator must create one."))
                continue
            stages = self._stages[pipeline.pk]
            stage_name = refs.get("stage", "")
            stage = None
            if stage_name:
                stage = stages.get(key_of(stage_name))
                if stage is None:
                    kind = _stage_kind(stage_name)
                    if kind is not None:
                        stage = next((s for s in stages.values() if s.kind == kind), None)
                if stage is None:
                    row.fail(
                        "stage",
                        _g("The pipeline “%(pipeline)s” has no stage “%(stage)s” (its stages: %(stages)s).")
                        % {
                            "pipeline": pipeline.name,
                            "stage": stage_name,
                            "stages": ", ".join(s.name for s in stages.values()),
                        },
                    )
                    continue
            else:
                stage = next((s for s in stages.values() if s.kind == StageKind.OPEN), None)
                if stage is None:
                    row.fail("stage", _g("The pipeline has no open stage."))
                    continue
            if name or "pipeline" not in row.given:
                self._give(row, "pipeline", pipeline)
            self._give(row, "stage", stage)
            if not name:
                row.given = row.given - {"pipeline"} if not stage_name else row.given


def _stage_kind(name: str) -> str | None:
    k = key_of(name)
    if k in {"closedwon", "won", "wondeal", "赢单", "成交", "已成交", "签约", "已签约", "赢得"}:
        return "won"
    if k in {"closedlost", "lost", "lostdeal", "输单", "丢单", "失败", "已输单", "已丢单"}:
        return "lost"
    return None


def _domain_of(value: str) -> str:
    """A company column holding a domain or web address rather than a name."""
    if not value or " " in value.strip() or "." not in value:
        return ""
    if any("\u3400" <= ch <= "\u9fff" for ch in value):
        return ""
    return domain_from(value)


def _name_variants(value: str) -> list[str]:
    """The ways a person's name may be stored: as written, and with its parts the other way round
    ("伟 张" → 张伟, "Smith, John" → John Smith)."""
    name = text(value)
    out = [name]
    if " " not in name:
        camel = "".join(
            f" {ch}" if i and ch.isupper() and name[i - 1].islower() else ch for i, ch in enumerate(name)
        )  # "SmithJohn" → "Smith John", "MüllerJonas" → "Müller Jonas"
        if camel != name:
            name = camel
            out.append(name)
    if "," in name:
        family, _, given = name.partition(",")
        out.append(f"{given.strip()} {family.strip()}".strip())
    parts = name.split(" ")
    if len(parts) > 1:
        reversed_parts = list(reversed(parts))
        out.append(" ".join(reversed_parts))
        if any("\u3400" <= ch <= "\u9fff" for ch in name):
            out.append("".join(reversed_parts))
            out.append("".join(parts))
    return list(dict.fromkeys(out))
