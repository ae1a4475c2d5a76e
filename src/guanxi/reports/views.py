"""The home dashboard's sales widget: figures and charts, each linking to the list behind it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format

from guanxi.core import permissions

from .selectors import dashboard


def _deals_url(**params: Any) -> str:
    return f"{reverse('sales:deal_list')}?{urlencode({k: v for k, v in params.items() if v is not None})}"


def sales_dashboard(request: HttpRequest) -> list[dict[str, Any]]:
    if not permissions.can(request.user, "view", "deal"):
        return []
    data = dashboard(request.user)
    bounds = data.month_bounds
    for entry in data.by_stage:
        entry["url"] = _deals_url(pipeline=entry["pipeline_id"], stage=entry["stage_id"], status="open")
    for bucket in data.forecast:
        start = bucket["month"]
        bucket["label"] = date_format(start, "YEAR_MONTH_FORMAT")
        bucket["url"] = _deals_url(
            status="open", close_from=start.isoformat(), close_to=_next_month(start).isoformat()
        )
    chart = {
        "stages": {
            "labels": [f"{e['pipeline']} · {e['stage']}" for e in data.by_stage],
            "values": [float(e["total"]) for e in data.by_stage],
            "urls": [e["url"] for e in data.by_stage],
        },
        "forecast": {
            "labels": [b["label"] for b in data.forecast],
            "total": [float(b["total"]) for b in data.forecast],
            "weighted": [float(b["weighted"]) for b in data.forecast],
            "urls": [b["url"] for b in data.forecast],
        },
        "currency": data.currency,
    }
    return [
        {
            "template": "reports/sales_widget.html",
            "data": data,
            "chart_data": chart,
            "won_this_month_url": _deals_url(
                status="won", closed_from=bounds["this"].isoformat(), closed_to=bounds["next"].isoformat()
            ),
            "won_last_month_url": _deals_url(
                status="won", closed_from=bounds["last"].isoformat(), closed_to=bounds["this"].isoformat()
            ),
            "closed_url": _deals_url(closed_from=None),
            "my_work_url": reverse("activities:my_work"),
        }
    ]


def _next_month(day: Any) -> Any:
    from .selectors import add_months

    return add_months(day, 1)
