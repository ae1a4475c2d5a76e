"""Panels the sales app adds to the pages of companies and contacts."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse

from guanxi.core import permissions

from .models import Deal

LIMIT = 20


def _panel(request: HttpRequest, deals: Any, list_query: str, new_query: str) -> dict[str, Any] | None:
    if not permissions.can(request.user, "view", "deal"):
        return None
    rows = list(deals.select_related("stage").order_by("-created_at", "-id")[: LIMIT + 1])
    return {
        "template": "sales/deals_panel.html",
        "column": "left",
        "deals": rows[:LIMIT],
        "more": len(rows) > LIMIT,
        "list_url": f"{reverse('sales:deal_list')}?{list_query}",
        "new_url": reverse("sales:deal_create") + (f"?{new_query}" if new_query else "")
        if permissions.can(request.user, "create", "deal")
        else None,
    }


def company_deals_panel(request: HttpRequest, company: Model) -> dict[str, Any] | None:
    deals = Deal.objects.visible_to(request.user).filter(company=company.pk)
    return _panel(request, deals, f"company={company.pk}", f"company={company.pk}")


def contact_deals_panel(request: HttpRequest, contact: Model) -> dict[str, Any] | None:
    deals = Deal.objects.visible_to(request.user).filter(contact_roles__contact=contact.pk)
    company_id = getattr(contact, "company_id", None)
    return _panel(request, deals, f"contact={contact.pk}", f"company={company_id}" if company_id else "")
