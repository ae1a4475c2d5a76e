"""The integrations app's Simplified Chinese catalogue is complete, keeps its placeholders, and is used."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "src/guanxi/integrations/locale/zh_Hans/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}")


def entries() -> list[dict[str, str]]:
    result: list[dict[str, str]] = []
    for block in PO.read_text(encoding="utf-8").strip().split("\n\n")[1:]:
        entry: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = "1"
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        result.append(entry)
    return result


def test_every_message_is_translated_with_its_placeholders():
    found = entries()
    assert len(found) > 100
    for entry in found:
        source = entry.get("msgid_plural", entry["msgid"])
        text = entry.get("msgstr[0]", entry.get("msgstr", ""))
        assert "fuzzy" not in entry, entry["msgid"]
        assert text.strip(), f"{entry['msgid']!r} is not translated"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), entry["msgid"]


@pytest.mark.django_db
def test_the_webhooks_page_is_in_chinese(boss):
    mo = PO.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < PO.stat().st_mtime:
        pytest.skip("compile the catalogues first: make compilemessages")
    client = Client()
    client.force_login(boss)
    client.cookies["guanxi_language"] = "zh-hans"
    page = client.get("/settings/webhooks/").content.decode()
    assert "新建 Webhook" in page and "还没有 Webhook。" in page
    with translation.override("zh-hans"):
        from guanxi.integrations.catalogue import available_events

        labels = {e.name: e.label for e in available_events()}
    assert labels["company.created"].endswith("已创建")
