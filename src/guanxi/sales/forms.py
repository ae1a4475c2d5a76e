from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from guanxi.core.formrender import stock_widget_renderer
from guanxi.core.forms import RecordChoiceField, RecordForm, limit_links

from .choices import ContactRole, PicklistKind, StageKind
from .models import Deal, Lead, PicklistValue, Pipeline, Product, Stage

CURRENCIES = [(c, c) for c in settings.GUANXI_CURRENCIES]


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
            continue
        widget.attrs.setdefault(
            "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
        )


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class LeadForm(RecordForm):
    class Meta:
        model = Lead
        fields = [
            "full_name",
            "company_name",
            "title",
            "email",
            "phone",
            "source",
            "status",
            "disqualification_reason",
            "country",
            "province",
            "city",
            "owner",
            "team",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "source").queryset = PicklistValue.objects.filter(
            kind=PicklistKind.LEAD_SOURCE, active=True
        )
        _model_choice(self, "status").queryset = PicklistValue.objects.filter(
            kind=PicklistKind.LEAD_STATUS, active=True
        )
        if not self.instance.pk:
            _model_choice(self, "owner").empty_label = str(_("Assign by the rules"))
            self.fields["owner"].initial = None


class DealForm(RecordForm):
    company = RecordChoiceField("company", label=_("Company"), required=False)
    currency = forms.ChoiceField(
        label=_("Currency"), choices=CURRENCIES, initial=settings.GUANXI_DEFAULT_CURRENCY
    )

    class Meta:
        model = Deal
        fields = [
            "name",
            "company",
            "pipeline",
            "stage",
            "amount",
            "currency",
            "expected_close_date",
            "source",
            "lost_reason",
            "lost_note",
            "owner",
            "team",
            "notes",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "expected_close_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.user is not None:
            limit_links(self, self.user, "company")
        _model_choice(self, "pipeline").queryset = Pipeline.objects.filter(active=True)
        self.fields["pipeline"].required = False
        stage = _model_choice(self, "stage")
        stage.queryset = Stage.objects.select_related("pipeline").order_by("pipeline__order", "order")
        stage.required = False
        # A per-instance label: mypy takes the lambda for an unbound method.
        stage.label_from_instance = lambda s: f"{s.pipeline.name} · {s.name}"  # type: ignore[assignment]
        _model_choice(self, "source").queryset = PicklistValue.objects.filter(
            kind=PicklistKind.LEAD_SOURCE, active=True
        )
        _model_choice(self, "lost_reason").queryset = PicklistValue.objects.filter(
            kind=PicklistKind.LOST_REASON, active=True
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        stage, pipeline = data.get("stage"), data.get("pipeline")
        if stage is not None and pipeline is None:
            data["pipeline"] = stage.pipeline
        return data


class ProductForm(RecordForm):
    currency = forms.ChoiceField(
        label=_("Currency"), choices=CURRENCIES, initial=settings.GUANXI_DEFAULT_CURRENCY
    )

    class Meta:
        model = Product
        fields = ["code", "name", "unit", "list_price", "currency", "tax_rate", "active", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PipelineForm(RecordForm):
    class Meta:
        model = Pipeline
        fields = ["name", "is_default", "order", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = list(self.instance.stages.all()) if self.instance.pk else []
        self.stage_formset = StageFormSet(
            data=self.data if self.is_bound else None,
            prefix="stages",
            initial=[
                {"id": s.pk, "name": s.name, "probability": s.probability, "kind": s.kind} for s in stages
            ]
            or [
                {"name": str(_("Qualification")), "probability": 10, "kind": StageKind.OPEN},
                {"name": str(_("Won")), "probability": 100, "kind": StageKind.WON},
                {"name": str(_("Lost")), "probability": 0, "kind": StageKind.LOST},
            ],
        )

    def is_valid(self) -> bool:
        return super().is_valid() & self.stage_formset.is_valid()

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        stages = []
        for form in self.stage_formset.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or not data.get("name"):
                continue
            stages.append(
                {
                    "id": data.get("id"),
                    "name": data["name"],
                    "probability": data["probability"],
                    "kind": data["kind"],
                }
            )
        kwargs["stages"] = stages
        return kwargs


class StageForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Stage"), max_length=80, required=False)
    probability = forms.IntegerField(label=_("Win probability (%)"), min_value=0, max_value=100, initial=10)
    kind = forms.ChoiceField(label=_("Type"), choices=StageKind.choices, initial=StageKind.OPEN)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


StageFormSet = forms.formset_factory(StageForm, extra=2, can_delete=True)


class ConvertForm(forms.Form):
    company = RecordChoiceField(
        "company",
        label=_("Link to the existing company"),
        required=False,
        help_text=_("Leave empty to use a matching company or create one."),
    )
    contact = RecordChoiceField(
        "contact",
        label=_("Link to the existing contact"),
        required=False,
        help_text=_("Leave empty to use a contact with the same e-mail or phone, or create one."),
    )
    create_deal = forms.BooleanField(label=_("Also create a deal"), required=False, initial=True)
    deal_name = forms.CharField(label=_("Deal name"), max_length=200, required=False)
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.filter(active=True), required=False
    )
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, required=False, min_value=Decimal("0")
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=CURRENCIES, initial=settings.GUANXI_DEFAULT_CURRENCY
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            limit_links(self, user, "company", "contact")
        _style(self)


class LostForm(forms.Form):
    default_renderer = stock_widget_renderer  # on every board: its widgets written in Python, same markup

    lost_reason = forms.ModelChoiceField(
        label=_("Why was it lost?"),
        queryset=PicklistValue.objects.filter(kind=PicklistKind.LOST_REASON, active=True),
    )
    lost_note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class DealContactForm(forms.Form):
    contact = RecordChoiceField("contact", label=_("Contact"))
    role = forms.ChoiceField(label=_("Role"), choices=ContactRole.choices, initial=ContactRole.DECISION_MAKER)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            limit_links(self, user, "contact")
        _style(self)


class LineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(active=True), required=False
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=12, decimal_places=3, min_value=Decimal("0"), initial=1
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=14, decimal_places=2, required=False, min_value=Decimal("0")
    )
    discount = forms.DecimalField(
        label=_("Discount (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        initial=0,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


LineFormSet = forms.formset_factory(LineForm, extra=2, can_delete=True)
