"""``guanxi tco``: compute TCO / ROI for scenario files, without Django or a database.

    guanxi tco SCENARIO.yaml [MORE.yaml …] [--format table|json|xlsx|html] [-o PATH]
               [--catalog PATH] [--sensitivity 0.2]

Exit status: 0 on success; 2 for bad usage or a bad input file (the messages go to stderr and
nothing is written to stdout); 1 when the output cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from guanxi.costs.engine.catalog import Catalog, load_catalog
from guanxi.costs.engine.compute import DEFAULT_SENSITIVITY, Result, compute
from guanxi.costs.engine.errors import CatalogError, ScenarioError, to_decimal
from guanxi.costs.engine.render import format_html, format_json, format_table, write_xlsx
from guanxi.costs.engine.scenario import Scenario, load_scenario

__all__ = ["main"]

FORMATS = ("table", "json", "xlsx", "html")


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Raise instead of exiting, so ``main`` returns a status code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def _delta(text: str) -> Decimal:
    value = to_decimal(text)
    if value is None or not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1 (0.2 means ±20%), got {text!r}")
    return value


def _parser() -> _Parser:
    parser = _Parser(
        prog="guanxi tco",
        description="Compute the total cost of ownership, NPV, ROI and payback of CRM scenarios.",
    )
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO.yaml", help="scenario file(s)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("-o", "--output", metavar="PATH", help="write to PATH (required for xlsx)")
    parser.add_argument("--catalog", metavar="PATH", help="price catalogue YAML (default: the packaged one)")
    parser.add_argument(
        "--sensitivity",
        type=_delta,
        default=DEFAULT_SENSITIVITY,
        metavar="DELTA",
        help="move each line up and down by this fraction (default: 0.2)",
    )
    return parser


def _load(paths: list[str], catalog: Catalog | None) -> tuple[list[Scenario], list[str]]:
    scenarios: list[Scenario] = []
    errors: list[str] = []
    for path in paths:
        try:
            text = Path(path).read_text("utf-8")
        except FileNotFoundError:
            errors.append(f"{path}: no such file")
            continue
        except UnicodeDecodeError:
            errors.append(f"{path}: not UTF-8 text")
            continue
        except OSError as exc:
            errors.append(f"{path}: cannot read: {exc.strerror or exc}")
            continue
        try:
            scenarios.append(load_scenario(text, catalog))
        except ScenarioError as exc:
            errors.extend(f"{path}: {message}" for message in exc.messages())
    return scenarios, errors


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run ``guanxi tco`` with ``argv`` (without the program name and ``tco``); return the exit status."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except _UsageError as exc:
        err.write(parser.format_usage())
        err.write(f"guanxi tco: error: {exc}\n")
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0

    if args.format == "xlsx" and not args.output:
        err.write("guanxi tco: error: --format xlsx needs -o PATH\n")
        return 2

    catalog: Catalog | None = None
    if args.catalog:
        try:
            catalog = load_catalog(args.catalog)
        except CatalogError as exc:
            err.writelines(f"{args.catalog}: {message}\n" for message in exc.messages())
            return 2

    scenarios, errors = _load(args.scenarios, catalog)
    if errors:
        err.writelines(f"{message}\n" for message in errors)
        return 2

    results: list[Result] = [compute(s, args.sensitivity) for s in scenarios]
    try:
        if args.format == "xlsx":
            write_xlsx(results, args.output)
            return 0
        if args.format == "json":
            text = format_json(results)
        elif args.format == "html":
            text = format_html(results)
        else:
            text = format_table(results)
        if args.output:
            Path(args.output).write_text(text, "utf-8")
        else:
            out.write(text)
    except OSError as exc:
        err.write(f"guanxi tco: cannot write {args.output}: {exc.strerror or exc}\n")
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
