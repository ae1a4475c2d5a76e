"""Writes on cost records. Each one is the platform's record life cycle (permission, version check,
validation, save, audit, event) from `guanxi.core.services`, with a `prepare` that normalises the record,
derives its amounts in the reporting currency and, for scenarios and catalogue prices, validates it with
the cost engine so that a scenario that is stored is a scenario the engine accepts."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _g

from guanxi.core import services as core

from .engine import AMOUNT_FORMS, CatalogError, ScenarioError, catalog_from_dict, template_text
from .engine.errors import fmt, to_decimal
from .engine.yamlio import YAMLError, describe_yaml_error, load_yaml
from .models import (
    Budget,
    Expense,
    PaybackSettings,
    PricePlan,
    Scenario,
    TimeEntry,
    TimeSaving,
    reporting_currency,
)
from .selectors import effective_catalog, exchange_rate, price_plan_entry, scenario_data

CENT = Decimal("0.01")
SCENARIO_FIELDS = ("name", "description", "currency", "years", "discount_rate", "seats", "exchange_rates")
LINE_KEYS = ("category", "name", "plan", "initial", *AMOUNT_FORMS, "rate", "escalation", "risk", "note")
NUMERIC_KEYS = frozenset(("initial", *AMOUNT_FORMS, "rate", "escalation", "risk"))
MAX_IMPORT_BYTES = 1024 * 1024
_LINE_PATH = re.compile(r"^(costs|benefits)\[(\d+)\]")


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- scenarios ----------------------------------------------------------------------------------


def canonical(number: Decimal) -> str:
    """A Decimal as canonical text: 0.0500 → "0.05", 1.2E+3 → "1200", so that equal values are stored
    alike and an untouched form changes nothing."""
    return fmt(number.normalize()) if number else "0"


def _number(value: Any) -> Any:
    """A number as canonical text; anything else is left for the engine to refuse."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_number(item) for item in value]
    number = to_decimal(value)
    return canonical(number) if number is not None else value


def normalise_line(raw: Any) -> Any:
    """A line in the engine's shape, with numbers as exact text (JSON has no Decimal), keys in a fixed
    order and empty optional values dropped. Unknown keys are kept so the engine reports them."""
    if not isinstance(raw, Mapping):
        return raw
    line: dict[str, Any] = {}
    for key in (*LINE_KEYS, *sorted(k for k in raw if k not in LINE_KEYS)):
        if key not in raw:
            continue
        value = raw[key]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key in NUMERIC_KEYS:
            value = _number(value)
        elif isinstance(value, str):
            value = value.strip()
        line[str(key)] = value
    return line


def _seats(value: Any) -> Any:
    if value in (None, "", []):
        return None
    if isinstance(value, list | tuple):
        return [_whole(item) for item in value]
    return _whole(value)


def _whole(value: Any) -> Any:
    number = to_decimal(value)
    if number is not None and number == number.to_integral_value():
        return int(number)
    return value


def _rates(value: Any) -> Any:
    if not value:
        return {}
    if not isinstance(value, Mapping):
        return value
    return {str(code).strip().upper(): _number(rate) for code, rate in value.items()}


def scenario_errors(exc: ScenarioError) -> ValidationError:
    """The engine's problems as field errors: `costs[2].hours: …` goes under `costs` (forms place it on
    the third cost row), `years: …` under `years`, a whole-file problem under `__all__`."""
    errors: dict[str, list[str]] = {}
    for problem in exc.problems:
        path = problem.path
        match = _LINE_PATH.match(path)
        if match:
            field = match.group(1)
        elif path:
            field = re.split(r"[.\[]", path, maxsplit=1)[0]
            field = field if field in (*SCENARIO_FIELDS, "costs", "benefits") else "__all__"
        else:
            field = "__all__"
        errors.setdefault(field, []).append(str(problem))
    return ValidationError(errors)


def prepare_scenario(scenario: Scenario) -> None:
    scenario.name = _text(scenario.name)
    scenario.description = (scenario.description or "").strip()
    scenario.currency = (scenario.currency or "").strip().upper()
    scenario.seats = _seats(scenario.seats)
    scenario.exchange_rates = _rates(scenario.exchange_rates)
    # Anything but a list is left as it is, for the engine to refuse with its own message.
    if isinstance(scenario.costs, list | tuple):
        scenario.costs = [normalise_line(line) for line in scenario.costs]
    if isinstance(scenario.benefits, list | tuple):
        scenario.benefits = [normalise_line(line) for line in scenario.benefits]
    elif scenario.benefits is None:
        scenario.benefits = []
    from .engine import load_scenario

    try:
        load_scenario(scenario_data(scenario), effective_catalog())
    except ScenarioError as exc:
        raise scenario_errors(exc) from None


