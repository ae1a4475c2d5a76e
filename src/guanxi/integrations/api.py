"""The integrations API.

- `/api/v1/webhooks/` — subscriptions (administrators; token scope `admin:read` / `admin:write`), with
  `rotate-secret`, `pause`, `resume`, `events`; `/api/v1/webhook-deliveries/` — the delivery log, `resend`.
- For every registered object type with an API (`<objects>` is its `api_path`):
  `GET|PUT|DELETE /api/v1/<objects>/by-external-id/<system>/<id>/` — read, upsert (idempotent) or delete by
  the source system's id; `POST /api/v1/<objects>/bulk/` — up to 1,000 creates/updates/upserts, each
  validated and applied on its own, with a result per item.

Writes go through the object type's own viewset (its serializer and `service_kwargs`) and services, so
validation, permissions, audit and events are exactly those of `/api/v1/<objects>/`.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _g
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from guanxi.core import permissions as perms
from guanxi.core.api import PreconditionFailed
from guanxi.core.models import ExternalRef
from guanxi.core.permissions import is_admin
from guanxi.core.registry import ObjectType, registry
from guanxi.core.services import StaleVersionError
from guanxi.users.authentication import scope_allows

from . import catalogue, services
from .models import Delivery, DeliveryAttempt, DeliveryStatus, Webhook

MAX_BULK_ITEMS = 1000
SYSTEM_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}"
EXTERNAL_ID_PATTERN = r"[^/]+"
MAX_EXTERNAL_ID = 255
_SYSTEM_RE = re.compile(rf"^{SYSTEM_PATTERN}$")


def _expected_version(request: Request) -> int | None:
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    try:
        return int(header.removeprefix("W/").strip('"'))
    except ValueError:
        raise PreconditionFailed(_g("If-Match must be an ETag from this API.")) from None


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        detail = {field: [m for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
        if "__all__" in detail:
            detail["non_field_errors"] = detail.pop("__all__")
        return detail
    return {"non_field_errors": list(exc.messages)}


# =====================================================================================================
# Webhooks
# =====================================================================================================
class AdminApiPermission(permissions.BasePermission):
    """Administrators only; a token needs the scope `admin:read` (reads) or `admin:write` (writes)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        write = request.method not in permissions.SAFE_METHODS
        return scope_allows(request.auth, "admin", write=write) and is_admin(user)


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=()),
        min_length=1,
        max_length=500,
        help_text="Event names, from `GET /api/v1/webhooks/events/`.",
    )
    object_types = serializers.ListField(
        child=serializers.ChoiceField(choices=()),
        required=False,
        max_length=100,
        help_text="Only events about these record types; empty: all.",
    )
    pipelines = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**53),
        required=False,
        max_length=100,
        help_text="Only records in these pipelines (records without a pipeline pass); empty: all.",
    )
    teams = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**53),
        required=False,
        max_length=100,
        help_text="Only records owned by these teams (types without owners pass); empty: all.",
    )
    paused = serializers.BooleanField(source="is_paused", read_only=True)
    secret = serializers.SerializerMethodField(
        help_text="The signing secret: returned once, when the webhook is created or its secret rotated."
    )

    class Meta:
        model = Webhook
        fields = (
            "id",
            "name",
            "url",
            "events",
            "object_types",
            "pipelines",
            "teams",
            "is_active",
            "paused",
            "paused_at",
            "paused_reason",
            "consecutive_failures",
            "last_success_at",
            "last_failure_at",
            "created_at",
            "updated_at",
            "version",
            "secret",
        )
        read_only_fields = (
            "id",
            "paused_at",
            "paused_reason",
            "consecutive_failures",
            "last_success_at",
            "last_failure_at",
            "created_at",
            "updated_at",
            "version",
        )
        extra_kwargs = {"name": {"required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("events", catalogue.event_names()), ("object_types", registry.keys())):
            child = cast(serializers.ChoiceField, cast(serializers.ListField, self.fields[name]).child)
            child.choices = choices

    def get_secret(self, obj: Webhook) -> str | None:
        return self.context.get("new_secret")


class EventSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    group = serializers.CharField()
    object_type = serializers.CharField()


WEBHOOK_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The webhook's id.")


@extend_schema_view(
    list=extend_schema(summary="List webhooks"),
    create=extend_schema(summary="Subscribe a URL to events (the response holds the secret, once)"),
    update=extend_schema(summary="Change a webhook", parameters=[WEBHOOK_ID]),
    partial_update=extend_schema(summary="Change some fields of a webhook", parameters=[WEBHOOK_ID]),
    retrieve=extend_schema(parameters=[WEBHOOK_ID]),
    destroy=extend_schema(parameters=[WEBHOOK_ID]),
)
class WebhookViewSet(viewsets.ModelViewSet):
    """Webhook subscriptions. Writes honour If-Match (the `version`, also sent as ETag)."""

    serializer_class = WebhookSerializer
    permission_classes = [AdminApiPermission]
    queryset = Webhook.objects.none()
    lookup_value_regex = r"\d{1,18}"
    honours_if_match = True

    def get_queryset(self) -> Any:
        return Webhook.objects.all()

    def get_sort(self) -> str:
        return "-id"

    def _respond(
        self, webhook: Webhook, code: int = status.HTTP_200_OK, secret: str | None = None
    ) -> Response:
        context = {**self.get_serializer_context(), "new_secret": secret}
        response = Response(WebhookSerializer(webhook, context=context).data, status=code)
        response["ETag"] = webhook.etag
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._respond(self.get_object())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook, secret = services.webhook_create(actor=request.user, **serializer.validated_data)
        return self._respond(webhook, status.HTTP_201_CREATED, secret)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        webhook = self.get_object()
        expected = _expected_version(request)
        if expected is not None and expected != webhook.version:
            raise StaleVersionError(webhook, expected, [])
        serializer = self.get_serializer(webhook, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        webhook = services.webhook_update(
            actor=request.user, webhook=webhook, expected_version=expected, **serializer.validated_data
        )
        return self._respond(webhook)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.webhook_delete(
            actor=request.user, webhook=self.get_object(), expected_version=_expected_version(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=WebhookSerializer, parameters=[WEBHOOK_ID])
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        """A new signing secret (returned once); the old one keeps signing for a day (a second signature)."""
        webhook, secret = services.webhook_rotate_secret(actor=request.user, webhook=self.get_object())
        return self._respond(webhook, secret=secret)

    @extend_schema(request=None, responses=WebhookSerializer, parameters=[WEBHOOK_ID])
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(services.webhook_pause(actor=request.user, webhook=self.get_object()))

    @extend_schema(request=None, responses=WebhookSerializer, parameters=[WEBHOOK_ID])
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        """Deliver new events again (after a pause); failed deliveries can be resent from the log."""
        return self._respond(services.webhook_resume(actor=request.user, webhook=self.get_object()))

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def events(self, request: Request) -> Response:
        """Every event a webhook can subscribe to."""
        data = [
            {"name": e.name, "label": e.label, "group": e.group, "object_type": e.object_type}
            for e in catalogue.available_events()
        ]
        return Response(EventSerializer(data, many=True).data)


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ("number", "started_at", "duration_ms", "status_code", "success", "error", "manual")
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    delivery_id = serializers.UUIDField(read_only=True)
    payload = serializers.SerializerMethodField()
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = (
            "id",
            "delivery_id",
            "webhook",
            "event",
            "object_type",
            "object_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "finished_at",
            "payload",
            "attempt_log",
        )
        read_only_fields = fields

    def get_payload(self, obj: Delivery) -> dict[str, Any]:
        try:
            value = json.loads(obj.body)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


DELIVERY_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The delivery's id.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("webhook", int, description="Only this webhook's deliveries."),
            OpenApiParameter("status", str, enum=DeliveryStatus.values),
        ]
    ),
    retrieve=extend_schema(parameters=[DELIVERY_ID]),
)
class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log: every event sent to a webhook, with each attempt."""

    serializer_class = DeliverySerializer
    permission_classes = [AdminApiPermission]
    queryset = Delivery.objects.none()
    lookup_value_regex = r"\d{1,18}"

    def get_queryset(self) -> Any:
        queryset = Delivery.objects.prefetch_related("attempt_log")
        params = self.request.query_params if self.request else {}
        for name in ("webhook",):
            value = params.get(name)
            if value:
                if not value.isdigit() or len(value) > 18:
                    raise exceptions.ValidationError({name: [_g("Enter a whole number.")]})
                queryset = queryset.filter(webhook_id=int(value))
        state = params.get("status")
        if state:
            if state not in DeliveryStatus.values:
                raise exceptions.ValidationError({"status": [_g("Not a delivery status.")]})
            queryset = queryset.filter(status=state)
        return queryset

    def get_sort(self) -> str:
        return "-id"

    @extend_schema(request=None, responses={202: DeliverySerializer}, parameters=[DELIVERY_ID])
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str | None = None) -> Response:
        """Send the delivery again now: same id and body, a fresh signature; one attempt, even while the
        webhook is paused."""
        delivery = services.delivery_resend(actor=request.user, delivery=self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


# =====================================================================================================
# Inbound sync: upsert by external id, bulk
# =====================================================================================================
class SyncPermission(permissions.BasePermission):
    """Reads need view permission; an upsert or a bulk request needs create or edit (each record is then
    checked by its service); delete needs delete. Read-only tokens write nothing."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if getattr(request.auth, "read_only", False) and request.method not in permissions.SAFE_METHODS:
            return False
        object_type = view.object_type
        if request.method in permissions.SAFE_METHODS:
            return perms.can(user, "view", object_type)
        if request.method == "DELETE":
            return perms.can(user, "view", object_type) and perms.can(user, "delete", object_type)
        return perms.can(user, "create", object_type) or perms.can(user, "edit", object_type)


class _SyncBase(viewsets.ViewSet):
    object_type_key = ""
    permission_classes = [SyncPermission]
    pagination_class = None

    @property
    def object_type(self) -> ObjectType:
        return registry.get(self.object_type_key)

    def record_view(self, action_name: str) -> Any:
        """The object type's own API view, set up for this request: its serializer, its service arguments."""
        view = self.object_type.viewset_class(
            request=self.request, format_kwarg=None, args=(), kwargs={}, action=action_name
        )
        view.headers = {}
        return view

    def represent(self, view: Any, instance: Any, code: int = status.HTTP_200_OK) -> Response:
        fresh = view.get_queryset().filter(pk=instance.pk).first() or instance
        response = Response(view.get_serializer(fresh).data, status=code)
        response["ETag"] = fresh.etag
        return response

    def find_by_external_id(self, view: Any, system: str, external_id: str) -> Any:
        """The visible record with this external id, None if there is none; 404 if it is not visible."""
        ot = self.object_type
        ref = ExternalRef.objects.filter(object_type=ot.key, system=system, external_id=external_id).first()
        if ref is None:
            return None
        instance = view.get_queryset().filter(pk=ref.object_id).first()
        if instance is not None:
            return instance
        if ot.model._default_manager.filter(pk=ref.object_id).exists():
            raise Http404  # it exists, but not for this user: the same answer as no record at all
        ref.delete()  # the record went away without its reference
        return None

    def write(
        self,
        view: Any,
        *,
        instance: Any,
        data: Any,
        partial: bool,
        expected_version: int | None,
        external_ref: tuple[str, str] | None,
    ) -> tuple[Any, str]:
        """Create or update one record through the services; returns (record, created|updated|unchanged).
        Raises the API's usual exceptions."""
        ot = self.object_type
        serializer = view.get_serializer(instance, data=data, partial=partial and instance is not None)
        serializer.is_valid(raise_exception=True)
        kwargs = view.service_kwargs(serializer.validated_data)
        try:
            if instance is None:
                created = ot.create_service(actor=self.request.user, external_ref=external_ref, **kwargs)
                return created, "created"
            version = instance.version
            updated = ot.update_service(
                actor=self.request.user, instance=instance, expected_version=expected_version, **kwargs
            )
            if external_ref is not None:
                ExternalRef.objects.get_or_create(
                    object_type=ot.key,
                    object_id=updated.pk,
                    system=external_ref[0],
                    external_id=external_ref[1],
                )
            return updated, "updated" if updated.version != version else "unchanged"
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None


def _check_system(system: str) -> None:
    if not _SYSTEM_RE.match(system):
        raise exceptions.ValidationError(
            {"system": [_g("Use 1–40 letters, digits, dots, dashes or underscores.")]}
        )


def _check_external_id(external_id: str) -> None:
    if not external_id or len(external_id) > MAX_EXTERNAL_ID or "/" in external_id:
        raise exceptions.ValidationError({"external_id": [_g("Use 1–255 characters, without a slash.")]})


class ExternalIdViewSet(_SyncBase):
    """Records by the id another system (an ERP, a shop, a marketing tool) gives them."""

    lookup_field = "external_id"
    lookup_value_regex = EXTERNAL_ID_PATTERN
    honours_if_match = True

    def retrieve(self, request: Request, system: str, external_id: str) -> Response:
        view = self.record_view("retrieve")
        instance = self.find_by_external_id(view, system, external_id)
        if instance is None:
            raise Http404
        return self.represent(view, instance)

    def update(self, request: Request, system: str, external_id: str) -> Response:
        """Create the record, or update the one that has this external id. Sending the same body again
        changes nothing (and answers 200 with the same version)."""
        _check_system(system)
        _check_external_id(external_id)
        expected = _expected_version(request)
        view = self.record_view("update")
        for _try in range(2):
            instance = self.find_by_external_id(view, system, external_id)
            if instance is None and expected is not None:
                raise PreconditionFailed(_g("There is no record with this external id to match If-Match."))
            if instance is not None and expected is not None and expected != instance.version:
                raise StaleVersionError(instance, expected, [])
            try:
                with transaction.atomic():
                    record, outcome = self.write(
                        view,
                        instance=instance,
                        data=request.data,
                        partial=False,
                        expected_version=expected,
                        external_ref=(system, external_id),
                    )
            except IntegrityError:
                if instance is None and _try == 0:
                    continue  # created meanwhile by a concurrent request: update it instead
                raise
            code = status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK
            response = self.represent(view, record, code)
            if outcome == "created":
                response["Location"] = f"/api/v1/{self.object_type.api_path}/{record.pk}/"
            return response
        raise exceptions.APIException()  # pragma: no cover - the loop returns or raises

    def destroy(self, request: Request, system: str, external_id: str) -> Response:
        view = self.record_view("destroy")
        instance = self.find_by_external_id(view, system, external_id)
        if instance is None:
            raise Http404
        try:
            self.object_type.delete_service(
                actor=request.user, instance=instance, expected_version=_expected_version(request)
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class BulkItemSerializer(serializers.Serializer):
    system = serializers.RegexField(rf"^{SYSTEM_PATTERN}$", required=False, max_length=40)
    external_id = serializers.CharField(required=False, max_length=MAX_EXTERNAL_ID)
    id = serializers.IntegerField(required=False, min_value=1, max_value=2**53)
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31)
    data = serializers.DictField(  # type: ignore[assignment]
        help_text="The record's fields, as for the object type's own endpoint."
    )

    def validate_external_id(self, value: str) -> str:
        if "/" in value:
            raise serializers.ValidationError(_g("Use 1–255 characters, without a slash."))
        return value


class BulkRequestSerializer(serializers.Serializer):
    """The envelope: its shape is checked for every item at once (400 if any item is malformed); what each
    item's `data` holds is validated item by item, with a result per item."""

    system = serializers.RegexField(
        rf"^{SYSTEM_PATTERN}$", required=False, max_length=40, help_text="Default `system` for the items."
    )
    items = serializers.ListField(
        child=BulkItemSerializer(), min_length=1, max_length=MAX_BULK_ITEMS, allow_empty=False
    )


class BulkResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    id = serializers.IntegerField(required=False)
    version = serializers.IntegerField(required=False)
    system = serializers.CharField(required=False)
    external_id = serializers.CharField(required=False)
    errors = serializers.DictField(required=False)  # type: ignore[assignment]


class BulkResponseSerializer(serializers.Serializer):
    results = BulkResultSerializer(many=True)
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    failed = serializers.IntegerField()


class BulkViewSet(_SyncBase):
    """Many records in one request, each validated and written on its own."""

    def create(self, request: Request) -> Response:
        """Up to 1,000 items. An item with `external_id` (and `system`, here or at the top) is upserted by
        it; with `id`, that record is updated (`version` checked if given; with an external id too, the id
        is linked to it); otherwise a record is created. Updates change only the fields given. Each item is
        validated and written in its own transaction: the result lists, per item, `created`, `updated`,
        `unchanged` or `error` with the errors by field."""
        envelope = BulkRequestSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        default_system = envelope.validated_data.get("system")
        view_create, view_update = self.record_view("create"), self.record_view("partial_update")
        results = []
        for index, item in enumerate(envelope.validated_data["items"]):
            results.append({"index": index, **self.apply(item, default_system, view_create, view_update)})
        counts = {
            key: sum(1 for r in results if r["status"] == key) for key in ("created", "updated", "unchanged")
        }
        return Response(
            {"results": results, **counts, "failed": sum(1 for r in results if r["status"] == "error")}
        )

    def apply(
        self, data: dict[str, Any], default_system: str | None, view_create: Any, view_update: Any
    ) -> dict:
        system = data.get("system") or default_system
        external_id = data.get("external_id")
        pk = data.get("id")
        if external_id is not None and not system:
            return {
                "status": "error",
                "errors": {"system": [_g("Give the system the external id comes from.")]},
            }
        ref: tuple[str, str] | None = (system, external_id) if external_id is not None and system else None
        outcome: dict[str, Any] = {"system": system, "external_id": external_id} if ref else {}
        for _try in range(2):
            try:
                with transaction.atomic():
                    instance = None
                    view = view_update
                    if pk is not None:
                        instance = view.get_queryset().filter(pk=pk).first()
                        if instance is None:
                            return {
                                **outcome,
                                "status": "error",
                                "errors": {"id": [_g("No record with this id.")]},
                            }
                        if ref is not None:
                            linked = self.find_by_external_id(view, *ref)
                            if linked is not None and linked.pk != instance.pk:
                                message = _g("This external id belongs to record %(id)s.") % {"id": linked.pk}
                                return {**outcome, "status": "error", "errors": {"external_id": [message]}}
                    elif ref is not None:
                        instance = self.find_by_external_id(view, *ref)
                    if instance is None:
                        view = view_create
                    expected = data.get("version")
                    if instance is not None and expected is not None and expected != instance.version:
                        raise StaleVersionError(instance, expected, [])
                    record, status_name = self.write(
                        view,
                        instance=instance,
                        data=data["data"],
                        partial=True,
                        expected_version=expected,
                        external_ref=ref,
                    )
                return {**outcome, "status": status_name, "id": record.pk, "version": record.version}
            except IntegrityError as exc:
                if ref is not None and pk is None and _try == 0:
                    continue
                return {**outcome, "status": "error", "errors": {"non_field_errors": [str(exc)[:300]]}}
            except exceptions.ValidationError as exc:
                detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
                return {**outcome, "status": "error", "errors": detail}
            except DjangoValidationError as exc:
                return {**outcome, "status": "error", "errors": _django_errors(exc)}
            except (exceptions.PermissionDenied, DjangoPermissionDenied) as exc:
                return {**outcome, "status": "error", "errors": {"non_field_errors": [str(exc)]}}
            except StaleVersionError as exc:
                message = _g("The record is at version %(current)s, not %(expected)s.") % {
                    "current": exc.current.version,  # type: ignore[attr-defined]
                    "expected": exc.expected,
                }
                return {**outcome, "status": "error", "errors": {"version": [message]}}
            except Http404:
                return {
                    **outcome,
                    "status": "error",
                    "errors": {"external_id": [_g("No record with this id.")]},
                }
        return {
            **outcome,
            "status": "error",
            "errors": {"non_field_errors": [_g("Try again.")]},
        }  # pragma: no cover


# --- per object type: classes with their own schema, and the routes ---------------------------------
def _path_parameters() -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "system",
            str,
            OpenApiParameter.PATH,
            pattern=f"^{SYSTEM_PATTERN}$",
            description="The source system, e.g. `erp`, `shop`, `hubspot`.",
        ),
        OpenApiParameter(
            "external_id",
            str,
            OpenApiParameter.PATH,
            pattern=f"^{EXTERNAL_ID_PATTERN}$",
            description="The record's id in that system (1–255 characters, no slash).",
        ),
    ]


