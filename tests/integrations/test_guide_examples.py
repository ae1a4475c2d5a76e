"""The integration guide's examples (docs/examples/*.py) run as they are, against a live server: ERP
customers and orders in, won deals out; marketing leads in, campaign membership out."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from guanxi.core.models import ExternalRef
from guanxi.core.testing import make_team, make_user
from guanxi.customers.models import Company, Contact

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def guanxi(live_server: Any, settings: Any) -> dict[str, str]:
    from guanxi.users.models import Role
    from guanxi.users.services import token_create

    settings.GUANXI_WEBHOOK_ALLOW = "127.0.0.1"
    admin = make_user("integrator", role=Role.objects.get(code="administrator"), team=make_team("Ops"))
    _token, key = token_create(
        actor=admin, user=admin, name="ERP", scopes=["customers:write", "sales:write", "admin:write"]
    )
    return {"GUANXI_URL": live_server.url, "GUANXI_TOKEN": key}


def run(script: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        env={**os.environ, **env},
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def receiver(guanxi: dict[str, str], tmp_path: Path) -> Iterator[dict[str, Any]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/guanxi"
    events = ["deal.won", "lead.created", "lead.updated", "contact.created", "contact.updated"]
    secret = run("subscribe_webhook.py", guanxi, url, *events)
    assert secret.startswith("whsec_")
    outbox = tmp_path / "outbox.jsonl"
    env = {**os.environ, **guanxi, "GUANXI_WEBHOOK_SECRET": secret, "PORT": str(port), "OUTBOX": str(outbox)}
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "webhook_receiver.py")],
        env=env,
        cwd=EXAMPLES,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and "listening" in process.stdout.readline()
    try:
        yield {"outbox": outbox}
    finally:
        process.terminate()
        process.wait(10)


def read(outbox: Path, count: int, timeout: float = 15) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = outbox.read_text().splitlines() if outbox.exists() else []
        if len(lines) >= count:
            return [json.loads(line) for line in lines]
        time.sleep(0.1)
    raise AssertionError(
        f"expected {count} lines in the outbox, got: {outbox.read_text() if outbox.exists() else ''}"
    )


def test_erp_customers_and_orders_flow_in_and_won_deals_flow_out(guanxi, receiver):
    from guanxi.sales.models import Deal

    first = json.loads(run("erp_sync.py", guanxi))
    assert first == {"companies": {"created": 2}, "contacts": {"created": 2}, "deals": {"created": 2}}
    again = json.loads(run("erp_sync.py", guanxi))
    assert again == {"companies": {"unchanged": 2}, "contacts": {"unchanged": 2}, "deals": {"unchanged": 2}}
    assert Company.objects.count() == 2 and Contact.objects.count() == 2 and Deal.objects.count() == 2
    chen = Contact.objects.get(email="chen.jing@yuanhang.example")
    assert chen.company.name == "宁波远航贸易有限公司"
    assert ExternalRef.objects.filter(system="erp", object_type="deal").count() == 2

    # A deal won in Guanxi becomes an ERP sales order, and the order number comes back to the deal.
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {guanxi['GUANXI_TOKEN']}")
    company = Company.objects.get(name="宁波远航贸易有限公司")
    deal = client.post(
        "/api/v1/deals/", {"name": "扩产项目", "company": company.pk, "amount": "56000.00"}, format="json"
    )
    assert deal.status_code == 201, deal.json()
    pipeline = client.get(f"/api/v1/pipelines/{deal.json()['pipeline']}/").json()
    won = next(s["id"] for s in pipeline["stages"] if s["kind"] == "won")
    assert (
        client.patch(f"/api/v1/deals/{deal.json()['id']}/", {"stage": won}, format="json").status_code == 200
    )
    [order] = read(receiver["outbox"], 1)
    assert (
        order["to"] == "erp"
        and order["action"] == "create_sales_order"
        and order["deal"] == deal.json()["id"]
    )
    assert order["amount"] == "56000.00"
    deadline = time.monotonic() + 15
    while not ExternalRef.objects.filter(system="erp-order", object_id=deal.json()["id"]).exists():
        assert time.monotonic() < deadline, "the ERP order number was not written back"
        time.sleep(0.1)


def test_marketing_leads_flow_in_and_campaign_membership_flows_out(guanxi, receiver):
    from guanxi.sales.models import Lead

    assert json.loads(run("marketing_sync.py", guanxi)) == {"created": 2}
    assert json.loads(run("marketing_sync.py", guanxi)) == {"unchanged": 2}
    assert Lead.objects.count() == 2
    joined = read(receiver["outbox"], 2)
    assert {(m["action"], m["campaign"]) for m in joined} == {
        ("add_member", "spring-expo-2026"),
        ("add_member", "webinar-tco"),
    }
    # Moving a lead from one campaign to another in Guanxi moves it in the tool.
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {guanxi['GUANXI_TOKEN']}")
    lead = client.get("/api/v1/leads/by-external-id/mkt/form-7731/").json()
    answer = client.patch(
        f"/api/v1/leads/{lead['id']}/", {"tags": ["campaign:summer-fair", "vip"]}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    moves = read(receiver["outbox"], 4)[2:]
    assert [(m["action"], m["campaign"], m["email"]) for m in moves] == [
        ("add_member", "summer-fair", "liu.yang@yunfan.example"),
        ("remove_member", "spring-expo-2026", "liu.yang@yunfan.example"),
    ]
