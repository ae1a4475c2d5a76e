"""The costs API: /api/v1/costs/scenarios/ (and /{id}/result/ with the engine's JSON), expenses,
time-entries, budgets, time-savings and price-plans. Reads go through visibility, writes through the
services (so the engine validates scenarios and every change is audited)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _g
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.core.api import RecordSerializer, RecordViewSet
from guanxi.users.models import User

from . import engine, selectors
from .models import Budget, Expense, PricePlan, Scenario, TimeEntry, TimeSaving

OWNED_FIELDS = ("owner", "team")
BASE_FIELDS = ("id", "version", "created_at", "updated_at", "custom_fields")


class ScenarioSerializer(RecordSerializer):
    seats = serializers.JSONField(
        required=False, allow_null=True, help_text="One number for every year, or a list of one per year."
    )
    exchange_rates = serializers.JSONField(
        required=False, help_text='Units of the scenario currency per unit of another: {"USD": "7.10"}.'
    )
    costs = serializers.JSONField(
        required=False, help_text="Cost lines in the engine's format (docs/costs-engine.md)."
    )
    benefits = serializers.JSONField(required=False, help_text="Benefit lines in the engine's format.")

    class Meta(RecordSerializer.Meta):
        model = Scenario
        fields = (
            *BASE_FIELDS,
            "name",
            "description",
            "currency",
            "years",
            "discount_rate",
            "seats",
            "exchange_rates",
            "costs",
            "benefits",
            "template",
            *OWNED_FIELDS,
        )
        read_only_fields = (*RecordSerializer.Meta.read_only_fields, "template")


class ExpenseSerializer(RecordSerializer):
    attachment_url = serializers.SerializerMethodField()

    class Meta(RecordSerializer.Meta):
        model = Expense
        fields = (
            *BASE_FIELDS,
            "date",
            "category",
            "vendor",
            "description",
            "amount",
            "currency",
            "exchange_rate",
            "amount_reporting",
            "invoice_number",
            "attachment_url",
            "notes",
            *OWNED_FIELDS,
        )
        read_only_fields = (*RecordSerializer.Meta.read_only_fields, "amount_reporting")

    def get_attachment_url(self, obj: Expense) -> str | None:
        """The permission-checked download of the attachment (upload it through the web page)."""
        if not obj.attachment:
            return None
        url = reverse("costs:expense_attachment", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class PersonSerializerMixin(RecordSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields.get("person")
        if isinstance(person, serializers.PrimaryKeyRelatedField):
            person.queryset = User.objects.filter(is_active=True)  # type: ignore[arg-type]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        person = attrs.get("person", getattr(self.instance, "person", None))
        name = attrs.get("person_name", getattr(self.instance, "person_name", ""))
        if person is None and not name:
            raise serializers.ValidationError({"person": [_g("Choose the person, or type their name.")]})
        return attrs


class TimeEntrySerializer(PersonSerializerMixin):
    class Meta(RecordSerializer.Meta):
        model = TimeEntry
        fields = (
            *BASE_FIELDS,
            "person",
            "person_name",
            "role",
            "date",
            "hours",
            "hourly_cost",
            "cost",
            "category",
            "purpose",
            "description",
            *OWNED_FIELDS,
        )
        read_only_fields = (*RecordSerializer.Meta.read_only_fields, "cost")


class TimeSavingSerializer(PersonSerializerMixin):
    class Meta(RecordSerializer.Meta):
        model = TimeSaving
        fields = (
            *BASE_FIELDS,
            "person",
            "person_name",
            "date",
            "description",
            "hours",
            "hourly_cost",
            "value",
            *OWNED_FIELDS,
        )
        read_only_fields = (*RecordSerializer.Meta.read_only_fields, "value")


class BudgetSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Budget
        fields = (*BASE_FIELDS, "year", "category", "amount", "notes", *OWNED_FIELDS)


class PricePlanSerializer(RecordSerializer):
    custom_fields = None  # type: ignore[assignment]
    plan_id = serializers.CharField(read_only=True)

    class Meta(RecordSerializer.Meta):
        model = PricePlan
        fields = (
            "id",
            "version",
            "created_at",
            "updated_at",
            "plan_id",
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
        )


class ScenarioViewSet(RecordViewSet):
    object_type_key = "scenario"
    queryset = Scenario.objects.none()
    serializer_class = ScenarioSerializer
    ordering_fields = ("name", "currency", "years")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "sensitivity", OpenApiTypes.DECIMAL, description="Fraction lines move by (default 0.2)."
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
        description="The engine's result for this scenario (TCO, NPV, ROI, payback, sensitivity), "
        "amounts as decimal strings with two places; see docs/costs-engine.md.",
    )
    @action(detail=True, methods=["get"])
    def result(self, request: Request, pk: str | None = None) -> Response:
        scenario = self.get_object()
        raw = request.query_params.get("sensitivity", "")
        delta = engine.DEFAULT_SENSITIVITY
        if raw:
            try:
                delta = Decimal(raw)
            except InvalidOperation:
                delta = Decimal(-1)
            if not Decimal(0) < delta < 1:
                raise exceptions.ValidationError(
                    {"sensitivity": [_g("Give a fraction between 0 and 1, e.g. 0.2.")]}
                )
        try:
            result = selectors.scenario_result(scenario, sensitivity=delta)
        except engine.ScenarioError as exc:
            raise exceptions.ValidationError({"non_field_errors": exc.messages()}) from None
        response = Response(engine.result_to_dict(result))
        response["ETag"] = scenario.etag
        return response


class ExpenseViewSet(RecordViewSet):
    object_type_key = "expense"
    queryset = Expense.objects.none()
    serializer_class = ExpenseSerializer
    ordering_fields = ("date", "amount", "amount_reporting", "vendor", "category")


class TimeEntryViewSet(RecordViewSet):
    object_type_key = "time_entry"
    queryset = TimeEntry.objects.none()
    serializer_class = TimeEntrySerializer
    ordering_fields = ("date", "hours", "cost", "category", "purpose", "person_name")


class TimeSavingViewSet(RecordViewSet):
    object_type_key = "time_saving"
    queryset = TimeSaving.objects.none()
    serializer_class = TimeSavingSerializer
    ordering_fields = ("date", "hours", "value", "person_name")


class BudgetViewSet(RecordViewSet):
    object_type_key = "budget"
    queryset = Budget.objects.none()
    serializer_class = BudgetSerializer
    ordering_fields = ("year", "category", "amount")


class PricePlanViewSet(RecordViewSet):
    object_type_key = "price_plan"
    queryset = PricePlan.objects.none()
    serializer_class = PricePlanSerializer
    ordering_fields = ("vendor", "price", "read_on")
