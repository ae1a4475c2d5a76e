"""Leads, pipelines and stages, deals with their contacts and product lines, products, exchange rates."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import BaseModel, OwnedModel
from guanxi.core.search import SearchTextField

from .choices import ContactRole, PicklistKind, StageKind, StatusMeaning

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class _DecimalSize(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _DecimalSize = {"max_digits": 14, "decimal_places": 2}


def currency_field(verbose_name: StrOrPromise | None = None) -> models.CharField:
    return models.CharField(
        verbose_name or _("currency"), max_length=3, default=settings.GUANXI_DEFAULT_CURRENCY
    )


class PicklistValue(models.Model):
    """An entry of an editable list: lead sources, lead statuses, lost reasons."""

    kind = models.CharField(_("list"), max_length=20, choices=PicklistKind.choices)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label (English)"), max_length=80)
    label_zh = models.CharField(_("label (Chinese)"), max_length=80, blank=True)
    meaning = models.CharField(_("meaning"), max_length=20, choices=StatusMeaning.choices, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="picklist_unique_key")]
        verbose_name = _("list value")
        verbose_name_plural = _("list values")

    def __str__(self) -> str:
        language = get_language() or ""
        return self.label_zh if language.startswith("zh") and self.label_zh else self.label


class Pipeline(BaseModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default"), default=False)
    order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=80)
    order = models.PositiveIntegerField(_("order"), default=100)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    kind = models.CharField(_("type"), max_length=10, choices=StageKind.choices, default=StageKind.OPEN)

    class Meta:
        ordering = ["pipeline", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name")]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != StageKind.OPEN


class Lead(OwnedModel):
    full_name = models.CharField(pgettext_lazy("person", "name"), max_length=150)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_e164 = models.CharField(
        _("phone (E.164)"), max_length=20, blank=True, editable=False, db_index=True
    )
    source = models.ForeignKey(
        PicklistValue,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": PicklistKind.LEAD_SOURCE},
    )
    status = models.ForeignKey(
        PicklistValue,
        verbose_name=_("status"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": PicklistKind.LEAD_STATUS},
    )
    disqualification_reason = models.CharField(_("disqualification reason"), max_length=300, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="CN")
    province = models.CharField(_("province / state"), max_length=60, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField("core.Tag", verbose_name=_("tags"), blank=True, related_name="+")
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True, editable=False)
    converted_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("converted to contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    converted_company = models.ForeignKey(
        "customers.Company",
        verbose_name=_("converted to company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    converted_deal = models.ForeignKey(
        "sales.Deal",
        verbose_name=_("converted to deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    sort_name = models.CharField(max_length=150, editable=False, db_index=True)
    search_text = SearchTextField()

    audit_exclude = (*OwnedModel.audit_exclude, "phone_e164")

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["owner", "sort_name", "id"], name="lead_owner_sort"),
            models.Index(fields=["team", "sort_name", "id"], name="lead_team_sort"),
            models.Index(fields=["status", "id"], name="lead_status"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def search_subtitle(self) -> str:
        return self.company_name


class Product(BaseModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="")
    list_price = models.DecimalField(
        _("list price"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = currency_field()
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    active = models.BooleanField(_("active"), default=True, db_index=True)
    description = models.TextField(_("description"), blank=True)
    sort_name = models.CharField(max_length=200, editable=False, db_index=True)
    search_text = SearchTextField()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Deal(OwnedModel):
    name = models.CharField(_("name"), max_length=200)
    company = models.ForeignKey(
        "customers.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals")
    amount = models.DecimalField(
        _("amount"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = currency_field()
    amount_from_lines = models.BooleanField(
        _("amount from product lines"),
        default=False,
        help_text=_("Keep the amount equal to the total of the product lines."),
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True, db_index=True)
    source = models.ForeignKey(
        PicklistValue,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": PicklistKind.LEAD_SOURCE},
    )
    lost_reason = models.ForeignKey(
        PicklistValue,
        verbose_name=_("lost reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": PicklistKind.LOST_REASON},
    )
    lost_note = models.CharField(_("lost note"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False, db_index=True)
    stage_entered_at = models.DateTimeField(_("in stage since"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    contacts = models.ManyToManyField(
        "customers.Contact",
        through="DealContact",
        related_name="deals",
        verbose_name=_("contacts"),
        blank=True,
    )
    tags = models.ManyToManyField("core.Tag", verbose_name=_("tags"), blank=True, related_name="+")
    sort_name = models.CharField(max_length=200, editable=False, db_index=True)
    search_text = SearchTextField()

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["pipeline", "stage", "id"], name="deal_board"),
            models.Index(fields=["owner", "sort_name", "id"], name="deal_owner_sort"),
            models.Index(fields=["team", "sort_name", "id"], name="deal_team_sort"),
            # The board's newest cards per column for one owner, and within a closing month (with `deal_board`
            # for the rest); the dashboard's figures over deals closed in a period, from the index alone.
            models.Index(fields=["owner", "pipeline", "stage", "id"], name="deal_owner_board"),
            models.Index(
                fields=["pipeline", "stage", "expected_close_date", "owner", "team", "id"],
                name="deal_board_month",
            ),
            models.Index(
                fields=["stage", "closed_at", "currency", "amount", "owner", "team", "created_at"],
                name="deal_closed_totals",
            ),
            models.Index(fields=["closed_at", "stage"], name="deal_closed"),
            models.Index(fields=["amount", "id"], name="deal_amount_sort"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def search_subtitle(self) -> str:
        return f"{self.currency} {self.amount:,.2f}"


class DealContact(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contact_roles")
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="deal_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=ContactRole.choices, default=ContactRole.OTHER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deal", "contact"], name="dealcontact_unique")]
        verbose_name = _("deal contact")
        verbose_name_plural = _("deal contacts")

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_role_display()})"


class DealLine(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit_price = models.DecimalField(_("unit price"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    discount = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")

    def __str__(self) -> str:
        return self.description or str(self.product)

    @property
    def total(self) -> Decimal:
        gross = self.quantity * self.unit_price * (Decimal("100") - self.discount) / Decimal("100")
        return gross.quantize(Decimal("0.01"))


class StageChange(models.Model):
    """A deal's move from one stage to another: the events its timeline and stage durations come from."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    time = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["time", "id"]
        indexes = [models.Index(fields=["deal", "time"], name="stagechange_deal")]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class DealTotal(models.Model):
    """How many deals, and their amount in cents, per stage, pipeline, owner, team, currency and month of
    expected closing: the board's and the dashboard's totals without reading the deals themselves.

    Derived data, like an index: database triggers on `sales_deal` (migration 0004) keep it in step with
    every insert, update and delete of a deal, in the writer's transaction — services, bulk imports, the
    SET NULL of a deleted team alike. Concurrent writers add to and subtract from a row atomically (an
    upsert), so no increment is lost. Owner and team are stored as 0 and the month as "" when empty, so that
    every combination is one row; rows may fall to zero deals and stay. Reads apply the deal visibility
    condition (owner / team) to these columns, which is exactly the condition on the deals they count."""

    stage_id = models.BigIntegerField()
    pipeline_id = models.BigIntegerField()
    owner_id = models.BigIntegerField()
    team_id = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    close_month = models.CharField(max_length=7)  # "YYYY-MM" of expected_close_date, "" when none
    deals = models.BigIntegerField(default=0)
    amount_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stage_id", "pipeline_id", "currency", "close_month", "owner_id", "team_id"],
                name="dealtotal_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage_id}/{self.owner_id}/{self.currency}/{self.close_month}: {self.deals}"


