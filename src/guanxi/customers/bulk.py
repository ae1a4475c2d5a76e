"""Batched writes of companies and contacts, for imports: the rules of `company_create` / `contact_create`
and their updates (permission, `prepare_company` / `prepare_contact`, validation, custom fields, audit)
applied to many rows at once with set-based queries. The life cycle itself is `guanxi.transfer.bulk`.

Duplicates: a company is the same as a stored one with the same domain or the same name key (legal forms
ignored: 北京字节跳动科技有限公司 = 北京字节跳动科技); a contact is the same as one with the same
normalised e-mail or, when it has none, the same mobile number (E.164). A record with a source-system id
is the same as the record that id was imported into before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from guanxi.transfer.bulk import BulkResult, BulkRow, BulkSpec, Upserter, upsert_many

from .models import Company, Contact
from .services import _reindex_contacts_of, prepare_company, prepare_contact


def company_keys(company: Company) -> list[tuple[str, str]]:
    keys = []
    if company.domain:
        keys.append(("domain", company.domain))
    if company.name_key:
        keys.append(("name_key", company.name_key))
    return keys


def contact_keys(contact: Contact) -> list[tuple[str, str]]:
    if contact.email:
        return [("email", contact.email)]
    if contact.mobile_e164:
        return [("mobile_e164", contact.mobile_e164)]
    return []


def _companies_renamed(actor: Any, items: list[tuple[dict[str, Any], Any, BulkRow]], now: Any) -> None:
    """Contacts are found by their company's name too: a renamed company refreshes their index, as
    `company_update` does."""
    for state, company, _row in items:
        if state.get("name") != company.name:
            _reindex_contacts_of(company)


COMPANY = BulkSpec(
    key="company",
    prepare=prepare_company,
    keys=company_keys,
    after_update=_companies_renamed,
    parallel=True,
)

CONTACT = BulkSpec(
    key="contact",
    prepare=prepare_contact,
    keys=contact_keys,
    select_related=("company",),
    update_also={"family_name": ("full_name",), "given_name": ("full_name",)},
    parallel=True,
)


def companies_upsert_many(
    *,
    actor: Any,
    rows: Sequence[BulkRow],
    on_duplicate: str = "skip",
    system: str = "",
    upserter: Upserter | None = None,
) -> BulkResult:
    """Create (or, with `on_duplicate="update"`, update) companies; see `guanxi.transfer.bulk.upsert_many`."""
    return upsert_many(
        COMPANY, actor=actor, rows=rows, on_duplicate=on_duplicate, system=system, upserter=upserter
    )


def contacts_upsert_many(
    *,
    actor: Any,
    rows: Sequence[BulkRow],
    on_duplicate: str = "skip",
    system: str = "",
    upserter: Upserter | None = None,
) -> BulkResult:
    """Create (or, with `on_duplicate="update"`, update) contacts; see `guanxi.transfer.bulk.upsert_many`."""
    return upsert_many(
        CONTACT, actor=actor, rows=rows, on_duplicate=on_duplicate, system=system, upserter=upserter
    )
