"""The OpenAPI schema as the API really behaves: besides the success responses drf-spectacular derives, every
operation documents the errors it can answer (400 field errors, 401/403, 404, 412 for a stale If-Match,
429 with Retry-After) and the If-Match header where writes honour it. `docs/openapi.yaml` is generated
from this (`make openapi`) and the contract tests hold the server to it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "What went wrong, in the user's language.",
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages by field (`non_field_errors` for the record as a whole); nested for lists.",
    "additionalProperties": True,
}
STALE = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "current_version": {"type": "integer"}},
    "required": ["detail"],
}


class AnonymousRateLimitScheme(OpenApiAuthenticationExtension):
    """The per-address rate limit sits among the authentication classes but authenticates nobody: it adds no
    security scheme."""

    target_class = "guanxi.core.throttling.AnonymousRateLimit"
    name: Any = []

    def get_security_requirement(self, auto_schema: Any) -> Any:
        return None

    def get_security_definition(self, auto_schema: Any) -> list[Any]:
        return []


def _decimal_pattern(field: serializers.DecimalField) -> str:
    """A decimal as a string with at least one digit (drf-spectacular's pattern also matches "" and "-")."""
    whole = field.max_whole_digits
    places = field.decimal_places or 0
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    digits = rf"\d{{1,{whole}}}" if whole else "0"
    if not places:
        return f"^{sign}{digits}$"
    return rf"^{sign}(?:{digits}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"


class AutoSchema(SpectacularAutoSchema):
    def honours_if_match(self) -> bool:
        from .api import RecordViewSet

        return isinstance(self.view, RecordViewSet) or bool(getattr(self.view, "honours_if_match", False))

    def _is_detail(self) -> bool:
        return "{" in self.path

    def _needs_auth(self) -> bool:
        return not any(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())

    def get_override_parameters(self) -> list[Any]:
        from drf_spectacular.utils import OpenApiParameter

        parameters = list(super().get_override_parameters())
        if self.method in ("PUT", "PATCH", "DELETE") and self._is_detail() and self.honours_if_match():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description='The ETag (`"<version>"`) last read; the write is refused with 412 '
                    "Precondition Failed if the record changed since (or the value is not such an ETag).",
                )
            )
        return parameters

    def _get_parameters(self) -> list[dict[str, Any]]:
        from .api import RecordViewSet

        parameters = super()._get_parameters()
        if isinstance(self.view, RecordViewSet) and self.method == "GET" and not self._is_detail():
            fields = sorted({*self.view.ordering_fields, "id", "created_at", "updated_at"})
            for parameter in parameters:
                if parameter.get("name") == "ordering" and parameter.get("in") == "query":
                    parameter["schema"] = {
                        "type": "string",
                        "enum": [v for f in fields for v in (f, f"-{f}")],
                    }
        return parameters

    def _get_pagination_parameters(self) -> list[dict[str, Any]]:
        parameters = super()._get_pagination_parameters()
        for parameter in parameters:
            if parameter.get("name") == "limit":
                schema = parameter.setdefault("schema", {})
                maximum = schema.pop("maximum", None)
                schema.pop("minimum", None)
                if maximum:
                    parameter["description"] = (
                        f"Records per page, 1–{maximum}; other numbers are brought into range."
                    )
        return parameters

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        if isinstance(field, serializers.ChoiceField) and field.read_only and not field.allow_blank:
            field.allow_blank = self._model_field_is_blank(
                field
            )  # DRF drops allow_blank from read-only fields
        result = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and isinstance(result, dict) and "pattern" in result:
            result["pattern"] = _decimal_pattern(field)
        if (
            field.read_only
            and getattr(field, "default", serializers.empty) is None
            and isinstance(result, dict)
        ):
            result["nullable"] = True  # e.g. CharField(source="company.name", default=None)
        return result

    @staticmethod
    def _model_field_is_blank(field: Any) -> bool:
        model = getattr(getattr(field.parent, "Meta", None), "model", None)
        if model is None or not isinstance(field.source, str) or "." in field.source:
            return False
        try:
            return bool(model._meta.get_field(field.source).blank)
        except Exception:  # noqa: BLE001 - not a model field
            return False

    def _component(self, name: str, schema: dict[str, Any]) -> dict[str, str]:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component.ref

    def _error(
        self, description: str, name: str = "Error", schema: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": self._component(name, schema or ERROR)}},
        }

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = dict(super()._get_response_bodies(direction))
        if direction != "response":
            return responses
        has_query = self.method == "GET" and not self._is_detail()
        if self.method in ("POST", "PUT", "PATCH") or has_query or self._is_detail():
            responses.setdefault("400", self._error("Invalid input.", "FieldErrors", FIELD_ERRORS))
        if self._needs_auth():
            responses.setdefault(
                "401", self._error("No credentials, or an invalid, expired or revoked token.")
            )
            responses.setdefault("403", self._error("Not allowed (role, token scope or read-only token)."))
        if self._is_detail():
            responses.setdefault("404", self._error("No such record, or not one this user may see."))
        if self.method in ("PUT", "PATCH", "DELETE") and self._is_detail() and self.honours_if_match():
            responses.setdefault(
                "412", self._error("The record changed since the If-Match version.", "Stale", STALE)
            )
        too_many = self._error("Rate limit reached; retry after the given number of seconds.")
        too_many["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
        }
        responses.setdefault("429", too_many)
        return responses
