"""The API's permission and pagination classes, kept apart from core.api so DRF can import them from its
settings while it loads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from . import permissions as perms
from .pagination import InvalidCursor, paginate
from .registry import ObjectType


class ObjectPermission(permissions.BasePermission):
    """No permission for the object type → 403; a record outside the user's scope is filtered out of
    the queryset (→ 404) for reads, and answered 403 for writes the user may not make on a visible record."""

    ACTION_FOR_METHOD = {
        "GET": "view",
        "HEAD": "view",
        "OPTIONS": "view",
        "POST": "create",
        "PUT": "edit",
        "PATCH": "edit",
        "DELETE": "delete",
    }

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        auth = getattr(request, "auth", None)
        if getattr(auth, "read_only", False) and request.method not in permissions.SAFE_METHODS:
            return False
        object_type: ObjectType | None = getattr(view, "object_type", None)
        if object_type is None:
            return True
        action = getattr(view, "permission_action", None) or self.ACTION_FOR_METHOD.get(
            request.method or "", "view"
        )
        if action in ("edit", "delete") and getattr(view, "detail", False):
            return perms.can(request.user, "view", object_type) and perms.can(
                request.user, action, object_type
            )
        return perms.can(request.user, action, object_type)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        object_type: ObjectType | None = getattr(view, "object_type", None)
        if object_type is None or request.method in permissions.SAFE_METHODS:
            return True
        action = self.ACTION_FOR_METHOD.get(request.method or "", "edit")
        return perms.can(request.user, action, object_type, obj)


class KeysetPagination(BasePagination):
    """`{"results": [...], "next": url | null}` with an opaque cursor; no OFFSET, no COUNT."""

    page_size = 50
    max_page_size = 500

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any]:
        assert isinstance(queryset, QuerySet)  # keyset pagination needs a query to add its WHERE to
        self.request = request
        sort = view.get_sort() if view is not None and hasattr(view, "get_sort") else "-id"
        try:
            size = max(1, min(int(request.query_params.get("limit", self.page_size)), self.max_page_size))
        except ValueError:
            raise exceptions.ValidationError({"limit": [_("Enter a whole number.")]}) from None
        try:
            self.page = paginate(queryset, sort=sort, cursor=request.query_params.get("cursor"), size=size)
        except InvalidCursor:
            raise exceptions.ValidationError({"cursor": [_("Invalid cursor.")]}) from None
        return self.page.items

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "cursor", cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "results": data,
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Opaque cursor from `next`/`previous`.",
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    def first_page_url(self) -> str:
        return remove_query_param(self.request.build_absolute_uri(), "cursor")
