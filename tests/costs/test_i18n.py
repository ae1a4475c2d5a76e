"""The costs app speaks English and Simplified Chinese: categories named as in DESIGN.md (the engine's
CATEGORIES) and every string of the app's catalogue translated."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from guanxi.costs import engine
from guanxi.costs.choices import Category

CATALOGUE = Path(engine.__file__).parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_categories_are_the_engines_in_both_languages():
    assert [c.value for c in Category] == list(engine.CATEGORIES)
    for category in Category:
        english, chinese = engine.CATEGORIES[category.value]
        with translation.override("en"):
            assert str(category.label) == english
        with translation.override("zh-hans"):
            assert str(category.label) == chinese


def _entries(text: str) -> list[tuple[str, list[str]]]:
    entries = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        joined = "\n".join(lines)
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', joined, re.M)
        if msgid is None:
            continue
        key = "".join(ast.literal_eval(part) for part in re.findall(r'".*"', msgid.group(1)))
        strings = [
            "".join(ast.literal_eval(part) for part in re.findall(r'".*"', found))
            for found in re.findall(r'^msgstr(?:\[\d+\])? ((?:".*"\n?)+)', joined, re.M)
        ]
        entries.append((key, strings))
    return entries


def test_every_string_of_the_costs_catalogue_is_translated():
    entries = [(key, strings) for key, strings in _entries(CATALOGUE.read_text("utf-8")) if key]
    assert len(entries) > 300
    untranslated = [key for key, strings in entries if not all(strings)]
    assert untranslated == []
    assert "#, fuzzy" not in CATALOGUE.read_text("utf-8")


@pytest.mark.django_db
def test_the_pages_are_in_chinese_for_a_chinese_user(role_user):
    finance = role_user("finance", language="zh-hans")
    client = Client()
    client.force_login(finance)
    page = client.get("/costs/budgets/report/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "预算与实际" in page and "软件购买或订阅费用" in page and "内部资源和时间成本" in page
    page = client.get("/costs/scenarios/templates/").content.decode()
    assert "从模板新建方案" in page and "总拥有成本" in page
