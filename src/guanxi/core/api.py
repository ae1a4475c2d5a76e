"""API base classes: a viewset per object type that reads through `visible_to`, writes through the
domain services, pages with keyset cursors, sends ETags and honours If-Match."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar, cast

import orjson
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Manager, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import ISO_8601, exceptions, serializers, status, viewsets
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from . import customfields
from .api_base import KeysetPagination, ObjectPermission  # noqa: F401
from .models import Tag
from .registry import ObjectType, registry
from .services import StaleVersionError, tag_names_by_record

# Query parameters of a list that are not filters.
NOT_FILTERS = frozenset({"cursor", "limit", "ordering", "search", api_settings.URL_FORMAT_OVERRIDE})


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


# The attribute the API's queryset prefetches tags into: a plain list per record, which spares Django
# a related manager and a queryset per record of the page.
TAGS_ATTR = "_api_tags"


class TagListField(serializers.ListField):
    child = serializers.CharField(max_length=50)

    def get_attribute(self, instance: Any) -> Any:
        prefetched = getattr(instance, TAGS_ATTR, None)
        return prefetched if prefetched is not None else super().get_attribute(instance)

    def to_representation(self, data: Any) -> list[str]:
        if hasattr(data, "all"):
            return [tag.name for tag in data.all()]
        return [item.name if hasattr(item, "name") else str(item) for item in data]


class CustomFieldsField(serializers.DictField):
    """The record's custom-field values as an object; validated by the service against the definitions."""

    def to_representation(self, value: Any) -> dict[str, Any]:
        return dict(value or {})


# DRF field classes whose to_representation of a plain column value is a fixed function of the value.
_PLAIN_FIELDS: dict[type, Any] = {
    serializers.CharField: str,
    serializers.EmailField: str,
    serializers.URLField: str,
    serializers.SlugField: str,
    serializers.IntegerField: int,
    serializers.BooleanField: None,
    serializers.ReadOnlyField: None,
}
# Field classes that are read straight from the column and converted by the field itself.
_CONVERTED_FIELDS = (
    serializers.DateTimeField,
    serializers.DateField,
    serializers.DecimalField,
    serializers.BigIntegerField,
)


def _column(model: type[Any], name: str) -> Any:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


_UNREADABLE = object()


def _column_converter(field: Any) -> Any:
    """How a field renders a plain (non-relation) column value: a function of the value, None for the
    value itself, or _UNREADABLE when the field needs more than the value."""
    kind = type(field)
    if kind in _PLAIN_FIELDS:
        return _PLAIN_FIELDS[kind]
    if kind is serializers.ChoiceField:
        choices = field.choice_strings_to_values

        def choice(value: Any) -> Any:
            return value if value == "" else choices.get(str(value), value)

        return choice
    if kind in _CONVERTED_FIELDS:
        return field.to_representation
    return _UNREADABLE


