"""Scenarios: the public dataclasses, parsing and validation from YAML or dicts, and YAML export.

A scenario covers an initial period (index 0: set-up before go-live) and years 1..N. Each cost
or benefit line has exactly one yearly *amount form* (``yearly``, ``monthly``, ``per_seat_month``,
``per_seat_year`` or ``hours`` with ``rate``), an ``initial`` amount, or both. See
``docs/costs-engine.md`` for the full semantics.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from types import MappingProxyType
from typing import Any, Final

from guanxi.costs.engine.catalog import Catalog, default_catalog
from guanxi.costs.engine.errors import Problem, ScenarioError, describe, fmt, to_decimal
from guanxi.costs.engine.yamlio import YAMLError, describe_yaml_error, dump_yaml, load_yaml

__all__ = [
    "AMOUNT_FORMS",
    "CATEGORIES",
    "MAX_YEARS",
    "BenefitLine",
    "CostLine",
    "Line",
    "Scenario",
    "dump_scenario",
    "load_scenario",
    "scenario_to_dict",
    "validate_scenario",
]

#: The ten cost categories, in display order: key → (English, 简体中文).
CATEGORIES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "subscription": ("Software purchase or subscription", "软件购买或订阅费用"),
        "implementation": ("Implementation and initial training", "实施和培训费用"),
        "maintenance": ("Maintenance and support", "维护和支持费用"),
        "migration_integration": ("Data migration and integration", "数据迁移和集成费用"),
        "customization": ("Custom development", "定制开发费用"),
        "training": ("User management and ongoing training", "用户管理和培训费用"),
        "upgrade_expansion": ("Upgrades and expansion", "系统升级和扩展费用"),
        "security_compliance": ("Security and compliance", "安全和合规费用"),
        "consulting": ("External consultants", "外部顾问和咨询费用"),
        "internal": ("Internal resources and staff time", "内部资源和时间成本"),
    }
)

#: The yearly amount forms; a line has at most one of them (``initial`` may sit beside it).
AMOUNT_FORMS: Final[tuple[str, ...]] = ("yearly", "monthly", "per_seat_month", "per_seat_year", "hours")
MAX_YEARS: Final[int] = 50

ZERO: Final[Decimal] = Decimal(0)
# Bounds that keep every product of the model (amount x seats x 12 x escalation) exact in 28 digits.
MAX_NUMBER: Final = Decimal(10) ** 15
MAX_WHOLE: Final = 10**9
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_TOP_FIELDS = (
    "name",
    "description",
    "currency",
    "years",
    "discount_rate",
    "seats",
    "exchange_rates",
    "costs",
    "benefits",
)
_LINE_FIELDS = ("name", "initial", *AMOUNT_FORMS, "rate", "escalation", "risk", "note")
_COST_FIELDS = frozenset(("category", "plan", *_LINE_FIELDS))
_BENEFIT_FIELDS = frozenset(_LINE_FIELDS)
_LIST_FORMS = frozenset({"yearly", "hours"})


@dataclass(frozen=True, kw_only=True, slots=True)
class Line:
    """Fields shared by cost and benefit lines. All money is in the scenario's currency."""

    name: str
    initial: Decimal | None = None
    """Paid (or gained) once, in period 0."""
    yearly: Decimal | tuple[Decimal, ...] | None = None
    """Every year the same (escalated), or one explicit value per year 1..N."""
    monthly: Decimal | None = None
    """12 x this a year."""
    per_seat_month: Decimal | None = None
    """12 x this x seats[y] a year."""
    per_seat_year: Decimal | None = None
    """This x seats[y] a year."""
    hours: Decimal | tuple[Decimal, ...] | None = None
    """Hours a year (or one value per year), charged at ``rate``."""
    rate: Decimal | None = None
    escalation: Decimal = ZERO
    """Year y is multiplied by (1 + escalation)^(y-1); not for explicit lists."""
    risk: Decimal = ZERO
    """A cost is multiplied by (1 + risk), a benefit by (1 - risk)."""
    note: str | None = None

    @property
    def form(self) -> str | None:
        """The yearly amount form in use (``"monthly"`` …), or None for an initial-only line."""
        for name in AMOUNT_FORMS:
            if getattr(self, name) is not None:
                return name
        return None

    @property
    def per_seat(self) -> bool:
        return self.per_seat_month is not None or self.per_seat_year is not None


