"""Errors the API answers in JSON, as its schema says, wherever they arise.

- :func:`exception_handler` (REST_FRAMEWORK["EXCEPTION_HANDLER"]) turns values the database cannot hold (an
  id beyond 64 bits in a filter, a number out of range) into 400 and a record deleted while a write was
  waiting for it into 404, instead of 500, then hands over to `guanxi.core.api.exception_handler`.
- :func:`not_found`, :func:`server_error`, :func:`bad_request` and :func:`permission_denied` (handler404 …
  in urls.py) answer JSON under /api/ — a URL that matches no route, such as /api/v1/companies/abc/ — and
  the usual HTML pages elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _g
from django.views import defaults
from rest_framework import exceptions

API_PREFIX = "/api/"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    from .api import exception_handler as record_exception_handler

    if isinstance(exc, OverflowError | DataError):
        exc = exceptions.ValidationError(
            {"non_field_errors": [_g("A value is out of the range this field allows.")]}
        )
    elif isinstance(exc, ObjectDoesNotExist):  # deleted by someone else between reading and locking it
        exc = exceptions.NotFound()
    return record_exception_handler(exc, context)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _g("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _g("Server error.")}, status=500)
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _g("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _g("You do not have permission to perform this action.")}, status=403)
    return defaults.permission_denied(request, exception)  # type: ignore[arg-type]
