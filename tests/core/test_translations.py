"""The Simplified Chinese catalogues of core, users, customers, web, sales, activities and reports:
complete, faithful to their placeholders, and actually used at run time (a library's catalogue can
shadow ours for the same text)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from guanxi.core.testing import make_user

APPS = ("core", "users", "customers", "web", "sales", "activities", "reports")
SRC = Path(__file__).resolve().parents[2] / "src" / "guanxi"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}")


@dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False


def read_po(path: Path) -> list[Entry]:
    entries, current, target = [], Entry(), ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.msgid:
                entries.append(current)
            current, target = Entry(), ""
        elif line.startswith("#,") and "fuzzy" in line:
            current.fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if target == "msgstr":
                current.msgstr[-1] += text
            elif target:
                setattr(current, target, (getattr(current, target) or "") + text)
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            target = {"msgctxt": "context", "msgid": "msgid", "msgid_plural": "plural"}.get(keyword, "msgstr")
            if target == "msgstr":
                current.msgstr.append(text)
            else:
                setattr(current, target, text)
    return entries


def catalogue(app: str) -> Path:
    return SRC / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("app", APPS)
def test_every_message_is_translated_with_its_placeholders(app: str) -> None:
    path = catalogue(app)
    text = path.read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    entries = read_po(path)
    assert entries, f"{path} has no messages"
    for entry in entries:
        where = f"{app}: {entry.context or ''}|{entry.msgid!r}"
        assert not entry.fuzzy, f"{where} is fuzzy"
        assert len(entry.msgstr) == 1, f"{where}: Chinese has exactly one plural form"
        assert entry.msgstr[0].strip(), f"{where} is not translated"
        assert sorted(PLACEHOLDER.findall(entry.msgstr[0])) == sorted(PLACEHOLDER.findall(entry.msgid)), where


@pytest.mark.parametrize("app", APPS)
def test_our_translation_is_the_one_used(app: str) -> None:
    """Catch a library catalogue that shadows ours (e.g. DRF's “Created” → 已创建): give such a message a
    context. Needs the compiled catalogues (`make compilemessages`)."""
    compiled = catalogue(app).with_suffix(".mo")
    assert compiled.exists(), f"{compiled} is missing: run `make compilemessages`"
    wrong = []
    with translation.override("zh-hans"):
        for entry in read_po(catalogue(app)):
            if entry.plural is not None:
                got = (
                    translation.npgettext(entry.context, entry.msgid, entry.plural, 1)
                    if entry.context
                    else translation.ngettext(entry.msgid, entry.plural, 1)
                )
            elif entry.context:
                got = translation.pgettext(entry.context, entry.msgid)
            else:
                got = translation.gettext(entry.msgid)
            if got != entry.msgstr[0]:
                wrong.append((entry.context, entry.msgid, entry.msgstr[0], got))
    assert not wrong, wrong


@pytest.mark.django_db
def test_a_custom_field_refused_by_the_service_shows_the_reason_in_chinese() -> None:
    admin = make_user(is_superuser=True, language="zh-hans")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/settings/custom-fields/new/",
        {"object_type": "contact", "name": "level", "label": "Level", "type": "choice", "order": "100"},
    )
    assert response.status_code == 400
    assert "请至少提供一个选项。" in response.content.decode()
