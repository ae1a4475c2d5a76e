"""The price catalogue: dated list prices per user and month, by vendor and edition.

The packaged catalogue lives in ``guanxi/costs/data/catalog.yaml``. Its shape::

    as_of: 2026-11-28
    vendors:
      zoho-crm:                      # vendor id (lowercase, dashes)
        name: Zoho CRM
        plans:
          professional:              # plan id is "zoho-crm/professional"
            edition: Professional
            currency: USD
            billing: annual          # monthly | annual: how the published price is billed
            price_per_user_month: 23 # or price_per_user_year: 276
            source: https://www.zoho.com/crm/zohocrm-pricing.html
            read_on: 2026-08-13      # when the figure was read from that page
            via: https://...         # optional: the copy of the page the reading was taken from
            note: ...                # required when there is no source or no read_on

A price given per user and year is converted to per user and month by dividing by 12 (at the
engine's 28-digit precision, so twelve months add back to the yearly price to the cent). The
billing period does not change the figure: a price "per user per month, billed annually" is what
one seat costs per month on an annual contract, and the engine charges it as 12 x that a year.

The app lets users edit prices: build a catalogue from their data with :func:`catalog_from_dict`
(validated exactly like the file) and pass it to ``load_scenario(..., catalog=...)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, localcontext
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from guanxi.costs.engine.errors import CatalogError, Problem, describe, fmt, to_decimal
from guanxi.costs.engine.yamlio import YAMLError, describe_yaml_error, dump_yaml, load_yaml

__all__ = [
    "BILLING_PERIODS",
    "Catalog",
    "CatalogPlan",
    "catalog_from_dict",
    "catalog_to_dict",
    "default_catalog",
    "load_catalog",
]

BILLING_PERIODS: tuple[str, ...] = ("monthly", "annual")
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_URL_RE = re.compile(r"^https?://\S+$")
_PLAN_FIELDS = frozenset(
    {
        "edition",
        "currency",
        "billing",
        "price_per_user_month",
        "price_per_user_year",
        "source",
        "read_on",
        "via",
        "note",
    }
)


@dataclass(frozen=True, kw_only=True, slots=True)
class CatalogPlan:
    """One edition's list price."""

    id: str
    """``vendor/plan``, e.g. ``zoho-crm/professional``."""
    vendor: str
    """The vendor's product name, e.g. ``Zoho CRM``."""
    edition: str
    currency: str
    billing: Literal["monthly", "annual"]
    price_per_user_month: Decimal
    """Always set: a yearly price is converted (÷ 12)."""
    price_per_user_year: Decimal | None = None
    """Set only when the catalogue gives the price per year."""
    source: str | None = None
    read_on: date | None = None
    via: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        """``Zoho CRM Professional``."""
        return f"{self.vendor} {self.edition}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Catalog:
    """A validated price catalogue: plans by id, in file order."""

    as_of: date | None
    plans: Mapping[str, CatalogPlan] = field(default_factory=dict)
    vendor_names: Mapping[str, str] = field(default_factory=dict)
    """Vendor id → display name (``zoho-crm`` → ``Zoho CRM``)."""

    def get(self, plan_id: str) -> CatalogPlan | None:
        return self.plans.get(plan_id)

    def __contains__(self, plan_id: object) -> bool:
        return plan_id in self.plans

    def ids(self) -> list[str]:
        return list(self.plans)


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _text(
    raw: Mapping[str, Any], key: str, path: str, problems: list[Problem], *, required: bool
) -> str | None:
    if key not in raw or raw[key] is None:
        if required:
            problems.append(Problem(f"{path}.{key}", "required field is missing"))
        return None
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(f"{path}.{key}", f"expected text, got {describe(value)}"))
        return None
    return value.strip()


