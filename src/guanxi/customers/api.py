from typing import Any

from django.utils.translation import gettext as _g
from rest_framework import serializers

from guanxi.core.api import RecordSerializer, RecordViewSet

from .models import Company, Contact

OWNED_FIELDS = ("owner", "team")
BASE_FIELDS = ("id", "version", "created_at", "updated_at", "custom_fields")


class CompanySerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Company
        fields = (
            *BASE_FIELDS,
            "name",
            "legal_name",
            "domain",
            "website",
            "industry",
            "size",
            "phone",
            "phone_e164",
            "country",
            "province",
            "city",
            "street",
            "postal_code",
            "notes",
            *OWNED_FIELDS,
        )
        read_only_fields = (*RecordSerializer.Meta.read_only_fields, "phone_e164")


class ContactSerializer(RecordSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True, default=None)

    class Meta(RecordSerializer.Meta):
        model = Contact
        fields = (
            *BASE_FIELDS,
            "full_name",
            "family_name",
            "given_name",
            "title",
            "company",
            "company_name",
            "email",
            "email_secondary",
            "mobile",
            "mobile_e164",
            "work_phone",
            "work_phone_e164",
            "wechat",
            "source",
            "country",
            "province",
            "city",
            "street",
            "postal_code",
            "notes",
            *OWNED_FIELDS,
        )
        read_only_fields = (*RecordSerializer.Meta.read_only_fields, "mobile_e164", "work_phone_e164")
        extra_kwargs = {"full_name": {"required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "company" in self.fields:
            company = self.fields["company"]
            assert isinstance(company, serializers.RelatedField)
            # The stubs type `queryset` with Manager, whose __get__ mypy then applies to the assignment.
            company.queryset = Company.objects.visible_to(request.user)  # type: ignore[arg-type]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and not any(
            attrs.get(f) for f in ("full_name", "family_name", "given_name")
        ):
            raise serializers.ValidationError({"full_name": [_g("Enter the contact's name.")]})
        return attrs


class CompanyViewSet(RecordViewSet):
    object_type_key = "company"
    queryset = Company.objects.none()
    serializer_class = CompanySerializer
    ordering_fields = ("sort_name", "name", "city", "industry", "domain")

    def get_sort(self) -> str:
        sort = super().get_sort()
        return sort.replace("name", "sort_name") if sort.lstrip("-") == "name" else sort


class ContactViewSet(RecordViewSet):
    object_type_key = "contact"
    queryset = Contact.objects.none()
    serializer_class = ContactSerializer
    ordering_fields = ("sort_name", "full_name", "email", "city", "source")

    def get_sort(self) -> str:
        sort = super().get_sort()
        return sort.replace("full_name", "sort_name") if sort.lstrip("-") == "full_name" else sort
