"""Writes on leads, deals, products and pipelines; lead assignment and conversion; stage moves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from guanxi.core import audit, events, permissions
from guanxi.core import services as core
from guanxi.core.normalize import company_name_key, domain_from, fold_width, normalize_email
from guanxi.core.permissions import SYSTEM
from guanxi.core.search import build_search_text
from guanxi.customers.models import Company, Contact
from guanxi.customers.services import company_create, contact_create, phone_pair, sort_key

from .choices import DEFAULT_PICKLISTS, DEFAULT_PIPELINES, PicklistKind, StageKind, StatusMeaning
from .models import (
    AssignmentRule,
    Deal,
    DealContact,
    DealLine,
    Lead,
    PicklistValue,
    Pipeline,
    Product,
    Stage,
    StageChange,
)

events.declare("deal.stage_changed", _("Deal stage changed"))
events.declare("deal.won", _("Deal won"))
events.declare("deal.lost", _("Deal lost"))
events.declare("lead.converted", _("Lead converted"))


def _text(value: Any) -> str:
    return " ".join(fold_width(str(value or "")).split())


# --- defaults ------------------------------------------------------------------------------------------


def ensure_defaults() -> None:
    """The editable lists and two pipelines a new installation starts with (only what is missing)."""
    with transaction.atomic():
        for kind, values in DEFAULT_PICKLISTS.items():
            if PicklistValue.objects.filter(kind=kind).exists():
                continue
            PicklistValue.objects.bulk_create(
                [
                    PicklistValue(
                        kind=kind, key=key, label=label, label_zh=label_zh, meaning=meaning, order=i * 10
                    )
                    for i, (key, label, label_zh, meaning) in enumerate(values)
                ]
            )
        if not Pipeline.objects.exists():
            with translation.override(settings.LANGUAGE_CODE):
                for order, (name, is_default, stages) in enumerate(DEFAULT_PIPELINES):
                    pipeline = Pipeline.objects.create(name=_g(name), is_default=is_default, order=order * 10)
                    Stage.objects.bulk_create(
                        [
                            Stage(pipeline=pipeline, name=_g(s), probability=p, kind=k, order=i * 10)
                            for i, (s, p, k) in enumerate(stages)
                        ]
                    )


def picklist(kind: str, key: str) -> PicklistValue | None:
    return PicklistValue.objects.filter(kind=kind, key=key).first()


def status_with(meaning: str) -> PicklistValue | None:
    return PicklistValue.objects.filter(kind=PicklistKind.LEAD_STATUS, meaning=meaning, active=True).first()


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(active=True).order_by("-is_default", "order", "id").first()
    if pipeline is None:
        raise ValidationError(
            {"pipeline": [_g("There is no pipeline yet; an administrator must create one.")]}
        )
    return pipeline


def first_open_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(kind=StageKind.OPEN).order_by("order", "id").first()
    if stage is None:
        raise ValidationError({"stage": [_g("The pipeline has no open stage.")]})
    return stage


# --- leads ---------------------------------------------------------------------------------------------


def prepare_lead(lead: Lead) -> None:
    lead.full_name = _text(lead.full_name)
    lead.company_name = _text(lead.company_name)
    lead.title = _text(lead.title)
    lead.email = normalize_email(lead.email or "")
    lead.phone, lead.phone_e164 = phone_pair(lead.phone)
    lead.country = (lead.country or "").strip().upper()
    if lead.status_id is None:
        lead.status = status_with(StatusMeaning.NEW)
    if (
        lead.status is not None
        and lead.status.meaning == StatusMeaning.DISQUALIFIED
        and not lead.disqualification_reason.strip()
    ):
        raise ValidationError({"disqualification_reason": [_g("Say why the lead is disqualified.")]})
    lead.sort_name = sort_key(lead.full_name)
    lead.search_text = build_search_text(
        names=[lead.full_name, lead.company_name],
        words=[lead.city, lead.province],
        emails=[lead.email],
        phones=[lead.phone_e164 or lead.phone],
    )


def _matching_rule(lead: Lead) -> AssignmentRule | None:
    region = {lead.province.strip(), lead.city.strip()} - {""}
    for rule in AssignmentRule.objects.filter(active=True).select_related("source"):
        if rule.source_id and rule.source_id != lead.source_id:
            continue
        if rule.region and rule.region.strip() not in region:
            continue
        return rule
    return None


def assign_by_rules(lead: Lead) -> Any:
    """The owner the first matching rule picks (advancing its round-robin), or None."""
    from guanxi.users.models import User

    rule = _matching_rule(lead)
    if rule is None:
        return None
    if rule.method == AssignmentRule.USER:
        return rule.user if rule.user and rule.user.is_active else None
    if rule.team_id is None:  # round-robin needs a team; the rule's form asks for one
        return None
    with transaction.atomic():
        rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
        members = list(User.objects.filter(team=rule.team_id, is_active=True).order_by("id"))
        if not members:
            return None
        after = [m for m in members if rule.last_assigned_id is not None and m.pk > rule.last_assigned_id]
        chosen = after[0] if after else members[0]
        AssignmentRule.objects.filter(pk=rule.pk).update(last_assigned=chosen)
    return chosen


def lead_create(
    *,
    actor: Any,
    tags: Iterable[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    **fields: Any,
) -> Lead:
    """Create a lead; without an owner, the assignment rules pick one (a separate, audited assignment by
    "system"), otherwise the creator owns it."""
    use_rules = fields.get("owner") is None and fields.get("owner_id") is None
    with transaction.atomic():
        lead = core.create_record(
            actor=actor,
            instance=Lead(**fields),
            tags=tags,
            custom_fields=custom_fields,
            prepare=prepare_lead,
            external_ref=external_ref,
        )
        if use_rules:
            owner = assign_by_rules(lead)
            if owner is not None and owner.pk != lead.owner_id:
                lead = core.update_record(
                    actor=SYSTEM, instance=lead, changes={"owner": owner}, prepare=prepare_lead
                )
    return lead


def lead_update(
    *,
    actor: Any,
    instance: Lead,
    expected_version: int | None = None,
    tags: Iterable[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Lead:
    return core.update_record(
        actor=actor,
        instance=instance,
        changes=changes,
        tags=tags,
        custom_fields=custom_fields,
        expected_version=expected_version,
        prepare=prepare_lead,
    )


def lead_delete(*, actor: Any, instance: Lead, expected_version: int | None = None) -> None:
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)


@dataclass
class Conversion:
    lead: Lead
    contact: Contact
    company: Company | None
    deal: Deal | None
    created: dict[str, bool]


def _find_company(user: Any, lead: Lead) -> Company | None:
    visible = Company.objects.visible_to(user)
    key = company_name_key(lead.company_name)
    if key:
        match = visible.filter(name_key=key).order_by("id").first()
        if match:
            return match
    domain = domain_from(lead.email)
    if domain and domain not in PUBLIC_MAIL_DOMAINS:
        return visible.filter(domain=domain).order_by("id").first()
    return None


def _find_contact(user: Any, lead: Lead) -> Contact | None:
    condition = Q()
    if lead.email:
        condition |= Q(email=lead.email) | Q(email_secondary=lead.email)
    if lead.phone_e164:
        condition |= Q(mobile_e164=lead.phone_e164) | Q(work_phone_e164=lead.phone_e164)
    if not condition:
        return None
    return Contact.objects.visible_to(user).filter(condition).order_by("id").first()


PUBLIC_MAIL_DOMAINS = {
    "qq.com",
    "163.com",
    "126.com",
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "sina.com",
    "yahoo.com",
    "foxmail.com",
    "icloud.com",
    "aliyun.com",
    "139.com",
    "sohu.com",
}
LEAD_TO_CONTACT_SOURCE = {
    "web": "web",
    "referral": "referral",
    "event": "event",
    "advertising": "advertising",
    "import": "import",
    "other": "other",
}


def lead_convert(
    *,
    actor: Any,
    lead: Lead,
    company: Company | None = None,
    contact: Contact | None = None,
    create_deal: bool = False,
    deal_name: str = "",
    pipeline: Pipeline | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    expected_close_date: Any = None,
    expected_version: int | None = None,
) -> Conversion:
    """Turn a lead into a contact and a company — linking existing ones found by e-mail, phone or company
    name instead of duplicating them — and optionally a deal. The lead keeps links to what it became."""
    permissions.require(actor, "edit", "lead", lead)
    with transaction.atomic():
        lead = core.lock_for_update(lead)
        core.check_version(lead, expected_version, registry_lead())
        if lead.converted_at is not None:
            raise ValidationError(_g("This lead was already converted."))
        if lead.status is not None and lead.status.meaning == StatusMeaning.DISQUALIFIED:
            raise ValidationError(_g("A disqualified lead cannot be converted."))
        for given in (company, contact):
            if given is not None and not type(given).objects.visible_to(actor).filter(pk=given.pk).exists():
                raise PermissionDenied(_g("no such %(type)s") % {"type": given._meta.verbose_name})
        owner = lead.owner if lead.owner_id else (actor if getattr(actor, "pk", None) else None)
        created = {"company": False, "contact": False, "deal": False}
        if company is None and contact is not None and contact.company_id:
            company = contact.company
        if company is None:
            company = _find_company(actor, lead)
        if company is None and lead.company_name:
            company = company_create(
                actor=actor,
                owner=owner,
                name=lead.company_name,
                country=lead.country,
                province=lead.province,
                city=lead.city,
                domain=domain_from(lead.email) if domain_from(lead.email) not in PUBLIC_MAIL_DOMAINS else "",
            )
            created["company"] = True
        if contact is None:
            contact = _find_contact(actor, lead)
        if contact is None:
            source = LEAD_TO_CONTACT_SOURCE.get(lead.source.key if lead.source else "", "")
            contact = contact_create(
                actor=actor,
                owner=owner,
                full_name=lead.full_name,
                title=lead.title,
                company=company,
                email=lead.email,
                mobile=lead.phone,
                source=source,
                country=lead.country,
                province=lead.province,
                city=lead.city,
                notes=lead.notes,
            )
            created["contact"] = True
        deal = None
        if create_deal:
            chosen = pipeline or default_pipeline()
            deal = deal_create(
                actor=actor,
                owner=owner,
                name=deal_name.strip() or str(company or contact),
                company=company,
                pipeline=chosen,
                stage=first_open_stage(chosen),
                amount=amount or Decimal("0"),
                currency=currency or _reporting(),
                expected_close_date=expected_close_date,
                source=lead.source,
            )
            DealContact.objects.create(deal=deal, contact=contact, role="decision_maker")
            created["deal"] = True
        converted = status_with(StatusMeaning.CONVERTED) or lead.status
        lead = core.update_record(
            actor=actor,
            instance=lead,
            prepare=prepare_lead,
            changes={
                "converted_at": timezone.now(),
                "converted_contact": contact,
                "converted_company": company,
                "converted_deal": deal,
                "status": converted,
            },
        )
        _conversion_events(actor, lead, contact, company, deal)
    return Conversion(lead, contact, company, deal, created)


def registry_lead() -> Any:
    from guanxi.core.registry import registry

    return registry.get("lead")


def _reporting() -> str:
    from .money import reporting_currency

    return reporting_currency()


def _conversion_events(
    actor: Any, lead: Lead, contact: Contact, company: Company | None, deal: Deal | None
) -> None:
    from guanxi.activities.services import record_timeline_event

    data = {
        "lead": lead.pk,
        "lead_name": lead.full_name,
        "contact": contact.pk,
        "contact_name": contact.full_name,
        "company": company.pk if company else None,
        "company_name": company.name if company else "",
        "deal": deal.pk if deal else None,
        "deal_name": deal.name if deal else "",
    }
    targets = [("lead", lead.pk), ("contact", contact.pk)]
    if company:
        targets.append(("company", company.pk))
    if deal:
        targets.append(("deal", deal.pk))
    for object_type, object_id in targets:
        record_timeline_event(
            actor=actor, object_type=object_type, object_id=object_id, name="lead.converted", data=data
        )
    events.emit("lead.converted", instance=lead, actor=actor, data=data)


# --- deals ---------------------------------------------------------------------------------------------


def prepare_deal(deal: Deal) -> None:
    deal.name = _text(deal.name)
    deal.currency = (deal.currency or _reporting()).upper()
    if deal.pipeline_id is None:
        deal.pipeline = default_pipeline()
    if deal.stage_id is None:
        deal.stage = first_open_stage(deal.pipeline)
    if deal.stage.pipeline_id != deal.pipeline_id:
        raise ValidationError({"stage": [_g("This stage belongs to another pipeline.")]})
    if deal.stage.kind == StageKind.LOST and deal.lost_reason_id is None:
        raise ValidationError({"lost_reason": [_g("Say why the deal was lost.")]})
    if deal.stage.kind != StageKind.LOST:
        deal.lost_reason = None
        deal.lost_note = ""
    if deal.amount_from_lines and deal.pk:
        deal.amount = sum((line.total for line in deal.lines.all()), Decimal("0"))
    deal.sort_name = sort_key(deal.name)[:200]
    company_name = deal.company.name if deal.company is not None else ""
    deal.search_text = build_search_text(names=[deal.name], words=[company_name])


def _after_stage_change(actor: Any, deal: Deal, from_stage: Stage | None) -> None:
    now = timezone.now()
    StageChange.objects.create(
        deal=deal,
        from_stage=from_stage,
        to_stage=deal.stage,
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", ""),
        time=now,
    )
    closed = deal.stage.kind != StageKind.OPEN
    Deal.objects.filter(pk=deal.pk).update(stage_entered_at=now, closed_at=now if closed else None)
    deal.stage_entered_at, deal.closed_at = now, (now if closed else None)
    if from_stage is None:
        return
    data = {
        "from_stage": from_stage.pk,
        "from_stage_name": from_stage.name,
        "to_stage": deal.stage.pk,
        "to_stage_name": deal.stage.name,
        "pipeline": deal.pipeline_id,
    }
    events.emit("deal.stage_changed", instance=deal, actor=actor, data=data)
    if deal.stage.kind == StageKind.WON:
        events.emit("deal.won", instance=deal, actor=actor, data=data)
    elif deal.stage.kind == StageKind.LOST:
        events.emit(
            "deal.lost",
            instance=deal,
            actor=actor,
            data={**data, "lost_reason": deal.lost_reason.key if deal.lost_reason else None},
        )


def deal_create(
    *,
    actor: Any,
    tags: Iterable[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    **fields: Any,
) -> Deal:
    with transaction.atomic():
        deal = core.create_record(
            actor=actor,
            instance=Deal(**fields),
            tags=tags,
            custom_fields=custom_fields,
            prepare=prepare_deal,
            external_ref=external_ref,
        )
        _after_stage_change(actor, deal, None)
    return deal


def deal_update(
    *,
    actor: Any,
    instance: Deal,
    expected_version: int | None = None,
    tags: Iterable[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Deal:
    """Update a deal; a change of stage (also through the API or an import) is recorded as a stage-change
    event, sets or clears the closing time and notifies subscribers, like a move on the board."""
    with transaction.atomic():
        before = Deal.objects.select_related("stage").get(pk=instance.pk)
        if "pipeline" in changes and "stage" not in changes and changes["pipeline"] != before.pipeline:
            changes["stage"] = first_open_stage(changes["pipeline"])
        deal = core.update_record(
            actor=actor,
            instance=instance,
            changes=changes,
            tags=tags,
            custom_fields=custom_fields,
            expected_version=expected_version,
            prepare=prepare_deal,
        )
        if deal.stage_id != before.stage_id:
            _after_stage_change(actor, deal, before.stage)
    return deal


def deal_move_stage(
    *,
    actor: Any,
    deal: Deal,
    stage: Stage,
    expected_version: int | None = None,
    lost_reason: PicklistValue | None = None,
    lost_note: str = "",
) -> Deal:
    changes: dict[str, Any] = {"stage": stage}
    if stage.pipeline_id != deal.pipeline_id:
        changes["pipeline"] = stage.pipeline
    if stage.kind == StageKind.LOST:
        changes.update(lost_reason=lost_reason, lost_note=lost_note)
    return deal_update(actor=actor, instance=deal, expected_version=expected_version, **changes)


def deal_delete(*, actor: Any, instance: Deal, expected_version: int | None = None) -> None:
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)


def _lines_state(deal: Deal) -> list[dict[str, Any]]:
    return [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": str(line.quantity),
            "unit_price": str(line.unit_price),
            "discount": str(line.discount),
        }
        for line in deal.lines.all()
    ]


def deal_set_lines(
    *,
    actor: Any,
    deal: Deal,
    lines: Sequence[Mapping[str, Any]],
    expected_version: int | None = None,
    amount_from_lines: bool | None = None,
) -> Deal:
    """Replace a deal's product lines (product, quantity, unit price, discount); with
    `amount_from_lines` the deal's amount becomes their total."""
    permissions.require(actor, "edit", "deal", deal)
    built = []
    errors: dict[str, list[str]] = {}
    for index, data in enumerate(lines):
        product = data.get("product")
        unit_price = data.get("unit_price")
        if unit_price in (None, "") and product is not None:
            unit_price = product.list_price
        line = DealLine(
            deal=deal,
            product=product,
            description=_text(data.get("description", "")),
            quantity=data.get("quantity") or Decimal("1"),
            unit_price=unit_price,  # type: ignore[misc]  # a missing price is reported by full_clean below
            discount=data.get("discount") or Decimal("0"),
            order=index,
        )
        if not line.description and product is not None:
            line.description = product.name[:200]
        try:
            line.full_clean(exclude=["deal"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"lines[{index}].{field}"] = messages
        built.append(line)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = core.lock_for_update(deal)
        permissions.require(actor, "edit", "deal", current)
        core.check_version(current, expected_version, registry_deal())
        before = {
            "lines": _lines_state(current),
            "amount": str(current.amount),
            "amount_from_lines": current.amount_from_lines,
        }
        current.lines.all().delete()
        DealLine.objects.bulk_create(built)
        if amount_from_lines is not None:
            current.amount_from_lines = amount_from_lines
        if current.amount_from_lines:
            current.amount = sum((line.total for line in built), Decimal("0"))
        after = {
            "lines": _lines_state(current),
            "amount": str(current.amount),
            "amount_from_lines": current.amount_from_lines,
        }
        old, new = audit.diff(before, after)
        if not new:
            return current
        current.version += 1
        current.save(update_fields=["amount", "amount_from_lines", "version", "updated_at"])
        audit.record(
            actor=actor,
            action=audit.Action.UPDATE,
            object_type="deal",
            instance=current,
            before=old,
            after=new,
        )
        events.emit("deal.updated", instance=current, actor=actor, changes=(old, new))
    return current


def registry_deal() -> Any:
    from guanxi.core.registry import registry

    return registry.get("deal")


def deal_set_contact(*, actor: Any, deal: Deal, contact: Contact, role: str | None) -> None:
    """Add a contact to a deal with a role, change the role, or (role None) remove the contact."""
    permissions.require(actor, "edit", "deal", deal)
    if not Contact.objects.visible_to(actor).filter(pk=contact.pk).exists():
        raise PermissionDenied(_g("no such %(type)s") % {"type": Contact._meta.verbose_name})
    with transaction.atomic():
        existing = DealContact.objects.filter(deal=deal, contact=contact).first()
        before = {"contact": contact.pk, "role": existing.role} if existing else None
        if role is None:
            if existing is None:
                return
            existing.delete()
            after = None
        else:
            link = existing or DealContact(deal=deal, contact=contact)
            link.role = role
            link.full_clean(exclude=["deal", "contact"])
            link.save()
            after = {"contact": contact.pk, "role": role}
        audit.record(
            actor=actor,
            action=audit.Action.UPDATE,
            object_type="deal",
            instance=deal,
            before={"contacts": before},
            after={"contacts": after},
        )


# --- products and pipelines ---------------------------------------------------------------------------


def prepare_product(product: Product) -> None:
    product.code = _text(product.code).upper()
    product.name = _text(product.name)
    product.currency = (product.currency or _reporting()).upper()
    product.sort_name = sort_key(product.name)[:200]
    product.search_text = build_search_text(names=[product.name], words=[product.code])


def product_create(
    *,
    actor: Any,
    custom_fields: Mapping[str, Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    **fields: Any,
) -> Product:
    return core.create_record(
        actor=actor,
        instance=Product(**fields),
        custom_fields=custom_fields,
        prepare=prepare_product,
        external_ref=external_ref,
    )


def product_update(
    *,
    actor: Any,
    instance: Product,
    expected_version: int | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Product:
    return core.update_record(
        actor=actor,
        instance=instance,
        changes=changes,
        custom_fields=custom_fields,
        expected_version=expected_version,
        prepare=prepare_product,
    )


def product_delete(*, actor: Any, instance: Product, expected_version: int | None = None) -> None:
    if DealLine.objects.filter(product=instance).exists():
        raise ValidationError(_g("Deals use this product; mark it inactive instead."))
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)


def _prepare_pipeline(pipeline: Pipeline) -> None:
    pipeline.name = _text(pipeline.name)


def pipeline_create(
    *,
    actor: Any,
    stages: Sequence[Mapping[str, Any]] = (),
    custom_fields: Mapping[str, Any] | None = None,
    **fields: Any,
) -> Pipeline:
    with transaction.atomic():
        pipeline = core.create_record(
            actor=actor, instance=Pipeline(**fields), custom_fields=custom_fields, prepare=_prepare_pipeline
        )
        if stages:
            pipeline_set_stages(actor=actor, pipeline=pipeline, stages=stages, audited=False)
            created = audit.ObjectChange.objects.get(
                object_type="pipeline", object_id=pipeline.pk, action="create"
            )
            created.after = {**(created.after or {}), "stages": _stage_state(pipeline)}
            created.save(update_fields=["after"])
        if pipeline.is_default:
            Pipeline.objects.exclude(pk=pipeline.pk).update(is_default=False)
    return pipeline


def pipeline_update(
    *,
    actor: Any,
    instance: Pipeline,
    expected_version: int | None = None,
    stages: Sequence[Mapping[str, Any]] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Pipeline:
    with transaction.atomic():
        version_before = instance.version
        pipeline = core.update_record(
            actor=actor,
            instance=instance,
            changes=changes,
            custom_fields=custom_fields,
            expected_version=expected_version,
            prepare=_prepare_pipeline,
        )
        if stages is not None:
            pipeline_set_stages(
                actor=actor, pipeline=pipeline, stages=stages, bump_version=pipeline.version == version_before
            )
        if pipeline.is_default:
            Pipeline.objects.exclude(pk=pipeline.pk).update(is_default=False)
    return pipeline


def pipeline_delete(*, actor: Any, instance: Pipeline, expected_version: int | None = None) -> None:
    if instance.deals.exists():
        raise ValidationError(_g("Deals are in this pipeline; move them or mark the pipeline inactive."))
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)


def _stage_state(pipeline: Pipeline) -> list[dict[str, Any]]:
    return [{"name": s.name, "probability": s.probability, "kind": s.kind} for s in pipeline.stages.all()]


def pipeline_set_stages(
    *,
    actor: Any,
    pipeline: Pipeline,
    stages: Sequence[Mapping[str, Any]],
    audited: bool = True,
    bump_version: bool = True,
) -> None:
    """Stages in order: each {"id"?, "name", "probability", "kind"}; stages left out are deleted unless
    deals use them. A pipeline needs at least one open stage. A change of stages is a change of the pipeline:
    audited, and a new version unless the caller already made one in the same write."""
    permissions.require(actor, "edit", "pipeline", pipeline)
    if not any(s.get("kind", StageKind.OPEN) == StageKind.OPEN for s in stages):
        raise ValidationError({"stages": [_g("A pipeline needs at least one open stage.")]})
    names = [_text(s.get("name")) for s in stages]
    if len(set(names)) != len(names) or not all(names):
        raise ValidationError({"stages": [_g("Every stage needs a name of its own.")]})
    with transaction.atomic():
        existing = {s.pk: s for s in pipeline.stages.all()}
        before = _stage_state(pipeline)
        keep = set()
        # Park the names first so renames that swap names do not collide with the unique constraint.
        for stage in existing.values():
            Stage.objects.filter(pk=stage.pk).update(name=f"__{stage.pk}")
        for order, spec in enumerate(stages):
            found = existing.get(spec["id"]) if spec.get("id") else None
            stage = found or Stage(pipeline=pipeline)
            stage.name = names[order]
            stage.probability = int(spec.get("probability", 0))
            stage.kind = spec.get("kind", StageKind.OPEN)
            stage.order = order * 10
            stage.full_clean(exclude=["pipeline"], validate_constraints=False)
            stage.save()
            keep.add(stage.pk)
        for pk, stage in existing.items():
            if pk in keep:
                continue
            if Deal.objects.filter(stage_id=pk).exists():
                raise ValidationError(
                    {
                        "stages": [
                            _g("Deals are in the stage “%(name)s”; move them first.") % {"name": stage.name}
                        ]
                    }
                )
            stage.delete()
        after = _stage_state(pipeline)
        if audited and before != after:
            if bump_version:
                Pipeline.objects.filter(pk=pipeline.pk).update(version=F("version") + 1)
                pipeline.refresh_from_db(fields=["version"])
            audit.record(
                actor=actor,
                action=audit.Action.UPDATE,
                object_type="pipeline",
                instance=pipeline,
                before={"stages": before},
                after={"stages": after},
            )
