"""ERP → Guanxi: customers (companies and their contacts) and orders flow in, keyed by the ERP's own ids.

Run it as often as you like (cron, or after each ERP export): records are upserted by external id, so a
second run with the same data changes nothing, and a changed field is updated in place.

    GUANXI_URL=https://crm.example.com GUANXI_TOKEN=gx_… python3 erp_sync.py [export.json]

The token needs the scopes customers:write and sales:write. The export is JSON like SAMPLE below (write a
small adapter from your ERP's CSV or database view to this shape).
"""

from __future__ import annotations

import json
import sys

from guanxi_api import GuanxiAPI

SYSTEM = "erp"

SAMPLE = {
    "customers": [
        {
            "code": "C-1001",
            "name": "宁波远航贸易有限公司",
            "city": "宁波",
            "phone": "0574-87654321",
            "contacts": [
                {"code": "P-1", "name": "陈静", "email": "chen.jing@yuanhang.example", "title": "采购经理"}
            ],
        },
        {
            "code": "C-1002",
            "name": "Suzhou Precision Parts Co., Ltd.",
            "city": "苏州",
            "contacts": [{"code": "P-2", "name": "David Wu", "email": "david.wu@szparts.example"}],
        },
    ],
    "orders": [
        {
            "number": "SO-2026-0001",
            "customer": "C-1001",
            "title": "年度框架合同 2026",
            "total": "128000.00",
            "currency": "CNY",
        },
        {
            "number": "SO-2026-0002",
            "customer": "C-1002",
            "title": "CNC spare parts Q1",
            "total": "23500.50",
            "currency": "CNY",
        },
    ],
}


def won_stage(api):
    """The default pipeline and its first "won" stage: ERP orders are business already won."""
    pipelines = list(api.all("/api/v1/pipelines/"))
    pipeline = next((p for p in pipelines if p.get("is_default")), pipelines[0])
    stage = next(s for s in pipeline["stages"] if s["kind"] == "won")
    return pipeline["id"], stage["id"]


def sync(api, export):
    summary = {}
    # 1. Customers → companies, upserted by customer code.
    results = api.bulk(
        "companies",
        [
            {
                "external_id": c["code"],
                "data": {"name": c["name"], "city": c.get("city", ""), "phone": c.get("phone", "")},
            }
            for c in export["customers"]
        ],
        system=SYSTEM,
    )
    company_ids = {}
    for customer, result in zip(export["customers"], results, strict=True):
        if result["status"] == "error":
            print(f"customer {customer['code']}: {result['errors']}", file=sys.stderr)
            continue
        company_ids[customer["code"]] = result["id"]
    summary["companies"] = _count(results)

    # 2. Their contacts, linked to the company Guanxi gave each customer.
    contacts = [
        {
            "external_id": p["code"],
            "data": {
                "full_name": p["name"],
                "email": p.get("email", ""),
                "title": p.get("title", ""),
                "company": company_ids[c["code"]],
            },
        }
        for c in export["customers"]
        if c["code"] in company_ids
        for p in c.get("contacts", [])
    ]
    summary["contacts"] = _count(api.bulk("contacts", contacts, system=SYSTEM))

    # 3. Orders → deals in the won stage, upserted by order number (one request each, to show PUT).
    pipeline, stage = won_stage(api)
    outcomes = []
    for order in export["orders"]:
        if order["customer"] not in company_ids:
            continue
        path = f"/api/v1/deals/by-external-id/{SYSTEM}/{api.quote(order['number'])}/"
        before = _version(api, path)
        deal = api.put(
            path,
            {
                "name": order["title"],
                "company": company_ids[order["customer"]],
                "amount": order["total"],
                "currency": order["currency"],
                "pipeline": pipeline,
                "stage": stage,
            },
        )
        outcomes.append(
            "created" if before is None else "unchanged" if deal["version"] == before else "updated"
        )
    summary["deals"] = {
        k: outcomes.count(k) for k in ("created", "updated", "unchanged") if outcomes.count(k)
    }
    return summary


def _version(api, path):
    try:
        return api.get(path)["version"]
    except Exception as error:
        if getattr(error, "status", None) == 404:
            return None
        raise


def _count(results):
    counts = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    return counts


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as handle:
            data = json.load(handle)
    else:
        data = SAMPLE
    print(json.dumps(sync(GuanxiAPI(), data), ensure_ascii=False, sort_keys=True))
