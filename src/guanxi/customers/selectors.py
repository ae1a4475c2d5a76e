"""Reads on companies and contacts, always through visibility."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from guanxi.core.normalize import normalize_email

from .models import Company, Contact
from .services import phone_pair


def contacts_for(user: Any) -> QuerySet[Contact]:
    return Contact.objects.visible_to(user).select_related("company", "owner")


def companies_for(user: Any) -> QuerySet[Company]:
    return Company.objects.visible_to(user).select_related("owner")


def contact_duplicates(
    user: Any, *, email: str = "", mobile: str = "", exclude_id: int | None = None
) -> tuple[list[Contact], int]:
    """Contacts sharing the normalised e-mail or mobile: (those the user can see, how many they cannot)."""
    condition = Q()
    normalised = normalize_email(email)
    if normalised:
        condition |= Q(email=normalised) | Q(email_secondary=normalised)
    _typed, e164 = phone_pair(mobile)
    if e164:
        condition |= Q(mobile_e164=e164)
    if not condition:
        return [], 0
    matches = Contact.objects.filter(condition)
    if exclude_id:
        matches = matches.exclude(pk=exclude_id)
    visible = list(matches.visible_to(user).select_related("company")[:5])
    hidden = matches.count() - len(visible) if len(visible) < 5 else 0
    return visible, max(hidden, 0)


def company_contacts(user: Any, company: Company) -> QuerySet[Contact]:
    return contacts_for(user).filter(company=company).order_by("sort_name", "id")