def _plan(
    vendor_id: str, vendor_name: str, plan_id: str, raw: object, problems: list[Problem]
) -> CatalogPlan | None:
    path = f"vendors.{vendor_id}.plans.{plan_id}"
    if not _ID_RE.match(plan_id):
        problems.append(
            Problem(path, "a plan id uses lowercase letters, digits and dashes (e.g. professional)")
        )
    if not isinstance(raw, Mapping):
        problems.append(Problem(path, f"expected a mapping of plan fields, got {describe(raw)}"))
        return None
    before = len(problems)
    for key in raw:
        if key not in _PLAN_FIELDS:
            problems.append(Problem(f"{path}.{key}", "unknown field"))
    edition = _text(raw, "edition", path, problems, required=True)
    currency = _text(raw, "currency", path, problems, required=True)
    if currency is not None and not _CURRENCY_RE.match(currency):
        problems.append(
            Problem(f"{path}.currency", f"expected a 3-letter currency code such as USD, got {currency!r}")
        )
    billing = _text(raw, "billing", path, problems, required=True)
    if billing is not None and billing not in BILLING_PERIODS:
        problems.append(Problem(f"{path}.billing", f"expected monthly or annual, got {billing!r}"))

    month: Decimal | None = None
    year: Decimal | None = None
    given = [k for k in ("price_per_user_month", "price_per_user_year") if k in raw]
    if not given:
        problems.append(Problem(path, "give price_per_user_month or price_per_user_year"))
    elif len(given) == 2:
        problems.append(Problem(path, "give price_per_user_month or price_per_user_year, not both"))
    else:
        key = given[0]
        value = to_decimal(raw[key])
        if value is None:
            problems.append(Problem(f"{path}.{key}", f"expected a number, got {describe(raw[key])}"))
        elif value < 0:
            problems.append(Problem(f"{path}.{key}", f"must not be negative, got {fmt(value)}"))
        elif key == "price_per_user_month":
            month = value
        else:
            year = value
            with localcontext() as ctx:
                ctx.prec = 28
                month = value / 12

    note = _text(raw, "note", path, problems, required=False)
    source = _text(raw, "source", path, problems, required=note is None)
    if source is not None and not _URL_RE.match(source):
        problems.append(Problem(f"{path}.source", f"expected an http(s) URL, got {source!r}"))
    via = _text(raw, "via", path, problems, required=False)
    if via is not None and not _URL_RE.match(via):
        problems.append(Problem(f"{path}.via", f"expected an http(s) URL, got {via!r}"))
    read_on: date | None = None
    if "read_on" in raw and raw["read_on"] is not None:
        read_on = _date(raw["read_on"])
        if read_on is None:
            problems.append(
                Problem(
                    f"{path}.read_on", f"expected a date such as 2026-08-13, got {describe(raw['read_on'])}"
                )
            )
    elif source is not None and note is None:
        problems.append(
            Problem(
                f"{path}.read_on", "required with source (the date the price was read), or explain in note"
            )
        )

    if len(problems) > before or edition is None or currency is None or month is None:
        return None
    period: Literal["monthly", "annual"] = "annual" if billing == "annual" else "monthly"
    return CatalogPlan(
        id=f"{vendor_id}/{plan_id}",
        vendor=vendor_name,
        edition=edition,
        currency=currency,
        billing=period,
        price_per_user_month=month,
        price_per_user_year=year,
        source=source,
        read_on=read_on,
        via=via,
        note=note,
    )