def scenario_create(
    *,
    actor: Any,
    custom_fields: Mapping[str, Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    template: str = "",
    **fields: Any,
) -> Scenario:
    return core.create_record(
        actor=actor,
        instance=Scenario(template=template, **fields),
        custom_fields=custom_fields,
        prepare=prepare_scenario,
        external_ref=external_ref,
    )


def scenario_update(
    *,
    actor: Any,
    instance: Scenario,
    expected_version: int | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Scenario:
    return core.update_record(
        actor=actor,
        instance=instance,
        changes=changes,
        custom_fields=custom_fields,
        expected_version=expected_version,
        prepare=prepare_scenario,
    )


def scenario_delete(*, actor: Any, instance: Scenario, expected_version: int | None = None) -> None:
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)


def scenario_fields_from_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Model fields from scenario data in the engine's (YAML) shape. Lines keep their `plan:` references,
    so a scenario made from a template follows later edits of the price catalogue."""
    return {
        "name": data.get("name") or "",
        "description": data.get("description") or "",
        "currency": data.get("currency") or "",
        "years": data.get("years"),
        "discount_rate": to_decimal(data.get("discount_rate")),
        "seats": data.get("seats"),
        "exchange_rates": data.get("exchange_rates") or {},
        "costs": list(data.get("costs") or []),
        "benefits": list(data.get("benefits") or []),
    }


def scenario_create_from_template(*, actor: Any, template: str, **overrides: Any) -> Scenario:
    """A new scenario from one of the packaged templates (`template_names()`)."""
    try:
        text = template_text(template)
    except KeyError:
        raise ValidationError(
            {"template": [_g("There is no template called %(name)s.") % {"name": template}]}
        ) from None
    fields = {**scenario_fields_from_data(load_yaml(text)), **overrides}
    return scenario_create(actor=actor, template=template, **fields)


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationError({"yaml": [_g("The file is larger than 1 MB; a scenario is much smaller.")]})
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"yaml": [_g("The file is not UTF-8 text; save it as UTF-8 and try again.")]}
        ) from None


def scenario_import_yaml(*, actor: Any, content: bytes | str, **overrides: Any) -> Scenario:
    """A scenario from a YAML file in the engine's format (`guanxi tco` reads the same files).

    Every problem is reported at once, with its path (`costs[2].hours: expected 3 values …`), under the
    key `yaml`; nothing is saved unless the whole file is valid."""
    text = _decode(content)
    try:
        data = load_yaml(text)
    except YAMLError as exc:
        raise ValidationError(
            {"yaml": [_g("Invalid YAML at %(where)s") % {"where": describe_yaml_error(exc)}]}
        ) from None
    if not isinstance(data, Mapping):
        raise ValidationError({"yaml": [_g("The file does not hold a scenario (name, currency, years …).")]})
    from .engine import load_scenario

    try:
        load_scenario(dict(data), effective_catalog())
    except ScenarioError as exc:
        raise ValidationError({"yaml": exc.messages()}) from None
    with transaction.atomic():
        return scenario_create(actor=actor, **{**scenario_fields_from_data(data), **overrides})


def scenario_duplicate(*, actor: Any, scenario: Scenario, name: str = "") -> Scenario:
    fields = {name: getattr(scenario, name) for name in (*SCENARIO_FIELDS, "costs", "benefits")}
    fields["name"] = name or _g("Copy of %(name)s") % {"name": scenario.name}
    return scenario_create(actor=actor, template=scenario.template, **fields)


# --- money in the reporting currency ------------------------------------------------------------


def _convert(
    amount: Decimal, currency: str, rate: Decimal | None, on_date: Any
) -> tuple[Decimal, Decimal | None]:
    """(amount in the reporting currency, the rate used). The rate typed on the record wins; otherwise
    the sales app's exchange rates are used when it is installed; no rate is ever assumed."""
    reporting = reporting_currency()
    if currency == reporting:
        return _cents(amount), None
    if rate is not None:
        return _cents(amount * rate), rate
    if on_date is not None and isinstance(on_date, datetime.date):
        try:
            found = exchange_rate(currency, on_date)
        except (LookupError, ValueError, ArithmeticError):
            found = None
        if found is not None:
            return _cents(amount * found), found
    raise ValidationError(
        {
            "exchange_rate": [
                _g("Give the exchange rate: how many %(reporting)s one %(currency)s was worth on that date.")
                % {"reporting": reporting, "currency": currency}
            ]
        }
    )


# --- expenses -----------------------------------------------------------------------------------


def _as_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return value  # full_clean reports it
    return value


def prepare_expense(expense: Expense) -> None:
    expense.date = _as_date(expense.date)
    expense.vendor = _text(expense.vendor)
    expense.description = _text(expense.description)
    expense.invoice_number = _text(expense.invoice_number)
    expense.currency = (expense.currency or "").strip().upper()
    amount = to_decimal(expense.amount)
    if amount is None or not re.match(r"^[A-Z]{3}$", expense.currency):
        return  # full_clean reports the missing amount or the bad currency
    if expense.currency == reporting_currency():
        expense.exchange_rate = None
    expense.amount_reporting, expense.exchange_rate = _convert(
        amount, expense.currency, expense.exchange_rate, expense.date
    )


def _attachment_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """A form sends the uploaded file, False to clear it, or None/the current file for no change."""
    if "attachment" in changes:
        value = changes["attachment"]
        if value is False:
            changes["attachment"] = ""
        elif value is None or (hasattr(value, "instance") and not hasattr(value, "content_type")):
            changes.pop("attachment")
    return changes


def _delete_file_after_commit(storage: Any, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def expense_create(
    *,
    actor: Any,
    custom_fields: Mapping[str, Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    **fields: Any,
) -> Expense:
    fields = _attachment_changes(fields)
    return core.create_record(
        actor=actor,
        instance=Expense(**fields),
        custom_fields=custom_fields,
        prepare=prepare_expense,
        external_ref=external_ref,
    )


def expense_update(
    *,
    actor: Any,
    instance: Expense,
    expected_version: int | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Expense:
    changes = _attachment_changes(changes)
    # The stored name, not the instance's: a form may already have put the new upload on the instance.
    old_name = Expense.objects.filter(pk=instance.pk).values_list("attachment", flat=True).first() or ""
    storage = instance.attachment.storage
    with transaction.atomic():
        expense = core.update_record(
            actor=actor,
            instance=instance,
            changes=changes,
            custom_fields=custom_fields,
            expected_version=expected_version,
            prepare=prepare_expense,
        )
        if old_name and (expense.attachment.name or "") != old_name:
            _delete_file_after_commit(storage, old_name)
    return expense


def expense_delete(*, actor: Any, instance: Expense, expected_version: int | None = None) -> None:
    name = Expense.objects.filter(pk=instance.pk).values_list("attachment", flat=True).first() or ""
    storage = instance.attachment.storage
    with transaction.atomic():
        core.delete_record(actor=actor, instance=instance, expected_version=expected_version)
        _delete_file_after_commit(storage, name)


# --- internal time and hours saved --------------------------------------------------------------


def _person(record: TimeEntry | TimeSaving) -> None:
    if record.person is not None:
        record.person_name = record.person.name
    record.person_name = _text(record.person_name)
    if not record.person_name:
        raise ValidationError({"person": [_g("Choose the person, or type their name.")]})


def prepare_time_entry(entry: TimeEntry) -> None:
    _person(entry)
    entry.role = _text(entry.role)
    entry.description = _text(entry.description)
    hours, rate = to_decimal(entry.hours), to_decimal(entry.hourly_cost)
    entry.cost = _cents(hours * rate) if hours is not None and rate is not None else Decimal(0)


def time_entry_create(
    *,
    actor: Any,
    custom_fields: Mapping[str, Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    **fields: Any,
) -> TimeEntry:
    return core.create_record(
        actor=actor,
        instance=TimeEntry(**fields),
        custom_fields=custom_fields,
        prepare=prepare_time_entry,
        external_ref=external_ref,
    )


def time_entry_update(
    *,
    actor: Any,
    instance: TimeEntry,
    expected_version: int | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> TimeEntry:
    return core.update_record(
        actor=actor,
        instance=instance,
        changes=changes,
        custom_fields=custom_fields,
        expected_version=expected_version,
        prepare=prepare_time_entry,
    )


def time_entry_delete(*, actor: Any, instance: TimeEntry, expected_version: int | None = None) -> None:
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)


def prepare_time_saving(saving: TimeSaving) -> None:
    _person(saving)
    saving.description = _text(saving.description)
    hours, rate = to_decimal(saving.hours), to_decimal(saving.hourly_cost)
    saving.value = _cents(hours * rate) if hours is not None and rate is not None else Decimal(0)


def time_saving_create(
    *,
    actor: Any,
    custom_fields: Mapping[str, Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    **fields: Any,
) -> TimeSaving:
    return core.create_record(
        actor=actor,
        instance=TimeSaving(**fields),
        custom_fields=custom_fields,
        prepare=prepare_time_saving,
        external_ref=external_ref,
    )


def time_saving_update(
    *,
    actor: Any,
    instance: TimeSaving,
    expected_version: int | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> TimeSaving:
    return core.update_record(
        actor=actor,
        instance=instance,
        changes=changes,
        custom_fields=custom_fields,
        expected_version=expected_version,
        prepare=prepare_time_saving,
    )


def time_saving_delete(*, actor: Any, instance: TimeSaving, expected_version: int | None = None) -> None:
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)


# --- budgets ------------------------------------------------------------------------------------


def prepare_budget(budget: Budget) -> None:
    budget.notes = (budget.notes or "").strip()


def budget_create(
    *,
    actor: Any,
    custom_fields: Mapping[str, Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    **fields: Any,
) -> Budget:
    return core.create_record(
        actor=actor,
        instance=Budget(**fields),
        custom_fields=custom_fields,
        prepare=prepare_budget,
        external_ref=external_ref,
    )


def budget_update(
    *,
    actor: Any,
    instance: Budget,
    expected_version: int | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Budget:
    return core.update_record(
        actor=actor,
        instance=instance,
        changes=changes,
        custom_fields=custom_fields,
        expected_version=expected_version,
        prepare=prepare_budget,
    )


def budget_delete(*, actor: Any, instance: Budget, expected_version: int | None = None) -> None:
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)


# --- the price catalogue ------------------------------------------------------------------------

_CATALOG_FIELDS = {
    "edition": "edition",
    "currency": "currency",
    "billing": "billing",
    "price_per_user_month": "price",
    "price_per_user_year": "price",
    "source": "source",
    "read_on": "read_on",
    "via": "via",
    "note": "note",
}


def prepare_price_plan(plan: PricePlan) -> None:
    plan.vendor = (plan.vendor or "").strip().lower()
    plan.plan = (plan.plan or "").strip().lower()
    plan.vendor_name = _text(plan.vendor_name)
    plan.edition = _text(plan.edition)
    plan.currency = (plan.currency or "").strip().upper()
    plan.source = (plan.source or "").strip()
    plan.via = (plan.via or "").strip()
    plan.note = (plan.note or "").strip()
    if not (plan.vendor and plan.plan and plan.vendor_name and to_decimal(plan.price) is not None):
        return  # full_clean reports what is missing
    data = {
        "vendors": {plan.vendor: {"name": plan.vendor_name, "plans": {plan.plan: price_plan_entry(plan)}}}
    }
    try:
        catalog_from_dict(data)
    except CatalogError as exc:
        errors: dict[str, list[str]] = {}
        for problem in exc.problems:
            tail = problem.path.rsplit(".", 1)[-1]
            field = _CATALOG_FIELDS.get(tail)
            if field is None:
                field = (
                    "vendor" if problem.path.count(".") <= 1 else "plan" if tail == plan.plan else "__all__"
                )
            errors.setdefault(field, []).append(problem.message)
        raise ValidationError(errors) from None


def price_plan_create(
    *,
    actor: Any,
    custom_fields: Mapping[str, Any] | None = None,
    external_ref: tuple[str, str] | None = None,
    **fields: Any,
) -> PricePlan:
    return core.create_record(
        actor=actor, instance=PricePlan(**fields), prepare=prepare_price_plan, external_ref=external_ref
    )


def price_plan_update(
    *,
    actor: Any,
    instance: PricePlan,
    expected_version: int | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    **changes: Any,
) -> PricePlan:
    return core.update_record(
        actor=actor,
        instance=instance,
        changes=changes,
        expected_version=expected_version,
        prepare=prepare_price_plan,
    )


def price_plan_delete(*, actor: Any, instance: PricePlan, expected_version: int | None = None) -> None:
    """Delete an edited price: a packaged plan falls back to the packaged price, an added plan is gone
    (scenarios that use it then report it as unknown when they are next saved)."""
    core.delete_record(actor=actor, instance=instance, expected_version=expected_version)


# --- payback settings ---------------------------------------------------------------------------


def payback_settings_save(
    *, actor: Any, expected_version: int | None = None, **changes: Any
) -> PaybackSettings:
    """Create the installation's payback settings on first save, update them afterwards."""
    current = PaybackSettings.objects.filter(key="default").first()
    if current is None:
        return core.create_record(actor=actor, instance=PaybackSettings(key="default", **changes))
    return core.update_record(
        actor=actor, instance=current, changes=changes, expected_version=expected_version
    )
