"""The committed OpenAPI schema (docs/openapi.yaml) is the contract: it must be exactly what the code
generates, so any API change shows up in review as a change of that file."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
HOW = "Regenerate and commit it: `make openapi` (that is, `guanxi spectacular --file docs/openapi.yaml`)."


def comparable(text: str) -> list[str]:
    """The schema's lines; on another database than SQLite (where `make openapi` runs), the integer ranges
    Django derives from the database are blurred: PostgreSQL's integers are 32-bit, SQLite's 64-bit."""
    if connection.vendor == "sqlite":
        return text.splitlines()
    text = re.sub(
        r"(maximum|minimum): -?(2147483647|2147483648|9223372036854775807|9223372036854775808|32767|32768)\b",
        r"\1: <db>",
        text,
    )
    return [line for line in text.splitlines() if line.strip() != "format: int64"]


def test_the_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    assert COMMITTED.exists(), f"docs/openapi.yaml is missing. {HOW}"
    want, have = comparable(COMMITTED.read_text()), comparable(generated.read_text())
    if want != have:
        diff = "\n".join(
            list(difflib.unified_diff(want, have, "docs/openapi.yaml", "generated", lineterm=""))[:80]
        )
        pytest.fail(f"The API changed but docs/openapi.yaml did not. {HOW}\n\n{diff}")


def test_every_operation_documents_its_errors_and_the_rate_limit():
    schema = yaml.safe_load(COMMITTED.read_text())
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert "429" in codes, f"{method} {path}"
            if "{" in path:
                assert "404" in codes, f"{method} {path}"
            if path.startswith("/api/v1/") and method in ("post", "put", "patch"):
                assert "400" in codes, f"{method} {path}"
