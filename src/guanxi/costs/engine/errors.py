"""Validation problems and the exceptions that carry them.

Every check in the engine records a :class:`Problem` (a path such as ``costs[2].hours`` and a
message) instead of stopping at the first mistake, so that a user fixing a scenario sees all of
its problems at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["CatalogError", "Problem", "ScenarioError"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where (``path``) and what (``message``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class _ProblemsError(ValueError):
    """A ``ValueError`` carrying every problem found, each with a path and a message."""

    problems: tuple[Problem, ...]

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def messages(self) -> list[str]:
        """The problems as ``path: message`` strings, in the order they were found."""
        return [str(p) for p in self.problems]


class ScenarioError(_ProblemsError):
    """A scenario was refused; ``problems`` lists everything wrong with it."""


class CatalogError(_ProblemsError):
    """A price catalogue was refused; ``problems`` lists everything wrong with it."""


# --- helpers shared by the scenario and catalogue validators (private) ---------------------


def describe(value: object) -> str:
    """A short human description of a bad value, for error messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Decimal):
        return fmt(value)
    return str(value)


def fmt(value: Decimal) -> str:
    """A Decimal as plain text without exponent (``Decimal('1E+2')`` → ``100``)."""
    text = format(value, "f")
    return "0" if text in {"-0", "-0.0"} else text


def to_decimal(value: object) -> Decimal | None:
    """Convert an int, float, Decimal or numeric string to a finite Decimal, else ``None``.

    Floats are converted through their shortest ``repr`` (``0.1`` → ``Decimal('0.1')``), so a
    YAML ``0.10`` never becomes ``0.1000000000000000055511151231257827``. Booleans are refused
    even though ``bool`` is a subclass of ``int``.
    """
    result: Decimal
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text:
            return None
        try:
            result = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    if not result.is_finite():
        return None
    return result
