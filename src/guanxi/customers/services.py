"""Writes on companies and contacts: normalisation of names, e-mails and phones, then the platform's
record life cycle (permission, validation, audit, event)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings

from guanxi.core import services as core
from guanxi.core.normalize import (
    company_name_key,
    domain_from,
    fold_width,
    normalize_email,
    normalize_phone,
    pinyin_keys,
    split_chinese_name,
)
from guanxi.core.search import build_search_text

from .models import Company, Contact


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def compose_name(family: str, given: str) -> str:
    """家名在前 for Chinese names (张 + 三 → 张三); "Given Family" for Latin ones."""
    if _has_cjk(family + given):
        return family + given
    return " ".join(p for p in (given, family) if p)


def sort_key(name: str) -> str:
    """Names sort by pinyin, so 张三 sits among the Z's beside Zhang Wei."""
    full, _initials = pinyin_keys(name) if _has_cjk(name) else ("", "")
    return (full or " ".join(fold_width(name).lower().split()))[:150]


def phone_pair(raw: str) -> tuple[str, str]:
    """(what was typed, E.164 or '' when it does not parse)."""
    typed = " ".join(fold_width(raw or "").split())
    e164, valid = normalize_phone(typed, settings.GUANXI_DEFAULT_REGION) if typed else ("", False)
    return typed, e164 if valid else ""


def _text(value: Any) -> str:
    return " ".join(fold_width(str(value or "")).split())


def prepare_company(company: Company) -> None:
    company.name = _text(company.name)
    company.legal_name = _text(company.legal_name)
    company.website = (company.website or "").strip()
    company.domain = domain_from(company.domain or "") or domain_from(company.website)
    company.phone, company.phone_e164 = phone_pair(company.phone)
    company.country = (company.country or "").strip().upper()
    company.name_key = company_name_key(company.name)[:200]
    company.sort_name = sort_key(company.name)[:200]
    company.search_text = build_search_text(
        names=[company.name, company.legal_name],
        words=[company.city, company.domain],
        phones=[company.phone_e164 or company.phone],
    )


def prepare_contact(contact: Contact) -> None:
    contact.full_name = _text(contact.full_name)
    contact.family_name = _text(contact.family_name)
    contact.given_name = _text(contact.given_name)
    composed = compose_name(contact.family_name, contact.given_name)
    if not contact.full_name:
        contact.full_name = composed
    elif composed.replace(" ", "") != contact.full_name.replace(" ", ""):
        # The full name is what people type (Chinese names are written whole); its parts follow it.
        contact.family_name, contact.given_name = split_chinese_name(contact.full_name)
    contact.email = normalize_email(contact.email or "")
    contact.email_secondary = normalize_email(contact.email_secondary or "")
    contact.mobile, contact.mobile_e164 = phone_pair(contact.mobile)
    contact.work_phone, contact.work_phone_e164 = phone_pair(contact.work_phone)
    contact.wechat = _text(contact.wechat)
    contact.title = _text(contact.title)
    contact.country = (contact.country or "").strip().upper()
    contact.sort_name = sort_key(contact.full_name)
    company_name = contact.company.name if contact.company is not None else ""
    contact.search_text = build_search_text(
        names=[contact.full_name],
        words=[company_name, contact.wechat],
        emails=[contact.email, contact.email_secondary],
        phones=[contact.mobile_e164 or contact.mobile, contact.work_phone_e164 or contact.work_phone],
    )


def company_create(
    *,
    actor: Any,
    tags: Iterable[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    **fields: Any,
) -> Company:
    return core.create_record(
        actor=actor,
        instance=Company(**fields),
        tags=tags,
        custom_fields=custom_fields,
        prepare=prepare_company,
        external_ref=external_ref,
    )


def company_update(
    *,
    actor: Any,
    instance: Company,
    expected_version: int | None = None,
    tags: Iterable[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Company:
    name_before = instance.name
    company = core.update_record(
        actor=actor,
        instance=instance,
        changes=changes,
        tags=tags,
        custom_fields=custom_fields,
        expected_version=expected_version,
        prepare=prepare_company,
    )
    if company.name != name_before:
        _reindex_contacts_of(company)
    return company


def _reindex_contacts_of(company: Company) -> None:
    """Contacts are found by their company's name too, so renaming a company refreshes their index."""
    contacts = list(Contact.objects.filter(company=company).select_related("company"))
    for contact in contacts:
        prepare_contact(contact)
    Contact.objects.bulk_update(contacts, ["search_text"], batch_size=500)


def company_delete(*, actor: Any, instance: Company, expected_version: int | None = None) -> None:
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)


def contact_create(
    *,
    actor: Any,
    tags: Iterable[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    **fields: Any,
) -> Contact:
    return core.create_record(
        actor=actor,
        instance=Contact(**fields),
        tags=tags,
        custom_fields=custom_fields,
        prepare=prepare_contact,
        external_ref=external_ref,
    )


def contact_update(
    *,
    actor: Any,
    instance: Contact,
    expected_version: int | None = None,
    tags: Iterable[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Contact:
    return core.update_record(
        actor=actor,
        instance=instance,
        changes=changes,
        tags=tags,
        custom_fields=custom_fields,
        expected_version=expected_version,
        prepare=prepare_contact,
    )


def contact_delete(*, actor: Any, instance: Contact, expected_version: int | None = None) -> None:
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)
