"""Rendering results: a JSON-ready dict, a plain-text table, a self-contained HTML report and an
XLSX workbook. Amounts are rounded to cents (half up) here and only here."""

from __future__ import annotations

import html
import importlib
import json
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from guanxi.costs.engine.compute import Result
from guanxi.costs.engine.scenario import CATEGORIES

__all__ = [
    "format_html",
    "format_json",
    "format_table",
    "money",
    "result_to_dict",
    "write_xlsx",
]

_CENT = Decimal("0.01")


def money(value: Decimal) -> str:
    """A Decimal as a string with exactly two places, rounded half up (``"1672201.35"``)."""
    text = format(value.quantize(_CENT, rounding=ROUND_HALF_UP), "f")
    return "0.00" if text == "-0.00" else text


def _grouped(value: Decimal) -> str:
    """``1672201.35`` → ``1,672,201.35``."""
    text = money(value)
    sign = "-" if text.startswith("-") else ""
    whole, _, cents = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}.{cents}"


def _percent(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{_grouped(value * 100)}%"


def _period_label(period: str | int) -> str:
    return "Initial" if period == "initial" else f"Year {period}"


def result_to_dict(result: Result) -> dict[str, Any]:
    """The result as JSON-ready data; every number is a decimal string with two places.

    Keys: ``scenario``, ``currency``, ``periods`` (``["initial", 1, … N]``),
    ``costs_by_category`` (all ten categories in table order → one amount per period),
    ``total_costs``, ``total_benefits``, ``net``, ``cumulative`` (per period), ``pv_costs``,
    ``pv_benefits``, ``npv``, ``roi`` (a ratio: ``"3.29"`` is 329%; null when PV of costs is 0),
    ``payback_months`` (null when there is no payback within the horizon), ``tco`` and
    ``sensitivity`` (largest swing first: ``{"line", "kind", "category", "low", "high",
    "swing"}`` where low/high are the NPV changes with the line moved down/up by the delta).
    """

    def series(values: Sequence[Decimal]) -> list[str]:
        return [money(v) for v in values]

    return {
        "scenario": result.scenario,
        "currency": result.currency,
        "periods": list(result.periods),
        "costs_by_category": {key: series(result.costs_by_category[key]) for key in CATEGORIES},
        "total_costs": series(result.total_costs),
        "total_benefits": series(result.total_benefits),
        "net": series(result.net),
        "cumulative": series(result.cumulative),
        "pv_costs": money(result.pv_costs),
        "pv_benefits": money(result.pv_benefits),
        "npv": money(result.npv),
        "roi": None if result.roi is None else money(result.roi),
        "payback_months": None if result.payback_months is None else money(result.payback_months),
        "tco": money(result.tco),
        "sensitivity": [
            {
                "line": e.line,
                "kind": e.kind,
                "category": e.category,
                "low": money(e.low),
                "high": money(e.high),
                "swing": money(e.swing),
            }
            for e in result.sensitivity
        ],
    }


def format_json(results: Sequence[Result]) -> str:
    """One scenario → a JSON object; several → a JSON list of objects."""
    data: Any = [result_to_dict(r) for r in results]
    if len(results) == 1:
        data = data[0]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- text table ---------------------------------------------------------------------------


def _grid(rows: list[list[str]], *, left: int = 1) -> list[str]:
    """Align rows into columns: the first ``left`` columns left-aligned, the rest right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out: list[str] = []
    for row in rows:
        cells = [cell.ljust(widths[i]) if i < left else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        out.append("  ".join(cells).rstrip())
    return out


def _payback_text(result: Result) -> str:
    if result.payback_months is None:
        return f"none within {result.years} years"
    return f"{money(result.payback_months)} months"


def _key_figures(result: Result) -> list[tuple[str, str]]:
    return [
        ("TCO (undiscounted costs)", _grouped(result.tco)),
        ("PV of costs", _grouped(result.pv_costs)),
        ("PV of benefits", _grouped(result.pv_benefits)),
        ("NPV", _grouped(result.npv)),
        ("ROI (NPV / PV of costs)", _percent(result.roi)),
        ("Payback", _payback_text(result)),
    ]


def _scenario_table(result: Result, top: int) -> list[str]:
    cur = result.currency
    lines = [
        f"{result.scenario}",
        f"{cur}, {result.years} years, discount rate {_percent(result.discount_rate)}",
        "",
    ]
    header = [f"Costs ({cur})", *(_period_label(p) for p in result.periods), "Total"]
    rows = [header]
    for key, (english, _chinese) in CATEGORIES.items():
        values = result.costs_by_category[key]
        rows.append([english, *(_grouped(v) for v in values), _grouped(sum(values, Decimal(0)))])
    for label, values in (
        ("Total costs", result.total_costs),
        ("Benefits", result.total_benefits),
        ("Net", result.net),
    ):
        rows.append([label, *(_grouped(v) for v in values), _grouped(sum(values, Decimal(0)))])
    rows.append(["Cumulative net", *(_grouped(v) for v in result.cumulative), ""])
    rows.append(["PV of net", *(_grouped(v) for v in result.discounted_net), _grouped(result.npv)])
    lines.extend(_grid(rows))
    lines.append("")
    lines.extend(_grid([[label, value] for label, value in _key_figures(result)]))
    if result.sensitivity and top > 0:
        delta = _percent(result.sensitivity_delta).replace(".00%", "%")
        lines.append("")
        lines.append(f"Sensitivity: NPV change with each line moved by ±{delta} (largest first)")
        srows = [["Line", "Category", f"-{delta}", f"+{delta}", "Swing"]]
        for e in result.sensitivity[:top]:
            category = CATEGORIES[e.category][0] if e.category else "(benefit)"
            srows.append([e.line, category, _grouped(e.low), _grouped(e.high), _grouped(e.swing)])
        lines.extend(_grid(srows, left=2))
    return lines


def _comparison_rows(results: Sequence[Result]) -> list[list[str]]:
    rows = [["", *(r.scenario for r in results)], ["Currency", *(r.currency for r in results)]]
    rows.append(["Years", *(str(r.years) for r in results)])
    for i, (label, _value) in enumerate(_key_figures(results[0])):
        rows.append([label, *(_key_figures(r)[i][1] for r in results)])
    return rows


def format_table(results: Sequence[Result], top: int = 5) -> str:
    """A readable plain-text report; several scenarios get a comparison table first."""
    out: list[str] = []
    if len(results) > 1:
        out.append("Comparison")
        out.append("")
        out.extend(_grid(_comparison_rows(results)))
        out.append("")
    for i, result in enumerate(results):
        if i or len(results) > 1:
            out.append("=" * 78)
        out.extend(_scenario_table(result, top))
        out.append("")
    return "\n".join(out)


# --- HTML ---------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;
margin:2rem;color:#1d2330}
h1{font-size:1.4rem}h2{font-size:1.2rem;margin-top:2.5rem}p.meta{color:#5b6475}
table{border-collapse:collapse;margin:1rem 0}th,td{padding:.3rem .7rem;border-bottom:1px solid #dde1e8}
th{background:#f3f5f8;text-align:left}th+th{text-align:right}td.num{text-align:right;font-variant-numeric:tabular-nums;
white-space:nowrap}tr.total td{font-weight:600;border-top:2px solid #9aa3b2}.zh{color:#5b6475;
font-size:.85em;display:block}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _html_row(label: str, values: Sequence[str], css: str = "", zh: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    sub = f'<span class="zh" lang="zh-CN">{_e(zh)}</span>' if zh else ""
    cells = "".join(f'<td class="num">{_e(v)}</td>' for v in values)
    return f"<tr{cls}><td>{_e(label)}{sub}</td>{cells}</tr>"


def _html_scenario(result: Result, top: int) -> list[str]:
    out = [
        f"<h2>{_e(result.scenario)}</h2>",
        f'<p class="meta">{_e(result.currency)}, {result.years} years, discount rate '
        f"{_e(_percent(result.discount_rate))}</p>",
        "<table><thead><tr>",
        f"<th>Costs ({_e(result.currency)})</th>",
        *(f"<th>{_e(_period_label(p))}</th>" for p in result.periods),
        "<th>Total</th></tr></thead><tbody>",
    ]
    for key, (english, chinese) in CATEGORIES.items():
        values = result.costs_by_category[key]
        out.append(
            _html_row(
                english, [*(_grouped(v) for v in values), _grouped(sum(values, Decimal(0)))], zh=chinese
            )
        )
    for label, values, css in (
        ("Total costs", result.total_costs, "total"),
        ("Benefits", result.total_benefits, ""),
        ("Net", result.net, "total"),
    ):
        out.append(_html_row(label, [*(_grouped(v) for v in values), _grouped(sum(values, Decimal(0)))], css))
    out.append(_html_row("Cumulative net", [*(_grouped(v) for v in result.cumulative), ""]))
    out.append(_html_row("PV of net", [*(_grouped(v) for v in result.discounted_net), _grouped(result.npv)]))
    out.append("</tbody></table>")
    out.append("<table><tbody>")
    out.extend(_html_row(label, [value]) for label, value in _key_figures(result))
    out.append("</tbody></table>")
    if result.sensitivity and top > 0:
        delta = _percent(result.sensitivity_delta).replace(".00%", "%")
        out.append(f"<h3>Sensitivity: NPV change with each line moved by ±{_e(delta)}</h3>")
        out.append(
            f"<table><thead><tr><th>Line</th><th>Category</th><th>-{_e(delta)}</th><th>+{_e(delta)}</th>"
            "<th>Swing</th></tr></thead><tbody>"
        )
        for e in result.sensitivity[:top]:
            category = CATEGORIES[e.category][0] if e.category else "(benefit)"
            cells = "".join(f'<td class="num">{_e(_grouped(v))}</td>' for v in (e.low, e.high, e.swing))
            out.append(f"<tr><td>{_e(e.line)}</td><td>{_e(category)}</td>{cells}</tr>")
        out.append("</tbody></table>")
    return out


def format_html(results: Sequence[Result], top: int = 10) -> str:
    """A self-contained HTML report (inline CSS, no scripts, no external assets)."""
    title = results[0].scenario if len(results) == 1 else "TCO comparison"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} — Guanxi TCO</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Total cost of ownership: {_e(title)}</h1>",
    ]
    if len(results) > 1:
        rows = _comparison_rows(results)
        out.append("<table><thead><tr><th></th>")
        out.extend(f"<th>{_e(name)}</th>" for name in rows[0][1:])
        out.append("</tr></thead><tbody>")
        out.extend(_html_row(row[0], row[1:]) for row in rows[1:])
        out.append("</tbody></table>")
    for result in results:
        out.extend(_html_scenario(result, top))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# --- XLSX ---------------------------------------------------------------------------------

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", name).strip().strip("'") or "Scenario"
    base = base[:31]
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def _num(value: Decimal) -> float:
    return float(money(value))


_FIGURES = (
    ("Currency", "currency"),
    ("Years", "years"),
    ("TCO (undiscounted costs)", "tco"),
    ("PV of costs", "pv_costs"),
    ("PV of benefits", "pv_benefits"),
    ("NPV", "npv"),
    ("ROI (NPV / PV of costs)", "roi"),
    ("Payback (months)", "payback"),
)


class _Xlsx:
    """Writes results into an xlsxwriter workbook."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.bold = workbook.add_format({"bold": True})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.head = workbook.add_format({"bold": True, "bg_color": "#F3F5F8", "bottom": 1})
        self.amount = workbook.add_format({"num_format": "#,##0.00"})
        self.amount_bold = workbook.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
        self.pct = workbook.add_format({"num_format": "0.00%"})
        self.months = workbook.add_format({"num_format": "0.00"})
        self.used: set[str] = {"comparison"}

    def figure(self, sheet: Any, row: int, col: int, result: Result, which: str) -> None:
        if which == "roi":
            if result.roi is None:
                sheet.write_string(row, col, "n/a")
            else:
                sheet.write_number(row, col, _num(result.roi), self.pct)
        elif which == "payback":
            if result.payback_months is None:
                sheet.write_string(row, col, "no payback")
            else:
                sheet.write_number(row, col, _num(result.payback_months), self.months)
        elif which == "years":
            sheet.write_number(row, col, result.years)
        elif which == "currency":
            sheet.write_string(row, col, result.currency)
        else:
            sheet.write_number(row, col, _num(getattr(result, which)), self.amount)

    def comparison(self, results: Sequence[Result]) -> None:
        sheet = self.workbook.add_worksheet("Comparison")
        sheet.write_string(0, 0, "Comparison", self.title)
        sheet.write_string(2, 0, "", self.head)
        sheet.set_column(0, 0, 28)
        for r, (label, _which) in enumerate(_FIGURES, start=3):
            sheet.write_string(r, 0, label, self.bold)
        for c, result in enumerate(results, start=1):
            sheet.write_string(2, c, result.scenario, self.head)
            sheet.set_column(c, c, max(16, min(40, len(result.scenario) + 2)))
            for r, (_label, which) in enumerate(_FIGURES, start=3):
                self.figure(sheet, r, c, result, which)

    def series(
        self,
        sheet: Any,
        row: int,
        label: str,
        values: Sequence[Decimal],
        *,
        strong: bool = False,
        total: bool = True,
    ) -> None:
        fmt = self.amount_bold if strong else self.amount
        sheet.write_string(row, 0, label, self.bold if strong else None)
        for c, v in enumerate(values, start=1):
            sheet.write_number(row, c, _num(v), fmt)
        if total:
            sheet.write_number(row, len(values) + 1, _num(sum(values, Decimal(0))), fmt)

    def scenario(self, result: Result, top: int) -> None:
        sheet = self.workbook.add_worksheet(_sheet_name(result.scenario, self.used))
        sheet.write_string(0, 0, result.scenario, self.title)
        meta = f"{result.currency}, {result.years} years, discount rate {_percent(result.discount_rate)}"
        sheet.write_string(1, 0, meta)
        sheet.set_column(0, 0, 38)
        sheet.set_column(1, len(result.periods) + 1, 15)
        row = 3
        sheet.write_string(row, 0, f"Costs ({result.currency})", self.head)
        for c, p in enumerate(result.periods, start=1):
            sheet.write_string(row, c, _period_label(p), self.head)
        sheet.write_string(row, len(result.periods) + 1, "Total", self.head)
        for key, (english, _zh) in CATEGORIES.items():
            row += 1
            self.series(sheet, row, english, result.costs_by_category[key])
        for label, values, strong in (
            ("Total costs", result.total_costs, True),
            ("Benefits", result.total_benefits, False),
            ("Net", result.net, True),
        ):
            row += 1
            self.series(sheet, row, label, values, strong=strong)
        row += 1
        self.series(sheet, row, "Cumulative net", result.cumulative, total=False)
        row += 1
        self.series(sheet, row, "PV of net", result.discounted_net)
        row += 2
        for label, which in _FIGURES[2:]:
            sheet.write_string(row, 0, label, self.bold)
            self.figure(sheet, row, 1, result, which)
            row += 1
        if result.sensitivity and top > 0:
            row += 1
            delta = _percent(result.sensitivity_delta).replace(".00%", "%")
            sheet.write_string(row, 0, f"Sensitivity (each line ±{delta}, change in NPV)", self.bold)
            row += 1
            for c, label in enumerate(["Line", "Category", f"-{delta}", f"+{delta}", "Swing"]):
                sheet.write_string(row, c, label, self.head)
            for e in result.sensitivity[:top]:
                row += 1
                sheet.write_string(row, 0, e.line)
                sheet.write_string(row, 1, CATEGORIES[e.category][0] if e.category else "(benefit)")
                sheet.write_number(row, 2, _num(e.low), self.amount)
                sheet.write_number(row, 3, _num(e.high), self.amount)
                sheet.write_number(row, 4, _num(e.swing), self.amount)


def write_xlsx(results: Sequence[Result], path: str | Path, top: int = 10) -> None:
    """Write a workbook: a ``Comparison`` sheet, then one sheet per scenario. Cells hold real
    numbers (rounded to cents) with number formats; ROI is a percentage."""
    # Imported lazily (only this format needs it) and through importlib: xlsxwriter ships no type
    # information, and this keeps mypy quiet under both the strict and the project settings.
    xlsxwriter = importlib.import_module("xlsxwriter")
    file_create_error: type[Exception] = importlib.import_module("xlsxwriter.exceptions").FileCreateError

    workbook = xlsxwriter.Workbook(str(path))
    try:
        writer = _Xlsx(workbook)
        writer.comparison(results)
        for result in results:
            writer.scenario(result, top)
    finally:
        try:
            workbook.close()
        except file_create_error as exc:
            raise OSError(f"cannot create {path}: {exc}") from exc
