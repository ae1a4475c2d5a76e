"""Marketing tool → Guanxi: new leads (form fills, event sign-ups) flow in, keyed by the tool's own ids.

    GUANXI_URL=… GUANXI_TOKEN=gx_… python3 marketing_sync.py [leads.json]

The token needs the scope sales:write. Campaign membership flows the other way (Guanxi → the tool): tag a
lead or contact `campaign:<name>` in Guanxi and the webhook receiver (webhook_receiver.py) adds it to that
campaign in the tool; removing the tag removes it.
"""

from __future__ import annotations

import json
import sys

from guanxi_api import GuanxiAPI

SYSTEM = "mkt"

SAMPLE = [
    {
        "id": "form-7731",
        "name": "刘洋",
        "company": "杭州云帆网络科技有限公司",
        "email": "liu.yang@yunfan.example",
        "phone": "13800138000",
        "campaign": "spring-expo-2026",
    },
    {
        "id": "form-7732",
        "name": "Emma Schneider",
        "company": "Schneider Logistik GmbH",
        "email": "e.schneider@logistik.example",
        "campaign": "webinar-tco",
    },
]


def sync(api, submissions):
    items = [
        {
            "external_id": s["id"],
            "data": {
                "full_name": s["name"],
                "company_name": s.get("company", ""),
                "email": s.get("email", ""),
                "phone": s.get("phone", ""),
                "tags": [f"campaign:{s['campaign']}"] if s.get("campaign") else [],
            },
        }
        for s in submissions
    ]
    results = api.bulk("leads", items, system=SYSTEM)
    for submission, result in zip(submissions, results, strict=True):
        if result["status"] == "error":
            print(f"{submission['id']}: {result['errors']}", file=sys.stderr)
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
