"""Guanxi → ERP and marketing tool: a webhook receiver that checks every delivery's signature and hands
the events on.

- `deal.won` → a sales order in the ERP (here: a line in the outbox file standing in for the ERP's API),
  then the ERP's order number is written back to the deal as its `erp-order` external id, so later
  updates find it and nothing is booked twice.
- `lead.*` / `contact.*` whose tags gained or lost `campaign:<name>` → that person joins or leaves the
  campaign in the marketing tool (again a line in the outbox).

    GUANXI_WEBHOOK_SECRET=whsec_… [PORT=8000] [OUTBOX=outbox.jsonl] \
    [GUANXI_URL=… GUANXI_TOKEN=gx_…  (for the write-back; scope sales:write)] python3 webhook_receiver.py

Subscribe it with subscribe_webhook.py (events deal.won lead.created lead.updated contact.created
contact.updated). See docs/webhooks-verify.md for what the signature covers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ["GUANXI_WEBHOOK_SECRET"].encode("utf-8")
OUTBOX = os.environ.get("OUTBOX", "outbox.jsonl")
TOLERANCE_SECONDS = 300
MAX_BODY = 1024 * 1024
CAMPAIGN = "campaign:"

seen = set()  # delivery ids already handled (keep them in a table with expiry in production)
work = queue.Queue()


def signature_ok(timestamp, body, header):
    if (
        not (timestamp.isascii() and timestamp.isdigit())
        or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS
    ):
        return False
    expected = (
        "sha256=" + hmac.new(SECRET, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    ).encode()
    return any(hmac.compare_digest(expected, value.strip().encode()) for value in header.split(","))


def to_outbox(record):
    with open(OUTBOX, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def on_deal_won(event):
    deal = event["object"]
    if "erp" in event.get("external_ids", {}) or "erp-order" in event.get("external_ids", {}):
        return  # it came from the ERP, or was booked already
    order_number = f"SO-W-{deal['id']}"  # what the ERP's API would answer
    to_outbox(
        {
            "to": "erp",
            "action": "create_sales_order",
            "order": order_number,
            "deal": deal["id"],
            "name": deal.get("name"),
            "amount": deal.get("amount"),
            "currency": deal.get("currency"),
            "company": deal.get("company"),
        }
    )
    if os.environ.get("GUANXI_URL") and os.environ.get("GUANXI_TOKEN"):
        from guanxi_api import GuanxiAPI

        GuanxiAPI().post(
            "/api/v1/deals/bulk/",
            {"items": [{"id": deal["id"], "system": "erp-order", "external_id": order_number, "data": {}}]},
        )


def on_person(event):
    person = event["object"]
    if "changes" in event:
        old = set(event["changes"].get("tags", {}).get("old") or [])
        new = set(event["changes"].get("tags", {}).get("new") or old)
    else:
        old, new = set(), set(person.get("tags") or [])
    for tag in sorted(new - old):
        if tag.startswith(CAMPAIGN):
            to_outbox(
                {
                    "to": "marketing",
                    "action": "add_member",
                    "campaign": tag[len(CAMPAIGN) :],
                    "email": person.get("email"),
                    "type": event["object_type"],
                    "id": person["id"],
                }
            )
    for tag in sorted(old - new):
        if tag.startswith(CAMPAIGN):
            to_outbox(
                {
                    "to": "marketing",
                    "action": "remove_member",
                    "campaign": tag[len(CAMPAIGN) :],
                    "email": person.get("email"),
                    "type": event["object_type"],
                    "id": person["id"],
                }
            )


def worker():
    while True:
        event = work.get()
        try:
            if event["event"] == "deal.won":
                on_deal_won(event)
            elif event["object_type"] in ("lead", "contact") and event["event"].endswith(
                (".created", ".updated")
            ):
                on_person(event)
        except Exception as error:  # noqa: BLE001 - log and go on; Guanxi will not resend a 2xx delivery
            print("could not hand on", event.get("event"), error, flush=True)
        finally:
            work.task_done()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if not 0 <= length <= MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length)  # the raw bytes: the signature covers exactly these
        if not signature_ok(
            self.headers.get("X-Guanxi-Timestamp", ""), body, self.headers.get("X-Guanxi-Signature", "")
        ):
            self.send_error(401, "bad signature")
            return
        delivery = self.headers.get("X-Guanxi-Delivery", "")
        if delivery not in seen:  # a retry of something already handled: acknowledge, do nothing
            seen.add(delivery)
            work.put(json.loads(body))
        self.send_response(204)  # answer at once; the work happens in the background
        self.end_headers()

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    threading.Thread(target=worker, daemon=True).start()
    server = ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8000"))), Receiver)  # noqa: S104
    print(f"listening on port {server.server_address[1]}", flush=True)
    server.serve_forever()
