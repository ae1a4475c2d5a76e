"""YAML reading and writing that keeps money exact.

PyYAML turns ``0.10`` into a binary float; the engine reads such scalars straight into
:class:`~decimal.Decimal` from their text instead, and writes Decimals back as plain YAML
numbers (``160``, ``0.05``) so that a dumped scenario reads back to an equal one.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from guanxi.costs.engine.errors import fmt

__all__ = ["DecimalDumper", "DecimalLoader", "YAMLError", "describe_yaml_error", "dump_yaml", "load_yaml"]

YAMLError = yaml.YAMLError


class DecimalLoader(yaml.SafeLoader):
    """A safe loader that reads YAML floats as exact Decimals."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        # YAML 1.1 oddities (sexagesimal 1:30.5, .inf, .nan): fall back to PyYAML's float and
        # let the validators refuse non-finite values with a clear message.
        return Decimal(repr(loader.construct_yaml_float(node)))


DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


class DecimalDumper(yaml.SafeDumper):
    """A safe dumper that writes Decimals as plain YAML numbers."""


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = fmt(value)
    if "." in text:
        return dumper.represent_scalar("tag:yaml.org,2002:float", text)
    return dumper.represent_scalar("tag:yaml.org,2002:int", text)


DecimalDumper.add_representer(Decimal, _represent_decimal)

_LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Line breaks and control characters are written double-quoted (escaped): PyYAML does not
    # read back some of them (e.g. U+0085) from its plain or single-quoted styles.
    if any(ch in _LINE_BREAKS or not ch.isprintable() for ch in value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


DecimalDumper.add_representer(str, _represent_str)


def load_yaml(text: str) -> Any:
    """Parse YAML text with floats read as Decimals. Raises :data:`YAMLError`."""
    return yaml.load(text, Loader=DecimalLoader)  # noqa: S506 - DecimalLoader is a SafeLoader


def dump_yaml(data: Any) -> str:
    """Dump plain data (dicts, lists, str, int, Decimal, date) as readable UTF-8 YAML."""
    return yaml.dump(
        data,
        Dumper=DecimalDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=100,
    )


def describe_yaml_error(exc: yaml.YAMLError) -> str:
    """A one-line description of a YAML syntax error: ``line 3, column 7: expected ',' or ']'…``."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        what = exc.problem or exc.context or "syntax error"
        return f"{where}{what}"
    return str(exc).replace("\n", " ")