def _compile(serializer: serializers.Serializer) -> Callable[[Any], dict[str, Any]]:
    """A function rendering one instance exactly as `serializer.to_representation` does, reading plain
    columns and foreign-key ids directly instead of through each field's get_attribute (the per-field,
    per-row overhead that dominated a page of 50 records)."""
    model = serializer.Meta.model  # type: ignore[attr-defined]
    plan: list[tuple[str, Any, Any]] = []  # (name, getter or None, converter or the field)
    for field in serializer._readable_fields:
        kind = type(field)
        name = field.field_name
        assert name is not None  # set when the field was bound to the serializer
        attrs = field.source_attrs
        column = _column(model, attrs[0]) if len(attrs) == 1 else None
        if column is not None and not column.is_relation:
            convert = _column_converter(field)
            if convert is not _UNREADABLE:
                plan.append((name, attrgetter(column.attname), convert))
                continue
        if (
            column is not None
            and column.many_to_one
            and kind is serializers.PrimaryKeyRelatedField
            and cast(serializers.PrimaryKeyRelatedField, field).pk_field is None
        ):
            plan.append((name, attrgetter(column.attname), None))
            continue
        plan.append((name, None, field))

    def render(instance: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, getter, convert in plan:
            if getter is not None:
                value = getter(instance)
                out[name] = value if value is None or convert is None else convert(value)
                continue
            try:
                attribute = convert.get_attribute(instance)
            except SkipField:
                continue
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            out[name] = None if check is None else convert.to_representation(attribute)
        return out

    return render


def _plain_iso(field: serializers.DateTimeField) -> bool:
    """Does the field write ISO 8601 in the current time zone (DRF's default)?"""
    return (
        settings.USE_TZ
        and not hasattr(field, "timezone")
        and str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601
    )


class _IsoDateTime:
    """DateTimeField.to_representation for aware values with the time zone looked up once per page."""

    def __init__(self, field: serializers.DateTimeField) -> None:
        self.field = field

    def for_zone(self, zone: Any) -> Callable[[Any], Any]:
        field = self.field

        def convert(value: Any) -> Any:
            if not isinstance(value, datetime.datetime) or value.tzinfo is None:
                return field.to_representation(value)
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return convert


class RowPlan:
    """A list page read as column values (`QuerySet.values`) rather than model instances, and rendered
    field by field exactly as the serializer renders an instance. `RowPlan.of` answers None for a
    serializer with a field it cannot read from a column (nested records, methods, annotations …);
    such lists keep the serializer's own path."""

    def __init__(self, model: Any, columns: list[tuple[str, str | None, Any]]) -> None:
        self.model = model
        self.columns = columns  # (output name, values() key or None for the tags, converter or None)
        self.has_tags = any(key is None for _name, key, _convert in columns)
        self.keys = ["pk", *dict.fromkeys(key for _name, key, _convert in columns if key is not None)]

    @classmethod
    def of(cls, serializer: serializers.Serializer) -> RowPlan | None:
        model = serializer.Meta.model  # type: ignore[attr-defined]
        columns: list[tuple[str, str | None, Any]] = []
        for field in serializer._readable_fields:
            kind = type(field)
            name = field.field_name
            assert name is not None
            attrs = field.source_attrs
            if isinstance(field, TagListField) and attrs == ["tags"]:
                columns.append((name, None, None))
                continue
            column = _column(model, attrs[0]) if attrs else None
            if column is None:
                return None
            if len(attrs) == 2 and column.many_to_one:
                # A column of a linked record (`company.name`), the field's default of None without a link.
                target = _column(column.related_model, attrs[1])
                convert = _column_converter(field)
                if target is None or target.is_relation or convert is _UNREADABLE:
                    return None
                if field.default is not None:
                    return None
                columns.append((name, f"{attrs[0]}__{attrs[1]}", convert))
                continue
            if len(attrs) != 1:
                return None
            if column.many_to_one:
                if (
                    isinstance(field, serializers.PrimaryKeyRelatedField)
                    and type(field).to_representation is serializers.PrimaryKeyRelatedField.to_representation
                    and field.pk_field is None
                ):
                    columns.append((name, attrs[0], None))
                    continue
                if (
                    isinstance(field, serializers.SlugRelatedField)
                    and type(field).to_representation is serializers.SlugRelatedField.to_representation
                    and _column(column.related_model, field.slug_field) is not None
                ):
                    columns.append((name, f"{attrs[0]}__{field.slug_field}", None))
                    continue
                return None
            if column.is_relation:
                return None
            if kind is serializers.DateTimeField and _plain_iso(cast(serializers.DateTimeField, field)):
                columns.append((name, attrs[0], _IsoDateTime(cast(serializers.DateTimeField, field))))
            elif kind is CustomFieldsField:
                columns.append((name, attrs[0], dict))
            elif (convert := _column_converter(field)) is not _UNREADABLE:
                columns.append((name, attrs[0], convert))
            else:
                return None
        return cls(model, columns)

    def values(self, queryset: QuerySet[Any], sort: str) -> QuerySet[Any]:
        """The queryset's rows as dicts of what the plan reads, plus the sort column for the cursor."""
        field = sort.lstrip("-")
        keys = self.keys if field in ("pk", "id") or field in self.keys else [*self.keys, field]
        return queryset.prefetch_related(None).values(*keys)

    def render(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        tags: dict[Any, list[str]] = {}
        if self.has_tags and rows:
            tags = tag_names_by_record(self.model, [row["pk"] for row in rows])
        zone = timezone.get_current_timezone()
        columns = [
            (name, key, convert.for_zone(zone) if isinstance(convert, _IsoDateTime) else convert)
            for name, key, convert in self.columns
        ]
        out = []
        for row in rows:
            item: dict[str, Any] = {}
            for name, key, convert in columns:
                if key is None:
                    item[name] = tags.get(row["pk"], [])
                    continue
                value = row[key]
                item[name] = value if value is None or convert is None else convert(value)
            out.append(item)
        return out


class RecordListSerializer(serializers.ListSerializer):
    """Renders a page of records with a plan compiled once per page (see `_compile`); the output is
    the same as DRF's, field by field."""

    def to_representation(self, data: Any) -> list[Any]:
        child = self.child
        if (
            not isinstance(child, serializers.Serializer)
            or type(child).to_representation is not serializers.Serializer.to_representation
        ):
            return super().to_representation(data)  # a serializer with its own rendering
        iterable = data.all() if isinstance(data, Manager) else data
        render = _compile(child)
        return [render(item) for item in iterable]


class RecordSerializer(serializers.ModelSerializer):
    """Base serializer: id, version, timestamps, custom fields and (where the model has them) tags.
    Validation beyond types happens in the service, which reports field by field."""

    custom_fields = CustomFieldsField(source="custom_field_data", required=False)

    class Meta:
        read_only_fields: tuple[str, ...] = ("id", "version", "created_at", "updated_at")
        list_serializer_class = RecordListSerializer

    # The fields DRF builds from the model for each serializer class, built once (about 1 ms of model
    # introspection for a contact, on every request) and copied for each new serializer.
    _built_fields: ClassVar[dict[type, dict[str, Any]]] = {}
    _BUILD_HOOKS = (
        "get_fields",
        "get_field_names",
        "build_field",
        "get_extra_kwargs",
        "include_extra_kwargs",
    )

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        cacheable = all(
            getattr(cls, hook) is getattr(RecordSerializer, hook) for hook in self._BUILD_HOOKS
        )  # a subclass that builds its fields its own way (perhaps from the request) is left alone
        if not cacheable:
            return super().get_fields()
        built = RecordSerializer._built_fields.get(cls)
        if built is None:
            built = RecordSerializer._built_fields[cls] = super().get_fields()
        return copy.deepcopy(built)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        object_type = registry.for_model(self.Meta.model)
        if object_type.has_tags:
            self.fields["tags"] = TagListField(required=False)

    def build_unique_validator(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def get_unique_together_validators(self) -> list[Any]:
        return []

    def get_unique_for_date_validators(self) -> list[Any]:
        return []


class RecordJSONRenderer(JSONRenderer):
    """DRF's JSON renderer with orjson for the compact form every client gets (about ten times faster
    on a page of 50 records); the output is the same JSON text. Values orjson does not know (lazy
    translations, Decimal, UUID …) go through DRF's encoder, and anything else falls back to it."""

    _drf_encoder = JSONRenderer.encoder_class()

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        if indent is not None or not self.compact or self.ensure_ascii:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=self._drf_encoder.default, option=orjson.OPT_NON_STR_KEYS)
        except (TypeError, orjson.JSONEncodeError):
            return super().render(data, accepted_media_type, renderer_context)
        return out.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")


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
    renderer_classes = [
        # The stubs type the setting as import strings; api_settings hands out the classes.
        RecordJSONRenderer if renderer is JSONRenderer else renderer  # type: ignore[misc]
        for renderer in api_settings.DEFAULT_RENDERER_CLASSES
    ]
    lookup_value_regex = r"\d+"

    @property
    def object_type(self) -> ObjectType:
        return registry.get(self.object_type_key)

    def get_queryset(self) -> QuerySet[Any]:
        ot = self.object_type
        queryset = ot.model.objects.visible_to(self.request.user)  # type: ignore[attr-defined]
        if ot.select_related:
            queryset = queryset.select_related(*ot.select_related)
        prefetch: list[Any] = list(ot.prefetch_related)
        if ot.has_tags:
            prefetch.append(Prefetch("tags", queryset=Tag.objects.all(), to_attr=TAGS_ATTR))
        if prefetch:
            queryset = queryset.prefetch_related(*prefetch)
        search = self.request.query_params.get("search", "").strip() if self.request else ""
        if search and ot.searchable:
            queryset = queryset.filter(search_text__matches=search)
        return queryset

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.request.query_params.keys() <= NOT_FILTERS:
            return queryset  # no filter asked for: spare building the filter set and its form
        return super().filter_queryset(queryset)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.row_plan()
        if plan is None or self.paginator is None:
            return super().list(request, *args, **kwargs)
        queryset = plan.values(self.filter_queryset(self.get_queryset()), self.get_sort())
        rows = self.paginate_queryset(queryset)
        assert rows is not None
        return self.get_paginated_response(plan.render(rows))

    # Row plans by serializer class; a serializer's readable fields do not depend on the request.
    _row_plans: ClassVar[dict[type, RowPlan | None]] = {}

    def row_plan(self) -> RowPlan | None:
        serializer_class = self.get_serializer_class()
        try:
            return RecordViewSet._row_plans[serializer_class]
        except KeyError:
            serializer = self.get_serializer()
            plan = RecordViewSet._row_plans[serializer_class] = (
                RowPlan.of(serializer) if isinstance(serializer, serializers.Serializer) else None
            )
            return plan

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
