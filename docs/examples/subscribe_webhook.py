"""Subscribe a receiver URL to Guanxi events, and print the signing secret (shown only now).

    GUANXI_URL=… GUANXI_TOKEN=gx_… python3 subscribe_webhook.py https://erp.example.com/guanxi deal.won …

The token needs the scope admin:write (an administrator's token). `GET /api/v1/webhooks/events/` lists
every event; Settings → Webhooks does the same in the browser.
"""

from __future__ import annotations

import sys

from guanxi_api import GuanxiAPI


def subscribe(api, url, events, name="Integration"):
    known = {e["name"] for e in api.get("/api/v1/webhooks/events/")}
    unknown = [e for e in events if e not in known]
    if unknown:
        raise SystemExit(f"unknown events: {', '.join(unknown)}")
    return api.post("/api/v1/webhooks/", {"name": name, "url": url, "events": events})


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    webhook = subscribe(GuanxiAPI(), sys.argv[1], sys.argv[2:])
    print(webhook["secret"])