class ExchangeRate(models.Model):
    """How many units of the reporting currency one unit of `currency` is worth from `valid_from` on."""

    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(
        _("rate"), max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal("0.00000001"))]
    )
    valid_from = models.DateField(_("valid from"))

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["currency", "valid_from"], name="rate_unique_day")]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {settings.GUANXI_DEFAULT_CURRENCY} ({self.valid_from})"


class AssignmentRule(models.Model):
    """Gives new leads without an owner to someone: round-robin within a team, or a named user, for leads
    matching a source and/or region (province or city). Rules are tried in order; the first match wins."""

    ROUND_ROBIN = "round_robin"
    USER = "user"
    METHODS = [(ROUND_ROBIN, _("Round-robin within the team")), (USER, _("A named user"))]

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    source = models.ForeignKey(
        PicklistValue,
        verbose_name=_("when the source is"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": PicklistKind.LEAD_SOURCE},
    )
    region = models.CharField(_("when the province or city is"), max_length=60, blank=True)
    method = models.CharField(_("assign"), max_length=20, choices=METHODS, default=ROUND_ROBIN)
    team = models.ForeignKey(
        "users.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self) -> str:
        return self.name


class WebForm(models.Model):
    """A public web-to-lead form an administrator enables and embeds on the company's site."""

    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(max_length=40, unique=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=False)
    source = models.ForeignKey(
        PicklistValue,
        verbose_name=_("source of its leads"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": PicklistKind.LEAD_SOURCE},
    )
    thank_you = models.CharField(_("thank-you message"), max_length=300, blank=True)
    redirect_url = models.URLField(_("after sending, go to"), blank=True)
    allowed_origins = models.CharField(
        _("sites that may embed it"),
        max_length=500,
        blank=True,
        help_text=_("Space-separated origins such as https://www.example.com; empty: any site."),
    )
    submissions = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name
