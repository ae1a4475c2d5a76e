from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.core.api import RecordSerializer, RecordViewSet
from guanxi.customers.models import Company, Contact

from . import services
from .choices import ContactRole, PicklistKind
from .models import Deal, DealContact, DealLine, Lead, PicklistValue, Pipeline, Product, Stage

BASE_FIELDS = ("id", "version", "created_at", "updated_at", "custom_fields")


class PicklistField(serializers.SlugRelatedField):
    """An editable-list value by its key ("web", "qualified", "price")."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "key")
        kwargs.setdefault("queryset", PicklistValue.objects.filter(kind=kind))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A link to a record, limited to the ones the requesting user may see."""

    def __init__(self, model: Any, **kwargs: Any) -> None:
        self.model = model
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        if request is None:
            return self.model.objects.none()
        return self.model.objects.visible_to(request.user)


class LeadSerializer(RecordSerializer):
    # The stubs see Field.source here; the serializer's metaclass takes declared fields off the class.
    source = PicklistField(PicklistKind.LEAD_SOURCE)  # type: ignore[assignment]
    status = PicklistField(PicklistKind.LEAD_STATUS)

    class Meta(RecordSerializer.Meta):
        model = Lead
        fields = (
            *BASE_FIELDS,
            "full_name",
            "company_name",
            "title",
            "email",
            "phone",
            "phone_e164",
            "source",
            "status",
            "disqualification_reason",
            "country",
            "province",
            "city",
            "notes",
            "owner",
            "team",
            "converted_at",
            "converted_contact",
            "converted_company",
            "converted_deal",
        )
        read_only_fields = (
            *RecordSerializer.Meta.read_only_fields,
            "phone_e164",
            "converted_at",
            "converted_contact",
            "converted_company",
            "converted_deal",
        )


class ConvertSerializer(serializers.Serializer):
    company = VisibleRelatedField(Company, required=False, allow_null=True)
    contact = VisibleRelatedField(Contact, required=False, allow_null=True)
    create_deal = serializers.BooleanField(default=False)
    deal_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    pipeline = serializers.PrimaryKeyRelatedField(
        queryset=Pipeline.objects.filter(active=True), required=False, allow_null=True
    )
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    expected_close_date = serializers.DateField(required=False, allow_null=True)


class LeadViewSet(RecordViewSet):
    object_type_key = "lead"
    queryset = Lead.objects.none()
    serializer_class = LeadSerializer
    ordering_fields = ("sort_name", "company_name", "email", "city")

    @extend_schema(
        request=ConvertSerializer,
        responses=inline_serializer(
            "ConversionResult",
            {
                "lead": serializers.IntegerField(),
                "contact": serializers.IntegerField(),
                "company": serializers.IntegerField(allow_null=True),
                "deal": serializers.IntegerField(allow_null=True),
                "created": serializers.DictField(child=serializers.BooleanField()),
            },
        ),
    )
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: str | None = None) -> Response:
        """Convert a qualified lead: returns the ids of the contact, company and deal it became."""
        lead = self.get_object()
        serializer = ConvertSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        result = services.lead_convert(
            actor=request.user,
            lead=lead,
            expected_version=self._expected_version(request),
            **serializer.validated_data,
        )
        return Response(
            {
                "lead": result.lead.pk,
                "contact": result.contact.pk,
                "company": result.company.pk if result.company else None,
                "deal": result.deal.pk if result.deal else None,
                "created": result.created,
            }
        )

    def get_permissions(self) -> Any:
        if getattr(self, "action", None) == "convert":
            self.permission_action = "edit"
        return super().get_permissions()


class DealLineSerializer(serializers.ModelSerializer):
    total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)

    class Meta:
        model = DealLine
        fields = ("product", "description", "quantity", "unit_price", "discount", "total")


class DealContactSerializer(serializers.ModelSerializer):
    contact_name = serializers.CharField(source="contact.full_name", read_only=True)

    class Meta:
        model = DealContact
        fields = ("contact", "contact_name", "role")


class DealContactInputSerializer(serializers.Serializer):
    contact = VisibleRelatedField(Contact)
    role = serializers.ChoiceField(choices=ContactRole.choices, allow_null=True)


