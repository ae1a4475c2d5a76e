"""Forms of the costs app. They only clean input; the services validate again (the scenario through the
cost engine), check permissions and save."""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import RecordForm

from . import engine
from .choices import AmountForm, Category
from .engine.errors import fmt, to_decimal
from .models import Budget, Expense, PaybackSettings, PricePlan, Scenario, TimeEntry, TimeSaving
from .selectors import effective_catalog

HUNDRED = Decimal(100)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PercentField(forms.DecimalField):
    """Shown and typed as a percentage (10 = 10%), cleaned to the ratio the engine uses (0.10)."""

    def __init__(
        self,
        *,
        low: Decimal | None = None,
        high: Decimal | None = None,
        places: int | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "any"}))
        super().__init__(**kwargs)
        self.low, self.high, self.places = low, high, places

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return fmt((Decimal(str(value)) * HUNDRED).normalize())
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        percent = super().to_python(value)
        if percent is None:
            return None
        ratio = percent / HUNDRED
        if self.places is not None:
            return ratio.quantize(Decimal(1).scaleb(-self.places))
        return ratio.normalize() if ratio else Decimal(0)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if self.low is not None and value < self.low:
            raise ValidationError(_g("Must be at least %(low)s%%.") % {"low": fmt(self.low * HUNDRED)})
        if self.high is not None and value > self.high:
            raise ValidationError(_g("Must be at most %(high)s%%.") % {"high": fmt(self.high * HUNDRED)})


def currency_choices(current: str = "") -> list[tuple[str, str]]:
    codes = list(settings.GUANXI_CURRENCIES)
    if current and current not in codes:
        codes.append(current)
    return [(code, code) for code in codes]


def parse_amounts(text: str) -> list[Decimal]:
    """`120000` or one value per year `500000; 900000; 1200000` (spaces or semicolons between values).
    Commas are refused rather than guessed at: in "100,200" they could group digits or separate years."""
    text = (text or "").strip().replace("；", ";").replace("，", ",")
    if not text:
        return []
    if "," in text:
        raise ValidationError(
            _g(
                "Write numbers without thousands separators and put spaces or semicolons between "
                "yearly values, e.g. 500000; 900000; 1200000."
            )
        )
    values = []
    for item in re.split(r"[;\s]+", text):
        if not item:
            continue
        try:
            number = Decimal(item.replace("_", ""))
        except InvalidOperation:
            raise ValidationError(_g("“%(value)s” is not a number.") % {"value": item}) from None
        if not number.is_finite():
            raise ValidationError(_g("“%(value)s” is not a number.") % {"value": item})
        values.append(number)
    return values


