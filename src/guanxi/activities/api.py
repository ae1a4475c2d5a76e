from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from guanxi.core.api import RecordSerializer, RecordViewSet
from guanxi.customers.models import Company, Contact
from guanxi.sales.api import VisibleRelatedField
from guanxi.sales.models import Deal, Lead

from .models import Activity


class ActivitySerializer(RecordSerializer):
    lead = VisibleRelatedField(Lead, required=False, allow_null=True)
    contact = VisibleRelatedField(Contact, required=False, allow_null=True)
    company = VisibleRelatedField(Company, required=False, allow_null=True)
    deal = VisibleRelatedField(Deal, required=False, allow_null=True)
    attendees = VisibleRelatedField(Contact, many=True, required=False)
    occurred_at = serializers.DateTimeField(required=False)

    class Meta(RecordSerializer.Meta):
        model = Activity
        fields = (
            "id",
            "version",
            "created_at",
            "updated_at",
            "custom_fields",
            "kind",
            "subject",
            "body",
            "occurred_at",
            "due_at",
            "priority",
            "reminder_at",
            "done",
            "done_at",
            "direction",
            "duration_minutes",
            "outcome",
            "start_at",
            "end_at",
            "location",
            "attendees",
            "colleagues",
            "lead",
            "contact",
            "company",
            "deal",
            "owner",
            "team",
        )
        read_only_fields = (*RecordSerializer.Meta.read_only_fields, "done_at")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs.get("kind") or getattr(self.instance, "kind", None)
        if self.instance is None and kind != "note" and not attrs.get("subject"):
            raise serializers.ValidationError({"subject": [_("Give it a subject.")]})
        return attrs


class ActivityViewSet(RecordViewSet):
    object_type_key = "activity"
    queryset = Activity.objects.none()
    serializer_class = ActivitySerializer
    ordering_fields = ("occurred_at", "subject", "kind", "priority")

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("attendees", "colleagues")
