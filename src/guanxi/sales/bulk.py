"""Batched writes of leads and deals, for imports: the rules of `lead_create` / `deal_create` and their
updates applied to many rows at once (the life cycle is `guanxi.transfer.bulk`).

Leads without an owner go through the lead assignment rules, as `lead_create` does. Deals start their
stage history (a StageChange row, `stage_entered_at`, `closed_at`) like `deal_create`; an update that moves
a deal to another stage records the move like `deal_update`. A deal row may name a contact: the contact is
added to the deal. Leads match stored ones on e-mail (or phone); deals only on their source-system id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q

from guanxi.core import audit
from guanxi.transfer.bulk import BulkResult, BulkRow, BulkSpec, Upserter, upsert_many, write_audit

from .choices import StageKind
from .models import AssignmentRule, Deal, DealContact, Lead, StageChange
from .services import assign_by_rules, prepare_deal, prepare_lead


def lead_keys(lead: Lead) -> list[tuple[str, str]]:
    if lead.email:
        return [("email", lead.email)]
    if lead.phone_e164:
        return [("phone_e164", lead.phone_e164)]
    return []


def _assign_leads(actor: Any, rows: list[BulkRow]) -> None:
    """New leads that the source gave no owner: the assignment rules pick one, as in `lead_create`."""
    new = [r for r in rows if r.instance.pk is None and "owner" not in r.given and not r.match_reason]
    if not new or not AssignmentRule.objects.filter(active=True).exists():
        return
    for row in new:
        owner = assign_by_rules(row.instance)
        if owner is not None:
            row.instance.owner = owner
            row.instance.team_id = owner.team_id


LEAD = BulkSpec(
    key="lead",
    prepare=prepare_lead,
    keys=lead_keys,
    select_related=("status", "source"),
    update_also={"family_name": ("full_name",), "given_name": ("full_name",)},
    check=_assign_leads,
    parallel=True,
)


def _start_stage(actor: Any, rows: list[BulkRow], now: Any) -> None:
    for row in rows:
        deal = row.instance
        deal.stage_entered_at = now
        deal.closed_at = now if deal.stage.kind != StageKind.OPEN else None


def _deals_created(actor: Any, rows: list[BulkRow], now: Any) -> None:
    actor_id, actor_name = getattr(actor, "pk", None), getattr(actor, "username", "") or ""
    StageChange.objects.bulk_create(
        [
            StageChange(
                deal_id=r.instance.pk,
                from_stage=None,
                to_stage_id=r.instance.stage_id,
                actor_id=actor_id,
                actor_name=actor_name,
                time=now,
            )
            for r in rows
        ]
    )
    _link_contacts(actor, [(r.instance, r) for r in rows], now)


def _deals_updated(actor: Any, items: list[tuple[dict[str, Any], Any, BulkRow]], now: Any) -> None:
    actor_id, actor_name = getattr(actor, "pk", None), getattr(actor, "username", "") or ""
    moves = []
    for state, deal, _row in items:
        if state.get("stage_id") != deal.stage_id:
            moves.append(
                StageChange(
                    deal_id=deal.pk,
                    from_stage_id=state.get("stage_id"),
                    to_stage_id=deal.stage_id,
                    actor_id=actor_id,
                    actor_name=actor_name,
                    time=now,
                )
            )
            closed = deal.stage.kind != StageKind.OPEN
            Deal.objects.filter(pk=deal.pk).update(stage_entered_at=now, closed_at=now if closed else None)
    if moves:
        StageChange.objects.bulk_create(moves)
    _link_contacts(actor, [(deal, row) for _state, deal, row in items], now)


def _link_contacts(actor: Any, pairs: list[tuple[Deal, BulkRow]], now: Any) -> None:
    """Add the contact a row names to its deal (audited like `deal_set_contact`)."""
    wanted = [(deal, row.extra["contact"]) for deal, row in pairs if row.extra.get("contact") is not None]
    if not wanted:
        return
    condition = Q()
    for deal, contact in wanted:
        condition |= Q(deal_id=deal.pk, contact_id=contact.pk)
    have = set(DealContact.objects.filter(condition).values_list("deal_id", "contact_id"))
    links, entries = [], []
    for deal, contact in wanted:
        if (deal.pk, contact.pk) in have:
            continue
        have.add((deal.pk, contact.pk))
        links.append(DealContact(deal_id=deal.pk, contact_id=contact.pk))
        entries.append(
            (
                audit.Action.UPDATE,
                deal,
                {"contacts": None},
                {"contacts": {"contact": contact.pk, "role": "other"}},
                None,
            )
        )
    DealContact.objects.bulk_create(links)
    write_audit(entries, key="deal", actor=actor, now=now)


DEAL = BulkSpec(
    key="deal",
    prepare=prepare_deal,
    select_related=("stage", "pipeline", "company"),
    before_insert=_start_stage,
    after_insert=_deals_created,
    after_update=_deals_updated,
)


def leads_upsert_many(
    *,
    actor: Any,
    rows: Sequence[BulkRow],
    on_duplicate: str = "skip",
    system: str = "",
    upserter: Upserter | None = None,
) -> BulkResult:
    """Create (or update) leads; see `guanxi.transfer.bulk.upsert_many`."""
    return upsert_many(
        LEAD, actor=actor, rows=rows, on_duplicate=on_duplicate, system=system, upserter=upserter
    )


def deals_upsert_many(
    *,
    actor: Any,
    rows: Sequence[BulkRow],
    on_duplicate: str = "skip",
    system: str = "",
    upserter: Upserter | None = None,
) -> BulkResult:
    """Create (or update) deals; see `guanxi.transfer.bulk.upsert_many`."""
    return upsert_many(
        DEAL, actor=actor, rows=rows, on_duplicate=on_duplicate, system=system, upserter=upserter
    )