def sync_viewsets(object_type: ObjectType) -> tuple[type, type]:
    """The by-external-id and bulk viewsets of one object type, documented with its serializer."""
    serializer = object_type.serializer_class
    name = object_type.model.__name__
    params = _path_parameters()
    tag = object_type.api_path
    external = extend_schema_view(
        retrieve=extend_schema(
            tags=[tag], summary=f"Get a {name} by external id", parameters=params, responses=serializer
        ),
        update=extend_schema(
            tags=[tag],
            summary=f"Create or update a {name} by external id (idempotent)",
            parameters=params,
            request=serializer,
            responses={
                200: OpenApiResponse(serializer, description="Updated (or unchanged)."),
                201: OpenApiResponse(serializer, description="Created."),
            },
        ),
        destroy=extend_schema(
            tags=[tag], summary=f"Delete a {name} by external id", parameters=params, responses={204: None}
        ),
    )(type(f"{name}ExternalIdViewSet", (ExternalIdViewSet,), {"object_type_key": object_type.key}))
    item = inline_serializer(
        f"{name}BulkItem",
        fields={
            "system": serializers.CharField(required=False, max_length=40),
            "external_id": serializers.CharField(required=False, max_length=MAX_EXTERNAL_ID),
            "id": serializers.IntegerField(required=False, min_value=1),
            "version": serializers.IntegerField(required=False, min_value=1),
            "data": serializers.DictField(
                help_text=f"The {name}'s fields as in `{name}Request`; invalid values are reported per item."
            ),
        },
    )
    bulk_request = inline_serializer(
        f"{name}BulkRequest",
        fields={
            "system": serializers.CharField(required=False, max_length=40),
            "items": serializers.ListField(child=item, min_length=1, max_length=MAX_BULK_ITEMS),
        },
    )
    with translation.override("en"):  # the schema is in English, whatever language loads the URLs first
        plural = str(object_type.label_plural)
    bulk = extend_schema_view(
        create=extend_schema(
            tags=[tag],
            summary=f"Create, update or upsert up to {MAX_BULK_ITEMS} {plural}",
            request=bulk_request,
            responses={200: BulkResponseSerializer},
        )
    )(type(f"{name}BulkViewSet", (BulkViewSet,), {"object_type_key": object_type.key}))
    return external, bulk


def register_routes(router: SimpleRouter) -> None:
    router.register("webhooks", WebhookViewSet, basename="webhook")
    router.register("webhook-deliveries", DeliveryViewSet, basename="webhook-delivery")
    for object_type in registry.all():
        if not (object_type.viewset and object_type.api_path and object_type.create and object_type.update):
            continue
        external, bulk = sync_viewsets(object_type)
        router.register(
            rf"{object_type.api_path}/by-external-id/(?P<system>{SYSTEM_PATTERN})",
            external,
            basename=f"{object_type.key}-by-external-id",
        )
        router.register(rf"{object_type.api_path}/bulk", bulk, basename=f"{object_type.key}-bulk")