def format_amounts(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(
            fmt(to_decimal(v) or Decimal(0)) if to_decimal(v) is not None else str(v) for v in value
        )
    number = to_decimal(value)
    return fmt(number) if number is not None else str(value or "")


def _plan_choices() -> list[tuple[str, str]]:
    catalog = effective_catalog()
    choices = [("", "—")]
    for plan_id, plan in catalog.plans.items():
        price = fmt(plan.price_per_user_month.quantize(Decimal("0.01")))
        choices.append((plan_id, f"{plan.label} · {price} {plan.currency}/{_g('seat-month')}"))
    return choices


class LineForm(forms.Form):
    """One scenario line: what it is, its amount form and value(s), escalation and risk."""

    kind = "benefit"
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    form = forms.ChoiceField(label=_("Amount"), choices=AmountForm.choices, initial=AmountForm.YEARLY)
    values = forms.CharField(
        label=_("Value(s)"),
        required=False,
        help_text=_("One value, or one per year: 500000; 900000; 1200000"),
    )
    rate = forms.DecimalField(label=_("Rate per hour"), required=False, min_value=0)
    initial_amount = forms.DecimalField(
        label=_("Initial"), required=False, min_value=0, help_text=_("Paid once, before go-live.")
    )
    escalation = PercentField(
        label=_("Escalation %/year"), required=False, low=Decimal("-0.9999"), high=Decimal(1)
    )
    risk = PercentField(label=_("Risk %"), required=False, low=Decimal(0), high=Decimal(1))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["values"].widget.attrs["data-plan-placeholder"] = _g("catalogue price")
        if self.kind == "benefit":
            self.choice_field("form").choices = [c for c in AmountForm.choices if c[0] != AmountForm.PLAN]
        for name, field in self.fields.items():
            if name == "DELETE":
                continue
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs["data-line-field"] = name

    def choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    @classmethod
    def initial_from(cls, line: dict[str, Any]) -> dict[str, Any]:
        """Form values for a stored line (the engine's shape)."""
        data: dict[str, Any] = {"name": line.get("name", ""), "note": line.get("note", "")}
        if "category" in line:
            data["category"] = line["category"]
        for key in ("rate", "escalation", "risk"):
            if key in line:
                data[key] = to_decimal(line[key])
        if "initial" in line:
            data["initial_amount"] = to_decimal(line["initial"])
        form = next((f for f in engine.AMOUNT_FORMS if f in line), None)
        if line.get("plan"):
            data["form"] = AmountForm.PLAN
            data["plan"] = line["plan"]
            data["values"] = format_amounts(line["per_seat_month"]) if "per_seat_month" in line else ""
        elif form is not None:
            data["form"] = form
            data["values"] = format_amounts(line[form])
        else:
            data["form"] = AmountForm.INITIAL
        return data

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        form = data.get("form")
        try:
            values = parse_amounts(data.get("values", ""))
        except ValidationError as exc:
            self.add_error("values", exc)
            return data
        data["parsed"] = values
        if form == AmountForm.INITIAL:
            if data.get("initial_amount") is None:
                self.add_error("initial_amount", _g("Give the initial amount."))
            if values:
                self.add_error(
                    "values", _g("An initial-only line has no yearly values; put the amount under Initial.")
                )
        elif form == AmountForm.PLAN:
            if not data.get("plan"):
                self.add_error("plan", _g("Choose a plan from the price catalogue."))
            if len(values) > 1:
                self.add_error("values", _g("A negotiated plan price is one price per seat and month."))
        else:
            if not values:
                self.add_error("values", _g("Give the amount."))
            elif (
                form in (AmountForm.MONTHLY, AmountForm.PER_SEAT_MONTH, AmountForm.PER_SEAT_YEAR)
                and len(values) > 1
            ):
                self.add_error(
                    "values", _g("Give one value; a list per year is only for yearly amounts and hours.")
                )
            if form == AmountForm.HOURS and data.get("rate") is None:
                self.add_error("rate", _g("Give the cost of one hour."))
        if not data.get("name") and form != AmountForm.PLAN:
            self.add_error("name", _g("Give the line a name."))
        return data

    def to_line(self) -> dict[str, Any]:
        data = self.cleaned_data
        line: dict[str, Any] = {}
        if "category" in data:
            line["category"] = data["category"]
        if data.get("name"):
            line["name"] = data["name"]
        form = data["form"]
        values: list[Decimal] = data.get("parsed", [])
        if form == AmountForm.PLAN:
            line["plan"] = data["plan"]
            if values:
                line["per_seat_month"] = values[0]
        elif form != AmountForm.INITIAL:
            line[form] = values[0] if len(values) == 1 else values
        if data.get("initial_amount") is not None:
            line["initial"] = data["initial_amount"]
        if form == AmountForm.HOURS:
            line["rate"] = data["rate"]
        for key in ("escalation", "risk"):
            if data.get(key):
                line[key] = data[key]
        if data.get("note"):
            line["note"] = data["note"]
        return line


class CostLineForm(LineForm):
    kind = "cost"
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.SUBSCRIPTION)
    plan = forms.ChoiceField(label=_("Plan"), required=False, choices=())

    field_order = [
        "category",
        "name",
        "form",
        "values",
        "plan",
        "rate",
        "initial",
        "escalation",
        "risk",
        "note",
    ]

    def __init__(self, *args: Any, plan_choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = plan_choices if plan_choices is not None else _plan_choices()
        current = (self.initial or {}).get("plan")
        if current and current not in {c[0] for c in choices}:
            choices = [*choices, (current, current)]
        self.choice_field("plan").choices = choices


CostLineFormSet = forms.formset_factory(CostLineForm, extra=1, can_delete=True)
BenefitLineFormSet = forms.formset_factory(LineForm, extra=1, can_delete=True)

_LINE_ERROR = re.compile(r"^(costs|benefits)\[(\d+)\](?:\.([a-z_]+))?(?:\[\d+\])?: (.*)$", re.S)
_ENGINE_TO_FORM = {
    "yearly": "values",
    "monthly": "values",
    "per_seat_month": "values",
    "per_seat_year": "values",
    "hours": "values",
    "rate": "rate",
    "initial": "initial_amount",
    "escalation": "escalation",
    "risk": "risk",
    "plan": "plan",
    "category": "category",
    "name": "name",
    "note": "note",
}


class ScenarioForm(RecordForm):
    seats = forms.CharField(
        label=_("Seats"),
        required=False,
        help_text=_("Users paying a licence: one number for every year, or one per year (50 60 70)."),
    )
    exchange_rates = forms.CharField(
        label=_("Exchange rates"),
        required=False,
        help_text=_(
            "For catalogue prices in other currencies: USD=7.10 EUR=7.80 "
            "(units of the scenario's currency for one)."
        ),
    )
    discount_rate = PercentField(
        label=_("Discount rate %"), low=Decimal(0), high=Decimal("0.9999"), places=4, initial=Decimal("0.10")
    )
    currency = forms.ChoiceField(label=_("Currency"))

    class Meta:
        model = Scenario
        fields = [
            "name",
            "description",
            "currency",
            "years",
            "discount_rate",
            "seats",
            "exchange_rates",
            "owner",
            "team",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: Scenario = self.instance
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = currency_choices(instance.currency)
        self.fields["currency"].initial = instance.currency
        self.fields["currency"].widget.attrs["class"] = "form-select"
        if instance.pk:
            self.initial["seats"] = format_amounts(instance.seats) if instance.seats is not None else ""
            self.initial["exchange_rates"] = " ".join(
                f"{code}={format_amounts(rate)}" for code, rate in (instance.exchange_rates or {}).items()
            )
        data = self.data if self.is_bound else None
        plans = _plan_choices()
        self.cost_lines = CostLineFormSet(
            data,
            prefix="costs",
            initial=[
                CostLineForm.initial_from(line) for line in instance.costs or [] if isinstance(line, dict)
            ],
            form_kwargs={"plan_choices": plans},
        )
        self.benefit_lines = BenefitLineFormSet(
            data,
            prefix="benefits",
            initial=[
                LineForm.initial_from(line) for line in instance.benefits or [] if isinstance(line, dict)
            ],
        )
        self.line_errors: dict[str, list[str]] = {"costs": [], "benefits": []}
        self._line_forms: dict[str, list[forms.Form]] = {"costs": [], "benefits": []}

    @property
    def formsets(self) -> list[tuple[str, Any]]:
        return [("costs", self.cost_lines), ("benefits", self.benefit_lines)]

    def is_valid(self) -> bool:
        results = [super().is_valid(), *(formset.is_valid() for _kind, formset in self.formsets)]
        return all(results)

    def clean_seats(self) -> Any:
        try:
            values = parse_amounts(self.cleaned_data.get("seats", ""))
        except ValidationError:
            raise ValidationError(_g("Give whole numbers separated by spaces: 50, or 50 60 70.")) from None
        if any(v != v.to_integral_value() or v < 0 for v in values):
            raise ValidationError(_g("Seats are whole numbers, at least 0."))
        ints = [int(v) for v in values]
        if not ints:
            return None
        return ints[0] if len(ints) == 1 else ints

    def clean_exchange_rates(self) -> dict[str, str]:
        """`USD=7.10 EUR=7.80` → {"USD": "7.10", "EUR": "7.80"} (exact text: JSON has no Decimal)."""
        text = self.cleaned_data.get("exchange_rates", "") or ""
        rates: dict[str, str] = {}
        rest = text
        for match in re.finditer(r"([A-Za-z]{3})\s*[=:]\s*([0-9]+(?:\.[0-9]+)?)", text):
            rates[match.group(1).upper()] = match.group(2)
            rest = rest.replace(match.group(0), " ", 1)
        if rest.strip(" ,;\n\r\t"):
            raise ValidationError(_g("Write each rate as CODE=rate, e.g. USD=7.10 EUR=7.80."))
        return rates

    def lines(self, kind: str) -> list[dict[str, Any]]:
        formset = self.cost_lines if kind == "costs" else self.benefit_lines
        out = []
        self._line_forms[kind] = []
        for form in formset.forms:
            if not form.has_changed() and form.empty_permitted:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            out.append(form.to_line())
            self._line_forms[kind].append(form)
        return out

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        kwargs["costs"] = self.lines("costs")
        kwargs["benefits"] = self.lines("benefits")
        return kwargs

    def add_service_errors(self, exc: ValidationError) -> None:
        """Engine problems go on the row and field they are about (`costs[2].hours` → the third cost row's
        values); other problems on the form."""
        if not hasattr(exc, "error_dict"):
            super().add_service_errors(exc)
            return
        rest: dict[str, Any] = {}
        for field, errors in exc.error_dict.items():
            if field not in ("costs", "benefits"):
                rest[field] = errors
                continue
            for error in errors:
                for message in error.messages:
                    self._place_line_error(field, message)
        if rest:
            super().add_service_errors(ValidationError(rest))

    def _place_line_error(self, kind: str, message: str) -> None:
        match = _LINE_ERROR.match(message)
        if match is None:
            self.line_errors[kind].append(message)
            return
        index, field, text = int(match.group(2)), match.group(3), match.group(4)
        forms_ = self._line_forms.get(kind, [])
        if index >= len(forms_):
            self.line_errors[kind].append(message)
            return
        target = _ENGINE_TO_FORM.get(field or "")
        form = forms_[index]
        if target not in form.fields:
            target = None
        form.add_error(target, f"{field}: {text}" if field and target is None else text)


class AttachmentValue:
    """What the file widget shows for a stored attachment: its name, linked to the permission-checked
    download view (never to the file's storage path)."""

    def __init__(self, expense: Expense) -> None:
        self.url = reverse("costs:expense_attachment", args=[expense.pk])
        self.name = os.path.basename(expense.attachment.name or "")

    def __str__(self) -> str:
        return self.name


class AttachmentInput(forms.ClearableFileInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.expense: Expense | None = None

    def is_initial(self, value: Any) -> bool:
        return bool(value) and self.expense is not None and self.expense.pk is not None

    def format_value(self, value: Any) -> Any:
        if self.is_initial(value) and self.expense is not None:
            return AttachmentValue(self.expense)
        return None


class ExpenseForm(RecordForm):
    currency = forms.ChoiceField(label=_("Currency"))

    class Meta:
        model = Expense
        fields = [
            "date",
            "category",
            "vendor",
            "description",
            "amount",
            "currency",
            "exchange_rate",
            "invoice_number",
            "attachment",
            "notes",
            "owner",
            "team",
        ]
        widgets = {"date": DATE, "notes": forms.Textarea(attrs={"rows": 3}), "attachment": AttachmentInput}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = currency_choices(self.instance.currency)
        self.fields["currency"].initial = self.instance.currency
        self.fields["currency"].widget.attrs["class"] = "form-select"
        self.fields["attachment"].widget.expense = self.instance
        self.fields["attachment"].widget.attrs["class"] = "form-control"
        if not self.instance.pk:
            self.fields["date"].initial = timezone.localdate()

    def model_changes(self) -> dict[str, Any]:
        changes = super().model_changes()
        value = changes.get("attachment")
        if value is not False and not hasattr(value, "content_type"):
            changes.pop("attachment", None)
        return changes


def _people() -> Any:
    return get_user_model().objects.filter(is_active=True).order_by("display_name", "username")


class PersonFormMixin:
    fields: dict[str, Any]
    instance: Any
    user: Any

    def setup_person(self) -> None:
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _people()
        if not self.instance.pk and self.user is not None:
            field.initial = self.user.pk

    def clean_person_check(self, data: dict[str, Any]) -> None:
        if not data.get("person") and not data.get("person_name"):
            self.add_error("person", _g("Choose the person, or type their name."))  # type: ignore[attr-defined]


class TimeEntryForm(PersonFormMixin, RecordForm):
    class Meta:
        model = TimeEntry
        fields = [
            "person",
            "person_name",
            "role",
            "date",
            "hours",
            "hourly_cost",
            "purpose",
            "category",
            "description",
            "owner",
            "team",
        ]
        widgets = {"date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_person()
        if not self.instance.pk:
            self.fields["date"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.clean_person_check(data)
        return data


class TimeSavingForm(PersonFormMixin, RecordForm):
    class Meta:
        model = TimeSaving
        fields = ["person", "person_name", "date", "description", "hours", "hourly_cost", "owner", "team"]
        widgets = {"date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_person()
        if not self.instance.pk:
            self.fields["date"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.clean_person_check(data)
        return data


class BudgetForm(RecordForm):
    class Meta:
        model = Budget
        fields = ["year", "category", "amount", "notes", "owner", "team"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year


class PricePlanForm(RecordForm):
    class Meta:
        model = PricePlan
        fields = [
            "vendor",
            "vendor_name",
            "plan",
            "edition",
            "price",
            "price_period",
            "currency",
            "billing",
            "source",
            "read_on",
            "via",
            "note",
        ]
        widgets = {"read_on": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].widget.attrs["maxlength"] = 3


def price_plan_initial(plan: engine.CatalogPlan, vendor_name: str) -> dict[str, Any]:
    """Form values to override a packaged price, seeded from catalog.yaml."""
    vendor, key = plan.id.split("/", 1)
    yearly = plan.price_per_user_year is not None
    return {
        "vendor": vendor,
        "vendor_name": vendor_name,
        "plan": key,
        "edition": plan.edition,
        "currency": plan.currency,
        "billing": plan.billing,
        "price": plan.price_per_user_year if yearly else plan.price_per_user_month,
        "price_period": "year" if yearly else "month",
        "source": plan.source or "",
        "read_on": plan.read_on,
        "via": plan.via or "",
        "note": plan.note or "",
    }


class PaybackSettingsForm(RecordForm):
    attribution = PercentField(
        label=_("Share of the uplift attributed to the CRM (%)"),
        low=Decimal(0),
        high=Decimal(1),
        places=4,
        help_text=_(
            "Other things changed too (prices, the market, new hires). At 100%, all of the change in won "
            "revenue since go-live is credited to the CRM."
        ),
    )

    class Meta:
        model = PaybackSettings
        fields = ["go_live", "baseline_months", "attribution", "plan"]
        widgets = {"go_live": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan = self.fields["plan"]
        if self.user is not None and isinstance(plan, forms.ModelChoiceField):
            plan.queryset = Scenario.objects.visible_to(self.user).order_by("name")


class ScenarioImportForm(forms.Form):
    file = forms.FileField(label=_("YAML file"), required=False)
    text = forms.CharField(
        label=_("… or paste the YAML"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 14, "class": "form-control font-monospace", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".yaml,.yml,text/yaml"})

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("file") and not (data.get("text") or "").strip():
            raise ValidationError(_g("Choose a YAML file or paste its text."))
        return data

    def content(self) -> bytes | str:
        upload = self.cleaned_data.get("file")
        if upload:
            return b"".join(upload.chunks())
        return str(self.cleaned_data["text"])


class CompareForm(forms.Form):
    scenarios = forms.ModelMultipleChoiceField(
        label=_("Scenarios"),
        queryset=Scenario.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scenarios = self.fields["scenarios"]
        assert isinstance(scenarios, forms.ModelMultipleChoiceField)
        scenarios.queryset = Scenario.objects.visible_to(user).order_by("name")
