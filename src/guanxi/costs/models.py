"""Cost records: TCO scenarios, the ledger of actual spending (expenses and internal time), budgets,
hours saved, the editable price catalogue and the payback settings.

Money is Decimal with a currency code. Ledger amounts are also kept in the reporting currency
(`settings.GUANXI_DEFAULT_CURRENCY`) so budgets, actuals and payback add up in one currency.
"""

from __future__ import annotations

import os
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import BaseModel, OwnedModel

from .choices import Billing, Category, PricePeriod, TimePurpose

currency_code = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter currency code such as CNY or USD."))

ATTACHMENT_EXTENSIONS = (
    ".pdf",
    ".ofd",
    ".xml",
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
    ".gif",
    ".heic",
    ".xlsx",
    ".xls",
    ".csv",
    ".docx",
    ".doc",
    ".txt",
    ".zip",
)


def reporting_currency() -> str:
    return str(settings.GUANXI_DEFAULT_CURRENCY)


def attachment_max_bytes() -> int:
    return int(getattr(settings, "GUANXI_COSTS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def validate_attachment(file: Any) -> None:
    size = getattr(file, "size", 0) or 0
    limit = attachment_max_bytes()
    if size > limit:
        raise ValidationError(
            _g("The file is %(size)s; attachments may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    extension = os.path.splitext(getattr(file, "name", "") or "")[1].lower()
    if extension not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            _g("Files of type %(ext)s cannot be attached; use one of %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(ATTACHMENT_EXTENSIONS)},
            code="file_type",
        )


def expense_upload_to(instance: Any, filename: str) -> str:
    """Under the data directory's uploads, in a folder nobody can guess; never served directly."""
    base = os.path.basename(filename).replace("\x00", "")[:120] or "attachment"
    return f"costs/expenses/{uuid.uuid4().hex}/{base}"


class Scenario(OwnedModel):
    """A TCO / ROI scenario: the engine's scenario, stored with its lines in the engine's own shape (one
    JSON list of cost lines and one of benefit lines), so every change to a line is part of the scenario's
    audited, versioned state."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, default=reporting_currency, validators=[currency_code]
    )
    years = models.PositiveSmallIntegerField(
        _("years"), default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    discount_rate = models.DecimalField(
        _("discount rate"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.9999"))],
    )
    seats = models.JSONField(
        _("seats"), null=True, blank=True, help_text=_("One number for every year, or one per year.")
    )
    exchange_rates = models.JSONField(_("exchange rates"), default=dict, blank=True)
    costs = models.JSONField(_("cost lines"), default=list, blank=True)
    benefits = models.JSONField(_("benefit lines"), default=list, blank=True)
    template = models.CharField(_("template"), max_length=60, blank=True, editable=False)

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        indexes = [
            models.Index(fields=["owner", "name", "id"], name="costs_scenario_owner_sort"),
            models.Index(fields=["team", "name", "id"], name="costs_scenario_team_sort"),
            models.Index(fields=["name", "id"], name="costs_scenario_sort"),
        ]

    def __str__(self) -> str:
        return self.name


class Expense(OwnedModel):
    """Money actually spent on the CRM: one invoice or payment."""

    date = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    vendor = models.CharField(_("vendor"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=500)
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Negative for a refund or a credit note."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, default=reporting_currency, validators=[currency_code]
    )
    exchange_rate = models.DecimalField(
        _("exchange rate"),
        max_digits=16,
        decimal_places=8,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text=_("Units of the reporting currency for one unit of this currency, on the expense's date."),
    )
    amount_reporting = models.DecimalField(
        _("amount in the reporting currency"), max_digits=16, decimal_places=2, default=0, editable=False
    )
    invoice_number = models.CharField(_("invoice number"), max_length=100, blank=True)
    attachment = models.FileField(
        _("attachment"),
        upload_to=expense_upload_to,
        max_length=300,
        blank=True,
        validators=[validate_attachment],
        help_text=_("The invoice or receipt (PDF, OFD, image, spreadsheet …)."),
    )
    notes = models.TextField(_("notes"), blank=True)

    audit_exclude = (*BaseModel.audit_exclude, "amount_reporting")

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        indexes = [
            models.Index(fields=["owner", "date", "id"], name="costs_expense_owner_sort"),
            models.Index(fields=["team", "date", "id"], name="costs_expense_team_sort"),
            models.Index(fields=["date", "id"], name="costs_expense_sort"),
            models.Index(fields=["category", "date"], name="costs_expense_category"),
            models.Index(fields=["vendor", "id"], name="costs_expense_vendor"),
            models.Index(fields=["amount", "id"], name="costs_expense_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.vendor or self.description}"[:200]


class TimeEntry(OwnedModel):
    """Internal time spent on the CRM (training, data clean-up, administration …), valued at an hourly
    cost in the reporting currency."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person_name = models.CharField(
        _("person's name"),
        max_length=150,
        blank=True,
        help_text=_("For someone without an account; filled in from the person otherwise."),
    )
    role = models.CharField(_("role"), max_length=100, blank=True, help_text=_("e.g. CRM administrator"))
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(1000))],
    )
    hourly_cost = models.DecimalField(
        _("hourly cost"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Salary and overheads per hour, in the reporting currency."),
    )
    category = models.CharField(
        _("category"), max_length=30, choices=Category.choices, default=Category.INTERNAL
    )
    purpose = models.CharField(_("what it was for"), max_length=30, choices=TimePurpose.choices)
    description = models.CharField(_("description"), max_length=500, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, default=0, editable=False)

    audit_exclude = (*BaseModel.audit_exclude, "cost")

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        indexes = [
            models.Index(fields=["owner", "date", "id"], name="costs_time_owner_sort"),
            models.Index(fields=["team", "date", "id"], name="costs_time_team_sort"),
            models.Index(fields=["date", "id"], name="costs_time_sort"),
            models.Index(fields=["category", "date"], name="costs_time_category"),
        ]

    def __str__(self) -> str:
        return f"{self.person_name or '—'} · {self.date:%Y-%m-%d} · {self.hours} h"


class Budget(OwnedModel):
    """The budget of one cost category for one calendar year, in the reporting currency."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "category"],
                name="costs_budget_unique_year_category",
                violation_error_message=_("This category already has a budget for that year."),
            )
        ]
        indexes = [
            models.Index(fields=["owner", "year", "id"], name="costs_budget_owner_sort"),
            models.Index(fields=["team", "year", "id"], name="costs_budget_team_sort"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_category_display()}"


class TimeSaving(OwnedModel):
    """Hours the CRM saved (reports no longer built by hand, data no longer copied …), valued at an
    hourly cost: a measured benefit."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person_name = models.CharField(_("person's name"), max_length=150, blank=True)
    date = models.DateField(_("date"))
    description = models.CharField(_("what became faster"), max_length=500)
    hours = models.DecimalField(
        _("hours saved"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(10000))],
    )
    hourly_cost = models.DecimalField(
        _("hourly cost"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("In the reporting currency."),
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=0, editable=False)

    audit_exclude = (*BaseModel.audit_exclude, "value")

    class Meta:
        verbose_name = _("hours saved")
        verbose_name_plural = _("hours saved")
        indexes = [
            models.Index(fields=["owner", "date", "id"], name="costs_saving_owner_sort"),
            models.Index(fields=["team", "date", "id"], name="costs_saving_team_sort"),
            models.Index(fields=["date", "id"], name="costs_saving_sort"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} · {self.description}"[:200]


class PricePlan(BaseModel):
    """A price in the catalogue edited or added here; it replaces the packaged price with the same
    `vendor/plan` id (from costs/data/catalog.yaml) or adds a new plan."""

    vendor = models.SlugField(_("vendor id"), max_length=60, help_text=_("e.g. zoho-crm"))
    vendor_name = models.CharField(_("vendor"), max_length=100)
    plan = models.SlugField(_("plan id"), max_length=60, help_text=_("e.g. professional"))
    edition = models.CharField(_("edition"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    billing = models.CharField(_("billing"), max_length=10, choices=Billing.choices, default=Billing.ANNUAL)
    price = models.DecimalField(
        _("list price"), max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal(0))]
    )
    price_period = models.CharField(
        _("price is"), max_length=10, choices=PricePeriod.choices, default=PricePeriod.MONTH
    )
    source = models.URLField(
        _("source"), max_length=500, blank=True, help_text=_("The page the price is on.")
    )
    read_on = models.DateField(_("read on"), null=True, blank=True, help_text=_("When the price was read."))
    via = models.URLField(_("read via"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("catalogue price")
        verbose_name_plural = _("catalogue prices")
        ordering = ["vendor", "plan"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "plan"],
                name="costs_priceplan_unique",
                violation_error_message=_("This plan is already in the catalogue; edit it instead."),
            )
        ]
        indexes = [models.Index(fields=["vendor", "id"], name="costs_priceplan_sort")]

    def __str__(self) -> str:
        return f"{self.vendor_name} {self.edition}"

    @property
    def plan_id(self) -> str:
        return f"{self.vendor}/{self.plan}"


class PaybackSettings(BaseModel):
    """How benefits are measured: one row for the installation."""

    key = models.CharField(max_length=20, default="default", unique=True, editable=False)
    go_live = models.DateField(_("go-live date"), null=True, blank=True)
    baseline_months = models.PositiveSmallIntegerField(
        _("baseline months"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("How many months before go-live the 'before' figures are measured over."),
    )
    attribution = models.DecimalField(
        _("share attributed to the CRM"),
        max_digits=5,
        decimal_places=4,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    plan = models.ForeignKey(
        Scenario,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The scenario the actual figures are compared with."),
    )

    class Meta:
        verbose_name = _("payback settings")
        verbose_name_plural = _("payback settings")

    def __str__(self) -> str:
        return str(_("Payback settings"))