class DealSerializer(RecordSerializer):
    company = VisibleRelatedField(Company, required=False, allow_null=True)
    source = PicklistField(PicklistKind.LEAD_SOURCE)  # type: ignore[assignment]  # see LeadSerializer
    lost_reason = PicklistField(PicklistKind.LOST_REASON)
    pipeline = serializers.PrimaryKeyRelatedField(queryset=Pipeline.objects.all(), required=False)
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all(), required=False)
    stage_kind = serializers.CharField(source="stage.kind", read_only=True)
    lines = DealLineSerializer(many=True, read_only=True)
    contacts = DealContactSerializer(source="contact_roles", many=True, read_only=True)

    class Meta(RecordSerializer.Meta):
        model = Deal
        fields = (
            *BASE_FIELDS,
            "name",
            "company",
            "pipeline",
            "stage",
            "stage_kind",
            "amount",
            "currency",
            "amount_from_lines",
            "expected_close_date",
            "source",
            "lost_reason",
            "lost_note",
            "closed_at",
            "stage_entered_at",
            "notes",
            "owner",
            "team",
            "lines",
            "contacts",
        )
        read_only_fields = (*RecordSerializer.Meta.read_only_fields, "closed_at", "stage_entered_at")


class DealViewSet(RecordViewSet):
    """Deals. A PATCH of `stage` is a stage move: audited, recorded as a stage change and sent to webhooks,
    exactly like a move on the board; moving to a lost stage needs `lost_reason`."""

    object_type_key = "deal"
    queryset = Deal.objects.none()
    serializer_class = DealSerializer
    ordering_fields = ("sort_name", "amount", "expected_close_date", "closed_at")

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("lines", "contact_roles__contact")

    @extend_schema(request=DealLineSerializer(many=True), responses=DealSerializer)
    @action(detail=True, methods=["put"], url_path="lines")
    def set_lines(self, request: Request, pk: str | None = None) -> Response:
        """Replace the deal's product lines; with `?amount_from_lines=true` the amount follows their total."""
        deal = self.get_object()
        serializer = DealLineSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        flag = request.query_params.get("amount_from_lines")
        deal = services.deal_set_lines(
            actor=request.user,
            deal=deal,
            lines=serializer.validated_data,
            expected_version=self._expected_version(request),
            amount_from_lines=None if flag is None else flag.lower() == "true",
        )
        return self._respond(deal)

    @extend_schema(request=DealContactInputSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"], url_path="contacts")
    def set_contact(self, request: Request, pk: str | None = None) -> Response:
        """Add a contact with a role (or change its role); `"role": null` removes it."""
        deal = self.get_object()
        serializer = DealContactInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.deal_set_contact(
            actor=request.user,
            deal=deal,
            contact=serializer.validated_data["contact"],
            role=serializer.validated_data["role"],
        )
        return self._respond(deal)

    def get_permissions(self) -> Any:
        if getattr(self, "action", None) in ("set_lines", "set_contact"):
            self.permission_action = "edit"
        return super().get_permissions()


class StageSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = Stage
        fields = ("id", "name", "order", "probability", "kind")
        read_only_fields = ("order",)


class PipelineSerializer(RecordSerializer):
    stages = StageSerializer(many=True, required=False)

    class Meta(RecordSerializer.Meta):
        model = Pipeline
        fields = (*BASE_FIELDS, "name", "is_default", "order", "active", "stages")


class PipelineViewSet(RecordViewSet):
    object_type_key = "pipeline"
    queryset = Pipeline.objects.none()
    serializer_class = PipelineSerializer
    ordering_fields = ("order", "name")

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("stages")


class ProductSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Product
        fields = (
            *BASE_FIELDS,
            "code",
            "name",
            "unit",
            "list_price",
            "currency",
            "tax_rate",
            "active",
            "description",
        )


class ProductViewSet(RecordViewSet):
    object_type_key = "product"
    queryset = Product.objects.none()
    serializer_class = ProductSerializer
    ordering_fields = ("code", "sort_name", "list_price")