def catalog_from_dict(data: object) -> Catalog:
    """Validate catalogue data (the YAML shape, as Python data) and build a :class:`Catalog`.

    Raises :class:`CatalogError` listing every problem found.
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise CatalogError([Problem("", f"expected a mapping with as_of and vendors, got {describe(data)}")])
    for key in data:
        if key not in ("as_of", "vendors", "note"):
            problems.append(Problem(str(key), "unknown field"))
    as_of: date | None = None
    if data.get("as_of") is not None:
        as_of = _date(data["as_of"])
        if as_of is None:
            problems.append(
                Problem("as_of", f"expected a date such as 2026-11-28, got {describe(data['as_of'])}")
            )
    plans: dict[str, CatalogPlan] = {}
    names: dict[str, str] = {}
    vendors = data.get("vendors")
    if vendors is None:
        problems.append(Problem("vendors", "required field is missing"))
    elif not isinstance(vendors, Mapping):
        problems.append(Problem("vendors", f"expected a mapping of vendors, got {describe(vendors)}"))
    else:
        for vendor_id, vendor in vendors.items():
            vpath = f"vendors.{vendor_id}"
            if not isinstance(vendor_id, str) or not _ID_RE.match(vendor_id):
                problems.append(
                    Problem(vpath, "a vendor id uses lowercase letters, digits and dashes (e.g. zoho-crm)")
                )
                continue
            if not isinstance(vendor, Mapping):
                problems.append(
                    Problem(vpath, f"expected a mapping with name and plans, got {describe(vendor)}")
                )
                continue
            for key in vendor:
                if key not in ("name", "plans", "note"):
                    problems.append(Problem(f"{vpath}.{key}", "unknown field"))
            name = _text(vendor, "name", vpath, problems, required=True) or vendor_id
            names[vendor_id] = name
            vplans = vendor.get("plans")
            if not isinstance(vplans, Mapping) or not vplans:
                problems.append(
                    Problem(f"{vpath}.plans", f"expected a mapping of plans, got {describe(vplans)}")
                )
                continue
            for plan_key, raw in vplans.items():
                plan = _plan(vendor_id, name, str(plan_key), raw, problems)
                if plan is not None:
                    plans[plan.id] = plan
    if problems:
        raise CatalogError(problems)
    return Catalog(as_of=as_of, plans=MappingProxyType(plans), vendor_names=MappingProxyType(names))


def catalog_to_dict(catalog: Catalog) -> dict[str, Any]:
    """The catalogue as plain data in the file's shape (``catalog_from_dict`` reads it back)."""
    vendors: dict[str, Any] = {}
    for plan in catalog.plans.values():
        vendor_id, plan_key = plan.id.split("/", 1)
        vendor = vendors.setdefault(
            vendor_id, {"name": catalog.vendor_names.get(vendor_id, plan.vendor), "plans": {}}
        )
        entry: dict[str, Any] = {"edition": plan.edition, "currency": plan.currency, "billing": plan.billing}
        if plan.price_per_user_year is not None:
            entry["price_per_user_year"] = plan.price_per_user_year
        else:
            entry["price_per_user_month"] = plan.price_per_user_month
        for key in ("source", "read_on", "via", "note"):
            value = getattr(plan, key)
            if value is not None:
                entry[key] = value
        vendor["plans"][plan_key] = entry
    result: dict[str, Any] = {}
    if catalog.as_of is not None:
        result["as_of"] = catalog.as_of
    result["vendors"] = vendors
    return result


def catalog_to_yaml(catalog: Catalog) -> str:
    """The catalogue as YAML text."""
    return dump_yaml(catalog_to_dict(catalog))


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate a catalogue file; with no path, the packaged catalogue.

    Raises :class:`CatalogError` for an unreadable file, bad YAML or invalid content.
    """
    if path is None:
        text = resources.files("guanxi.costs").joinpath("data", "catalog.yaml").read_text("utf-8")
        where = "catalog.yaml"
    else:
        where = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise CatalogError([Problem("", f"cannot read {where}: {exc.strerror or exc}")]) from exc
        except UnicodeDecodeError as exc:
            raise CatalogError([Problem("", f"cannot read {where}: not UTF-8 text")]) from exc
    try:
        data = load_yaml(text)
    except YAMLError as exc:
        raise CatalogError([Problem("", f"invalid YAML in {where} at {describe_yaml_error(exc)}")]) from exc
    return catalog_from_dict(data)


@cache
def default_catalog() -> Catalog:
    """The packaged catalogue, loaded once."""
    return load_catalog()
