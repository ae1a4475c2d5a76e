"""API base classes: a viewset per object type that reads through `visible_to`, writes through the
domain services, pages with keyset cursors, sends ETags and honours If-Match."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import customfields
from .api_base import KeysetPagination, ObjectPermission  # noqa: F401
from .registry import ObjectType, registry
from .services import StaleVersionError


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record has changed since the version given in If-Match.")
    default_code = "precondition_failed"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {
                field: [m for e in errs for m in e.messages] for field, errs in exc.error_dict.items()
            }
            if "__all__" in detail:
                detail["non_field_errors"] = detail.pop("__all__")
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, StaleVersionError):
        response = Response(
            {"detail": str(PreconditionFailed.default_detail), "current_version": exc.current.version},  # type: ignore[attr-defined]
            status=status.HTTP_412_PRECONDITION_FAILED,
        )
        response["ETag"] = exc.current.etag  # type: ignore[attr-defined]
        return response
    return drf_exception_handler(exc, context)


class TagListField(serializers.ListField):
    child = serializers.CharField(max_length=50)

    def to_representation(self, data: Any) -> list[str]:
        if hasattr(data, "all"):
            return [tag.name for tag in data.all()]
        return [str(item) for item in data]


class CustomFieldsField(serializers.DictField):
    """The record's custom-field values as an object; validated by the service against the definitions."""

    def to_representation(self, value: Any) -> dict[str, Any]:
        return dict(value or {})


class RecordSerializer(serializers.ModelSerializer):
    """Base serializer: id, version, timestamps, custom fields and (where the model has them) tags.
    Validation beyond types happens in the service, which reports field by field."""

    custom_fields = CustomFieldsField(source="custom_field_data", required=False)

    class Meta:
        read_only_fields = ("id", "version", "created_at", "updated_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        object_type = registry.for_model(self.Meta.model)  # type: ignore[attr-defined]
        if object_type.has_tags:
            self.fields["tags"] = TagListField(required=False)

    def build_unique_validator(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def get_unique_together_validators(self) -> list[Any]:
        return []

    def get_unique_for_date_validators(self) -> list[Any]:
        return []


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("ordering", str, description="A sortable field, `-` for descending."),
            OpenApiParameter("search", str, description="Full-text search (names, e-mail, phone, pinyin)."),
        ]
    ),
)
class RecordViewSet(viewsets.ModelViewSet):
    """CRUD for one object type. Subclasses set `object_type_key` and `serializer_class`."""

    object_type_key = ""
    ordering_fields: tuple[str, ...] = ()
    permission_classes = [ObjectPermission]
    lookup_value_regex = r"\d+"

    @property
    def object_type(self) -> ObjectType:
        return registry.get(self.object_type_key)

    def get_queryset(self) -> QuerySet[Any]:
        ot = self.object_type
        queryset = ot.model.objects.visible_to(self.request.user)  # type: ignore[attr-defined]
        if ot.select_related:
            queryset = queryset.select_related(*ot.select_related)
        prefetch = list(ot.prefetch_related)
        if ot.has_tags:
            prefetch.append("tags")
        if prefetch:
            queryset = queryset.prefetch_related(*prefetch)
        search = self.request.query_params.get("search", "").strip() if self.request else ""
        if search and ot.searchable:
            queryset = queryset.filter(search_text__matches=search)
        return queryset

    def get_filterset_class(self) -> Any:
        return self.object_type.filterset_class

    @property
    def filterset_class(self) -> Any:
        return self.object_type.filterset_class

    def get_sort(self) -> str:
        ordering = self.request.query_params.get("ordering", "")
        if ordering and ordering.lstrip("-") in (*self.ordering_fields, "id", "created_at", "updated_at"):
            return ordering
        if ordering:
            raise exceptions.ValidationError({"ordering": [_("Not a sortable field.")]})
        return self.object_type.default_sort

    def _expected_version(self, request: Request) -> int | None:
        header = request.headers.get("If-Match", "").strip()
        if not header or header == "*":
            return None
        value = header.removeprefix("W/").strip('"')
        try:
            return int(value)
        except ValueError:
            raise PreconditionFailed(_("If-Match must be an ETag from this API.")) from None

    def _respond(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        if self.object_type.has_tags:
            instance = self.get_queryset().get(pk=instance.pk)
        response = Response(self.get_serializer(instance).data, status=status_code)
        response["ETag"] = instance.etag
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        if request.headers.get("If-None-Match") == instance.etag:
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(self.get_serializer(instance).data)
        response["ETag"] = instance.etag
        return response

    def service_kwargs(self, validated: dict[str, Any]) -> dict[str, Any]:
        data = dict(validated)
        if "custom_field_data" in data:
            data["custom_fields"] = data.pop("custom_field_data")
        return data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            instance = self.object_type.create_service(
                actor=request.user, **self.service_kwargs(serializer.validated_data)
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        return self._respond(instance, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        expected = self._expected_version(request)
        if expected is not None and expected != instance.version:
            raise StaleVersionError(instance, expected, [])
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            instance = self.object_type.update_service(
                actor=request.user,
                instance=instance,
                expected_version=expected,
                **self.service_kwargs(serializer.validated_data),
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        return self._respond(instance)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        expected = self._expected_version(request)
        try:
            self.object_type.delete_service(actor=request.user, instance=instance, expected_version=expected)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except (ValueError, TypeError):
            raise Http404 from None


def custom_field_schema(object_type: str) -> dict[str, Any]:
    """JSON-schema properties for a type's custom fields (used in the API docs)."""
    types = {
        "number": "number",
        "boolean": "boolean",
        "multichoice": "array",
        "user": "integer",
        "money": "object",
    }
    return {d.name: {"type": types.get(d.type, "string")} for d in customfields.definitions(object_type)}