@dataclass(frozen=True, kw_only=True, slots=True)
class CostLine(Line):
    """A cost line, in one of the ten :data:`CATEGORIES`."""

    category: str
    plan: str | None = None
    """The catalogue plan its ``per_seat_month`` price came from (kept for reference)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class BenefitLine(Line):
    """A benefit line (sales uplift, time saved, licences retired …)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Scenario:
    """A validated scenario. Build one with :func:`load_scenario` (or construct it and call
    :func:`validate_scenario`)."""

    name: str
    currency: str
    years: int
    discount_rate: Decimal
    costs: tuple[CostLine, ...]
    benefits: tuple[BenefitLine, ...] = ()
    seats: tuple[int, ...] = ()
    """One value per year 1..N; empty when no line is priced per seat."""
    exchange_rates: Mapping[str, Decimal] = field(default_factory=dict)
    """Units of the scenario currency per unit of another (``{"USD": Decimal("7.1")}``)."""
    description: str | None = None

    @property
    def lines(self) -> tuple[Line, ...]:
        """Costs then benefits."""
        return (*self.costs, *self.benefits)


# --- parsing ------------------------------------------------------------------------------


def _fields_list(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


class _Parser:
    def __init__(self, catalog: Catalog | None) -> None:
        self.catalog = catalog
        self.problems: list[Problem] = []
        self.years: int | None = None
        self.currency: str | None = None
        self.rates: dict[str, Decimal] = {}

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # scalars ---------------------------------------------------------------------------

    def text(self, raw: Mapping[str, Any], key: str, path: str, *, required: bool) -> str | None:
        where = f"{path}.{key}" if path else key
        if key not in raw or raw[key] is None:
            if required:
                self.add(where, "required field is missing")
            return None
        value = raw[key]
        if not isinstance(value, str):
            self.add(where, f"expected text, got {describe(value)}")
            return None
        if not value.strip():
            self.add(where, "must not be empty")
            return None
        return value.strip()

    def number(self, value: object, where: str) -> Decimal | None:
        result = to_decimal(value)
        if result is None:
            kind = "a finite number" if isinstance(value, (float, Decimal)) else "a number"
            self.add(where, f"expected {kind}, got {describe(value)}")
        elif abs(result) > MAX_NUMBER:
            self.add(where, f"must be at most {MAX_NUMBER:,} in size, got {describe(value)}")
            return None
        return result

    def amount(self, value: object, where: str) -> Decimal | None:
        result = self.number(value, where)
        if result is not None and result < 0:
            self.add(where, f"must not be negative, got {fmt(result)}")
            return None
        return result

    def whole(self, value: object, where: str) -> int | None:
        number = to_decimal(value)
        if number is None or number != number.to_integral_value():
            self.add(where, f"expected a whole number, got {describe(value)}")
            return None
        if abs(number) > MAX_WHOLE:
            self.add(where, f"must be at most {MAX_WHOLE:,}, got {describe(value)}")
            return None
        return int(number)

    def amounts(self, value: object, where: str) -> Decimal | tuple[Decimal, ...] | None:
        """A number (every year) or a list of one number per year."""
        if not isinstance(value, (list, tuple)):
            return self.amount(value, where)
        if self.years is not None and len(value) != self.years:
            self.add(where, f"expected {self.years} values (one per year), got {len(value)}")
            return None
        items = [self.amount(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item is not None)

    # scenario --------------------------------------------------------------------------

    def scenario(self, raw: object) -> Scenario:
        if not isinstance(raw, Mapping):
            raise ScenarioError([Problem("", f"expected a mapping of scenario fields, got {describe(raw)}")])
        for key in raw:
            if key not in _TOP_FIELDS:
                self.add(str(key), "unknown field")
        name = self.text(raw, "name", "", required=True)
        description = self.text(raw, "description", "", required=False)

        currency = self.text(raw, "currency", "", required=True)
        if currency is not None:
            if _CURRENCY_RE.match(currency):
                self.currency = currency
            else:
                self.add("currency", f"expected a 3-letter currency code such as CNY, got {currency!r}")

        if "years" not in raw or raw["years"] is None:
            self.add("years", "required field is missing")
        else:
            years = self.whole(raw["years"], "years")
            if years is not None:
                if 1 <= years <= MAX_YEARS:
                    self.years = years
                else:
                    self.add("years", f"must be between 1 and {MAX_YEARS}, got {years}")

        discount_rate: Decimal | None = None
        if "discount_rate" not in raw or raw["discount_rate"] is None:
            self.add("discount_rate", "required field is missing")
        else:
            discount_rate = self.number(raw["discount_rate"], "discount_rate")
            if discount_rate is not None and not ZERO <= discount_rate < 1:
                self.add(
                    "discount_rate",
                    f"must be at least 0 and below 1 (0.10 means 10%), got {fmt(discount_rate)}",
                )
                discount_rate = None

        seats = self.seats(raw.get("seats")) if raw.get("seats") is not None else None
        self.exchange_rates(raw.get("exchange_rates"))

        costs: list[CostLine] = []
        raw_costs = raw.get("costs")
        if raw_costs is None:
            self.add("costs", "required field is missing")
        elif not isinstance(raw_costs, (list, tuple)):
            self.add("costs", f"expected a list of cost lines, got {describe(raw_costs)}")
        elif not raw_costs:
            self.add("costs", "expected at least one cost line")
        else:
            for i, item in enumerate(raw_costs):
                line = self.line(item, f"costs[{i}]", benefit=False)
                if isinstance(line, CostLine):
                    costs.append(line)

        benefits: list[BenefitLine] = []
        raw_benefits = raw.get("benefits")
        if raw_benefits is not None:
            if not isinstance(raw_benefits, (list, tuple)):
                self.add("benefits", f"expected a list of benefit lines, got {describe(raw_benefits)}")
            else:
                for i, item in enumerate(raw_benefits):
                    line = self.line(item, f"benefits[{i}]", benefit=True)
                    if isinstance(line, BenefitLine):
                        benefits.append(line)

        if seats is None and "seats" not in raw:
            for kind, group in (("costs", costs), ("benefits", benefits)):
                for i, ln in enumerate(group):
                    if ln.per_seat:
                        form = "per_seat_month" if ln.per_seat_month is not None else "per_seat_year"
                        if isinstance(ln, CostLine) and ln.plan is not None:
                            form = "plan"
                        self.add(f"{kind}[{i}].{form}", "needs seats (add seats: at the top of the scenario)")

        if self.problems:
            raise ScenarioError(self.problems)
        assert name is not None and self.currency is not None and self.years is not None
        assert discount_rate is not None
        return Scenario(
            name=name,
            description=description,
            currency=self.currency,
            years=self.years,
            discount_rate=discount_rate,
            seats=seats or (),
            exchange_rates=dict(self.rates),
            costs=tuple(costs),
            benefits=tuple(benefits),
        )

    def seats(self, value: object) -> tuple[int, ...] | None:
        if isinstance(value, (list, tuple)):
            if self.years is not None and len(value) != self.years:
                self.add("seats", f"expected {self.years} values (one per year), got {len(value)}")
                return None
            items = [self.whole(item, f"seats[{i}]") for i, item in enumerate(value)]
            for i, item in enumerate(items):
                if item is not None and item < 0:
                    self.add(f"seats[{i}]", f"must not be negative, got {item}")
            if any(item is None or item < 0 for item in items):
                return None
            return tuple(item for item in items if item is not None)
        single = self.whole(value, "seats")
        if single is None:
            return None
        if single < 0:
            self.add("seats", f"must not be negative, got {single}")
            return None
        return (single,) * (self.years or 0)

    def exchange_rates(self, value: object) -> None:
        if value is None:
            return
        if not isinstance(value, Mapping):
            self.add("exchange_rates", f"expected a mapping such as {{USD: 7.1}}, got {describe(value)}")
            return
        for code, rate in value.items():
            where = f"exchange_rates.{code}"
            if not isinstance(code, str) or not _CURRENCY_RE.match(code):
                self.add(where, "expected a 3-letter currency code such as USD")
                continue
            number = self.number(rate, where)
            if number is None:
                continue
            if number <= 0:
                self.add(where, f"must be greater than 0, got {fmt(number)}")
                continue
            self.rates[code] = number

    def line(self, raw: object, path: str, *, benefit: bool) -> Line | None:
        if not isinstance(raw, Mapping):
            self.add(path, f"expected a mapping of line fields, got {describe(raw)}")
            return None
        before = len(self.problems)
        allowed = _BENEFIT_FIELDS if benefit else _COST_FIELDS
        for key in raw:
            if key not in allowed:
                self.add(f"{path}.{key}", "unknown field")

        category: str | None = None
        if not benefit:
            category = self.text(raw, "category", path, required=True)
            if category is not None and category not in CATEGORIES:
                self.add(
                    f"{path}.category",
                    f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}",
                )

        values: dict[str, Any] = {}
        if "initial" in raw:
            values["initial"] = self.amount(raw["initial"], f"{path}.initial")
        forms = [name for name in AMOUNT_FORMS if name in raw]
        for form in forms:
            where = f"{path}.{form}"
            if form in _LIST_FORMS:
                values[form] = self.amounts(raw[form], where)
            else:
                values[form] = self.amount(raw[form], where)

        plan_id: str | None = None
        plan_label: str | None = None
        if not benefit and "plan" in raw:
            plan_id, plan_label, price = self.plan(raw, path, forms)
            if price is not None:
                values["per_seat_month"] = price
                forms = ["per_seat_month"]

        if len(forms) > 1:
            self.add(
                path,
                f"more than one amount form ({_fields_list(forms)}); keep one "
                "(initial may be given beside it)",
            )
        if not forms and "initial" not in raw and not (not benefit and "plan" in raw):
            choices = "initial, yearly, monthly, per_seat_month, per_seat_year or hours (with rate)"
            if not benefit:
                choices += ", or a catalogue plan"
            self.add(path, f"no amount given; use {choices}")

        if "hours" in raw:
            if "rate" not in raw or raw["rate"] is None:
                self.add(f"{path}.rate", "required with hours (the cost of one hour)")
            else:
                values["rate"] = self.amount(raw["rate"], f"{path}.rate")
        elif "rate" in raw:
            self.add(f"{path}.rate", "only used with hours")

        escalation = ZERO
        if "escalation" in raw:
            number = self.number(raw["escalation"], f"{path}.escalation")
            if number is not None:
                if not Decimal(-1) < number <= 1:
                    self.add(
                        f"{path}.escalation",
                        f"must be greater than -1 and at most 1 (0.05 means +5% a year), got {fmt(number)}",
                    )
                elif number != 0:
                    listed = [f for f in forms if f in _LIST_FORMS and isinstance(raw.get(f), (list, tuple))]
                    if listed:
                        self.add(f"{path}.escalation", "does not apply to an explicit list of yearly values")
                    elif not forms:
                        self.add(f"{path}.escalation", "applies to yearly amounts; this line has none")
                    escalation = number

        risk = ZERO
        if "risk" in raw:
            number = self.number(raw["risk"], f"{path}.risk")
            if number is not None:
                if not ZERO <= number <= 1:
                    self.add(f"{path}.risk", f"must be between 0 and 1 (0.10 means 10%), got {fmt(number)}")
                else:
                    risk = number

        name = self.text(raw, "name", path, required=benefit or "plan" not in raw)
        note = self.text(raw, "note", path, required=False)
        if len(self.problems) > before:
            return None
        kwargs: dict[str, Any] = {
            key: values.get(key)
            for key in ("initial", "yearly", "monthly", "per_seat_month", "per_seat_year", "hours", "rate")
        }
        if benefit:
            assert name is not None
            return BenefitLine(name=name, escalation=escalation, risk=risk, note=note, **kwargs)
        assert category is not None
        return CostLine(
            name=name or plan_label or str(plan_id),
            category=category,
            plan=plan_id,
            escalation=escalation,
            risk=risk,
            note=note,
            **kwargs,
        )

    def plan(
        self, raw: Mapping[str, Any], path: str, forms: list[str]
    ) -> tuple[str | None, str | None, Decimal | None]:
        """Check a ``plan:`` reference; return (plan id, label, price per seat-month or None).

        With an explicit ``per_seat_month`` beside it the explicit (e.g. negotiated) price is
        kept and the catalogue only supplies the name; otherwise the catalogue price is used,
        converted to the scenario currency.
        """
        where = f"{path}.plan"
        plan_id = raw["plan"]
        if not isinstance(plan_id, str) or not plan_id.strip():
            self.add(where, f"expected a plan id such as zoho-crm/professional, got {describe(plan_id)}")
            return None, None, None
        plan_id = plan_id.strip()
        others = [f for f in forms if f != "per_seat_month"]
        if others:
            self.add(where, f"a plan fills per_seat_month; it cannot be combined with {_fields_list(others)}")
            return plan_id, None, None
        catalog = self.catalog if self.catalog is not None else default_catalog()
        entry = catalog.get(plan_id)
        if entry is None:
            if "per_seat_month" in forms:
                return plan_id, None, None  # explicit price; the plan id is only a reference
            ids = catalog.ids()
            close = [i for i in ids if i.startswith(plan_id)] or difflib.get_close_matches(plan_id, ids, n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; known plans: {', '.join(ids)}"
            self.add(where, f"unknown plan {plan_id!r}{hint}")
            return plan_id, None, None
        if "per_seat_month" in forms:
            return plan_id, entry.label, None
        if self.currency is None:
            return plan_id, entry.label, None  # the currency problem is already reported
        if entry.currency == self.currency:
            return plan_id, entry.label, entry.price_per_user_month
        rate = self.rates.get(entry.currency)
        if rate is None:
            self.add(
                where,
                f"{plan_id} is priced in {entry.currency}; add exchange_rates: "
                f"{{{entry.currency}: <{self.currency} per 1 {entry.currency}>}} (no rate is assumed)",
            )
            return plan_id, entry.label, None
        with localcontext() as ctx:
            ctx.prec = 28
            return plan_id, entry.label, entry.price_per_user_month * rate


def load_scenario(data: Mapping[str, Any] | str, catalog: Catalog | None = None) -> Scenario:
    """Parse and validate a scenario from a dict or from YAML text.

    ``catalog`` resolves ``plan:`` lines; ``None`` means the packaged catalogue. Raises
    :class:`~guanxi.costs.engine.errors.ScenarioError` listing every problem found.
    """
    raw: object
    if isinstance(data, str):
        try:
            raw = load_yaml(data)
        except YAMLError as exc:
            raise ScenarioError([Problem("", f"invalid YAML at {describe_yaml_error(exc)}")]) from exc
    else:
        raw = data
    return _Parser(catalog).scenario(raw)


# --- export -------------------------------------------------------------------------------


def _line_to_dict(line: Line) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(line, CostLine):
        out["category"] = line.category
    out["name"] = line.name
    if isinstance(line, CostLine) and line.plan is not None:
        out["plan"] = line.plan
    for key in ("initial", *AMOUNT_FORMS, "rate"):
        value = getattr(line, key)
        if isinstance(value, tuple):
            out[key] = list(value)
        elif value is not None:
            out[key] = value
    if line.escalation != 0:
        out["escalation"] = line.escalation
    if line.risk != 0:
        out["risk"] = line.risk
    if line.note is not None:
        out["note"] = line.note
    return out


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data (Decimals kept) in the YAML shape :func:`load_scenario` reads.

    A line that came from a catalogue plan keeps both ``plan`` and its resolved
    ``per_seat_month``, so the export is self-contained and reads back to an equal scenario
    whatever catalogue is in use.
    """
    out: dict[str, Any] = {"name": scenario.name}
    if scenario.description is not None:
        out["description"] = scenario.description
    out["currency"] = scenario.currency
    out["years"] = scenario.years
    out["discount_rate"] = scenario.discount_rate
    if scenario.seats:
        same = all(s == scenario.seats[0] for s in scenario.seats)
        out["seats"] = scenario.seats[0] if same else list(scenario.seats)
    if scenario.exchange_rates:
        out["exchange_rates"] = dict(scenario.exchange_rates)
    out["costs"] = [_line_to_dict(line) for line in scenario.costs]
    if scenario.benefits:
        out["benefits"] = [_line_to_dict(line) for line in scenario.benefits]
    return out


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as YAML text; ``load_scenario(dump_scenario(s)) == s``."""
    return dump_yaml(scenario_to_dict(scenario))


def validate_scenario(scenario: Scenario, catalog: Catalog | None = None) -> Scenario:
    """Check a scenario that was constructed directly (e.g. from database rows).

    Returns the equivalent validated scenario; raises ScenarioError as :func:`load_scenario` does.
    """
    return load_scenario(scenario_to_dict(scenario), catalog)
