"""``guanxi tco``: every output format, and exit status 2 with nothing on stdout for bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from guanxi.costs.engine import CATEGORIES
from guanxi.costs.engine.cli import main

from ._support import EXAMPLE_YAML

MONEY = re.compile(r"^-?\d+\.\d{2}$")
KEYS = [
    "scenario",
    "currency",
    "periods",
    "costs_by_category",
    "total_costs",
    "total_benefits",
    "net",
    "cumulative",
    "pv_costs",
    "pv_benefits",
    "npv",
    "roi",
    "payback_months",
    "tco",
    "sensitivity",
]

SECOND = """\
name: Spreadsheet and e-mail (do nothing)
currency: CNY
years: 3
discount_rate: 0.10
costs:
  - {category: internal, name: Manual reporting, hours: 3000, rate: 120}
"""


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "example.yaml"
    path.write_text(EXAMPLE_YAML, "utf-8")
    return path


@pytest.fixture
def second(tmp_path: Path) -> Path:
    path = tmp_path / "second.yaml"
    path.write_text(SECOND, "utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- json -----------------------------------------------------------------------------------


def test_json_shape_for_one_scenario(capsys: pytest.CaptureFixture[str], example: Path) -> None:
    code, out, err = run(capsys, example, "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == KEYS
    assert data["scenario"] == "Zoho CRM Professional for the sales team"
    assert data["currency"] == "CNY"
    assert data["periods"] == ["initial", 1, 2, 3]
    assert list(data["costs_by_category"]) == list(CATEGORIES)
    for key in ("total_costs", "total_benefits", "net", "cumulative", *(f"c:{k}" for k in CATEGORIES)):
        values = data["costs_by_category"][key[2:]] if key.startswith("c:") else data[key]
        assert len(values) == 4 and all(MONEY.match(v) for v in values), key
    for key in ("pv_costs", "pv_benefits", "npv", "roi", "payback_months", "tco"):
        assert MONEY.match(data[key]), key
    assert data["costs_by_category"]["subscription"] == ["0.00", "96000.00", "120960.00", "148176.00"]
    assert data["total_costs"] == ["120000.00", "182000.00", "173960.00", "206176.00"]
    assert data["cumulative"] == ["-120000.00", "-62000.00", "164040.00", "437864.00"]
    assert (data["npv"], data["roi"], data["tco"], data["payback_months"]) == (
        "325265.21",
        "0.56",
        "682136.00",
        "15.29",
    )
    assert data["sensitivity"][0] == {
        "line": "Sales uplift",
        "kind": "benefit",
        "category": None,
        "low": "-181878.29",
        "high": "181878.29",
        "swing": "363756.57",
    }
    assert [e["line"] for e in data["sensitivity"]][2] == "Partner set-up"
    assert data["sensitivity"][2] == {
        "line": "Partner set-up",
        "kind": "cost",
        "category": "implementation",
        "low": "24000.00",
        "high": "-24000.00",
        "swing": "48000.00",
    }


def test_json_for_several_scenarios_is_a_list(
    capsys: pytest.CaptureFixture[str], example: Path, second: Path
) -> None:
    code, out, _ = run(capsys, example, second, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 2
    assert [d["scenario"] for d in data] == ["Zoho CRM Professional for the sales team", second_name()]
    assert all(list(d) == KEYS for d in data)
    # 3000 h x 120 = 360,000 a year for 3 years; no benefits: ROI -1, no payback (0 at month 0
    # since nothing is spent up front: the documented edge case)
    assert data[1]["tco"] == "1080000.00"
    assert data[1]["roi"] == "-1.00"
    assert data[1]["payback_months"] == "0.00"


def second_name() -> str:
    return "Spreadsheet and e-mail (do nothing)"


def test_json_null_payback_and_roi(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "never.yaml"
    path.write_text(
        "name: Never\ncurrency: CNY\nyears: 2\ndiscount_rate: 0\n"
        "costs: [{category: implementation, name: Set-up, initial: 0}]\n",
        "utf-8",
    )
    code, out, _ = run(capsys, path, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["roi"] is None  # PV of costs is 0
    path.write_text(
        "name: Never\ncurrency: CNY\nyears: 2\ndiscount_rate: 0\n"
        "costs: [{category: implementation, name: Set-up, initial: 1000}]\n"
        "benefits: [{name: Small, yearly: 100}]\n",
        "utf-8",
    )
    code, out, _ = run(capsys, path, "--format", "json")
    assert json.loads(out)["payback_months"] is None


def test_sensitivity_option(capsys: pytest.CaptureFixture[str], example: Path) -> None:
    code, out, _ = run(capsys, example, "--format", "json", "--sensitivity", "0.1")
    assert code == 0
    assert json.loads(out)["sensitivity"][2]["swing"] == "24000.00"  # 2 x 0.1 x 120,000


def test_output_file(capsys: pytest.CaptureFixture[str], example: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, out, err = run(capsys, example, "--format", "json", "-o", target)
    assert (code, out, err) == (0, "", "")
    assert json.loads(target.read_text("utf-8"))["npv"] == "325265.21"


# --- table ----------------------------------------------------------------------------------


def test_table_contains_the_figures(capsys: pytest.CaptureFixture[str], example: Path) -> None:
    code, out, err = run(capsys, example)
    assert (code, err) == (0, "")
    assert "Zoho CRM Professional for the sales team" in out
    header = next(line for line in out.splitlines() if line.startswith("Costs (CNY)"))
    assert header.split()[2:] == ["Initial", "Year", "1", "Year", "2", "Year", "3", "Total"]
    rows = {line.split("  ")[0]: line for line in out.splitlines()}
    assert rows["Software purchase or subscription"].split()[-4:] == [
        "96,000.00",
        "120,960.00",
        "148,176.00",
        "365,136.00",
    ]
    assert rows["Total costs"].split()[-5:] == [
        "120,000.00",
        "182,000.00",
        "173,960.00",
        "206,176.00",
        "682,136.00",
    ]
    assert rows["Cumulative net"].split()[-4:] == ["-120,000.00", "-62,000.00", "164,040.00", "437,864.00"]
    for label in (english for english, _zh in CATEGORIES.values()):
        assert label in out
    for figure in ("682,136.00", "584,126.22", "909,391.44", "325,265.21", "55.68%", "15.29 months"):
        assert figure in out
    assert "Sensitivity" in out and "363,756.57" in out


def test_table_compares_several_scenarios(
    capsys: pytest.CaptureFixture[str], example: Path, second: Path
) -> None:
    code, out, _ = run(capsys, example, second)
    assert code == 0
    assert out.startswith("Comparison")
    npv_row = next(line for line in out.splitlines() if line.startswith("NPV "))
    assert npv_row.split()[1:] == ["325,265.21", "-895,266.72"]
    # 360,000 x (1/1.1 + 1/1.21 + 1/1.331) = 360,000 x 3.31 / 1.331 = 895,266.716…
    assert out.count("Costs (CNY)") == 2
    assert second_name() in out


# --- xlsx -----------------------------------------------------------------------------------


def test_xlsx_needs_an_output_path(capsys: pytest.CaptureFixture[str], example: Path) -> None:
    code, out, err = run(capsys, example, "--format", "xlsx")
    assert (code, out) == (2, "")
    assert "needs -o" in err


def test_xlsx_workbook(
    capsys: pytest.CaptureFixture[str], example: Path, second: Path, tmp_path: Path
) -> None:
    target = tmp_path / "tco.xlsx"
    code, out, err = run(capsys, example, second, "--format", "xlsx", "-o", target)
    assert (code, out, err) == (0, "", "")
    book = CalamineWorkbook.from_path(str(target))
    # sheet names are cut to Excel's 31 characters
    assert book.sheet_names == [
        "Comparison",
        "Zoho CRM Professional for the s",
        "Spreadsheet and e-mail (do noth",
    ]
    comparison = book.get_sheet_by_name("Comparison").to_python()
    labels = {row[0]: row[1:] for row in comparison if row and row[0]}
    assert labels["NPV"][:2] == [325265.21, -895266.72]
    assert labels["TCO (undiscounted costs)"][0] == 682136.0
    assert labels["ROI (NPV / PV of costs)"][0] == pytest.approx(0.56)
    assert labels["Payback (months)"][0] == 15.29
    sheet = book.get_sheet_by_name("Zoho CRM Professional for the s").to_python()
    rows = {row[0]: row[1:] for row in sheet if row and row[0]}
    assert rows["Software purchase or subscription"][:5] == [0.0, 96000.0, 120960.0, 148176.0, 365136.0]
    assert rows["Total costs"][:5] == [120000.0, 182000.0, 173960.0, 206176.0, 682136.0]
    assert rows["NPV"][0] == 325265.21


def test_xlsx_sheet_names_are_sanitised_and_unique(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(SECOND.replace(second_name(), '"Q1/Q2: [draft]?"'), "utf-8")
    target = tmp_path / "odd.xlsx"
    code, _, err = run(capsys, path, path, "--format", "xlsx", "-o", target)
    assert (code, err) == (0, "")
    names = CalamineWorkbook.from_path(str(target)).sheet_names
    assert names == ["Comparison", "Q1 Q2   draft", "Q1 Q2   draft (2)"]


# --- html -----------------------------------------------------------------------------------


def test_html_is_self_contained_and_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(
        EXAMPLE_YAML.replace(
            "name: Zoho CRM Professional for the sales team", "name: \"<script>alert('x')</script> & Co\""
        ).replace("name: Partner set-up", 'name: "<img src=x onerror=alert(1)>"'),
        "utf-8",
    )
    code, out, err = run(capsys, path, "--format", "html")
    assert (code, err) == (0, "")
    assert out.startswith("<!DOCTYPE html>")
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "http://" not in out and "https://" not in out and "<link" not in out
    assert "325,265.21" in out and "55.68%" in out
    assert "软件购买或订阅费用" in out  # category names in both languages


def test_html_to_a_file_and_several_scenarios(
    capsys: pytest.CaptureFixture[str], example: Path, second: Path, tmp_path: Path
) -> None:
    target = tmp_path / "report.html"
    code, out, err = run(capsys, example, second, "--format", "html", "-o", target)
    assert (code, out, err) == (0, "", "")
    text = target.read_text("utf-8")
    assert "TCO comparison" in text
    assert text.count("<h2>") == 2


# --- bad input: exit 2, messages on stderr, nothing on stdout -------------------------------


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, example: Path) -> None:
    missing = tmp_path / "missing.yaml"
    code, out, err = run(capsys, example, missing)
    assert (code, out) == (2, "")
    assert err == f"{missing}: no such file\n"


def test_unreadable_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed\n", "utf-8")
    code, out, err = run(capsys, path, "--format", "json")
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}: invalid YAML at line 2, column 1")


def test_not_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("name: 销售\n".encode("gbk"))
    code, out, err = run(capsys, path)
    assert (code, out, err) == (2, "", f"{path}: not UTF-8 text\n")


def test_invalid_scenario_lists_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, example: Path
) -> None:
    path = tmp_path / "invalid.yaml"
    path.write_text(
        EXAMPLE_YAML.replace("hours: [400, 200, 200]", "hours: [400, 200]").replace("0.10\n", "2\n"), "utf-8"
    )
    code, out, err = run(capsys, example, path, "--format", "html")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{path}: discount_rate: must be at least 0 and below 1 (0.10 means 10%), got 2",
        f"{path}: costs[2].hours: expected 3 values (one per year), got 2",
    ]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--format", "pdf"], "invalid choice: 'pdf'"),
        (["--sensitivity", "2"], "expected a number from 0 to 1"),
        ([], "required: SCENARIO.yaml"),
    ],
)
def test_bad_usage(capsys: pytest.CaptureFixture[str], example: Path, argv: list[str], needle: str) -> None:
    args: list[Any] = argv if not argv else [example, *argv]
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert needle in err
    assert err.startswith("usage: guanxi tco")


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "usage: guanxi tco" in out


def test_custom_catalogue(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    catalog = tmp_path / "prices.yaml"
    catalog.write_text(
        "vendors:\n  acme:\n    name: Acme\n    plans:\n      pro:\n        edition: Pro\n"
        "        currency: CNY\n        billing: monthly\n        price_per_user_month: 100\n"
        "        note: Our negotiated price.\n",
        "utf-8",
    )
    scenario = tmp_path / "acme.yaml"
    scenario.write_text(
        "name: Acme\ncurrency: CNY\nyears: 1\ndiscount_rate: 0\nseats: 10\n"
        "costs: [{category: subscription, plan: acme/pro}]\n",
        "utf-8",
    )
    code, out, _ = run(capsys, scenario, "--format", "json", "--catalog", catalog)
    assert code == 0
    assert json.loads(out)["tco"] == "12000.00"  # 12 x 100 x 10
    # without the custom catalogue the plan is unknown
    code, out, err = run(capsys, scenario)
    assert (code, out) == (2, "")
    assert "unknown plan 'acme/pro'" in err
    # a broken catalogue is refused too
    catalog.write_text("vendors: {acme: {name: Acme, plans: {pro: {edition: Pro}}}}\n", "utf-8")
    code, out, err = run(capsys, scenario, "--catalog", catalog)
    assert (code, out) == (2, "")
    assert f"{catalog}: vendors.acme.plans.pro.currency: required field is missing" in err


def test_unwritable_output(capsys: pytest.CaptureFixture[str], example: Path, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "out.json"
    code, out, err = run(capsys, example, "--format", "json", "-o", target)
    assert (code, out) == (1, "")
    assert "cannot write" in err
    code, out, err = run(capsys, example, "--format", "xlsx", "-o", target.with_suffix(".xlsx"))
    assert (code, out) == (1, "")
    assert "cannot" in err


def test_module_entry_point_runs_without_django(example: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("years: 3\n", "utf-8")
    env_free = {"PYTHONPATH": str(Path(__file__).resolve().parents[3] / "src")}
    ok = subprocess.run(
        [sys.executable, "-m", "guanxi.costs.engine", str(example), "--format", "json"],
        capture_output=True,
        text=True,
        env=env_free,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["npv"] == "325265.21"
    failed = subprocess.run(
        [sys.executable, "-m", "guanxi.costs.engine", str(bad)],
        capture_output=True,
        text=True,
        env=env_free,
        check=False,
    )
    assert (failed.returncode, failed.stdout) == (2, "")
    assert f"{bad}: name: required field is missing" in failed.stderr
    check = subprocess.run(
        [sys.executable, "-c", "import sys, guanxi.costs.engine.cli; print('django' in sys.modules)"],
        capture_output=True,
        text=True,
        env=env_free,
        check=False,
    )
    assert check.stdout.strip() == "False"
