from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_POST

from guanxi.core import permissions
from guanxi.core.audit import ObjectChange
from guanxi.core.http import AuthenticatedHttpRequest
from guanxi.core.pagination import capped_count
from guanxi.core.registry import registry

from . import dashboard

SEARCH_LIMIT = 6


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    cards = []
    for object_type in registry.all():
        if not object_type.home_card or not permissions.can(request.user, "view", object_type):
            continue
        queryset = object_type.model.objects.visible_to(request.user)  # type: ignore[attr-defined]
        count, capped = capped_count(queryset)
        try:
            url = reverse(object_type.url_name("list"))
        except NoReverseMatch:
            continue
        cards.append(
            {
                "key": object_type.key,
                "label": capfirst(object_type.label_plural),
                "count": count,
                "capped": capped,
                "url": url,
            }
        )
    recent = list(
        ObjectChange.objects.filter(actor=request.user).select_related("actor").order_by("-id")[:10]
    )
    for change in recent:
        change.url = _detail_url(change.object_type, change.object_id) if change.action != "delete" else None  # type: ignore[attr-defined]
    context = {"cards": cards, "recent": recent, "widgets": dashboard.widgets_for(request)}
    return render(request, "web/home.html", context)


def _detail_url(object_type: str, pk: int) -> str | None:
    found = registry.find(object_type)
    if found is None:
        return None
    try:
        return reverse(found.url_name("detail"), args=[pk])
    except NoReverseMatch:
        return None


def search_groups(request: HttpRequest, query: str, limit: int) -> list[dict[str, Any]]:
    groups = []
    for object_type in registry.all():
        if not object_type.searchable or not permissions.can(request.user, "view", object_type):
            continue
        queryset = object_type.model.objects.visible_to(request.user)  # type: ignore[attr-defined]
        if object_type.select_related:
            queryset = queryset.select_related(*object_type.select_related)
        found = list(
            queryset.filter(search_text__matches=query).order_by(object_type.default_sort, "id")[: limit + 1]
        )
        if not found:
            continue
        items = [
            {
                "title": str(obj),
                "subtitle": getattr(obj, "search_subtitle", ""),
                "url": reverse(object_type.url_name("detail"), args=[obj.pk]),
            }
            for obj in found[:limit]
        ]
        list_url = reverse(object_type.url_name("list"))
        groups.append(
            {
                "label": capfirst(object_type.label_plural),
                "items": items,
                "more_url": f"{list_url}?{urlencode({'q': query})}" if len(found) > limit else None,
            }
        )
    return groups


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    htmx = getattr(request, "htmx", None)
    groups = search_groups(request, query, SEARCH_LIMIT if htmx else 20) if query else []
    template = "web/search_results.html" if htmx else "web/search_page.html"
    return render(request, template, {"query": query, "groups": groups})


@login_required
@require_GET
def lookup(request: HttpRequest, object_type: str) -> JsonResponse:
    """Options for a record lookup field: `[{"id": 1, "text": "…"}]` among the records the user sees."""
    found = registry.find(object_type)
    if found is None or not permissions.can(request.user, "view", found):
        return JsonResponse({"results": []}, status=404)
    query = request.GET.get("q", "").strip()[:100]
    queryset = found.model.objects.visible_to(request.user)  # type: ignore[attr-defined]
    if query and found.searchable:
        queryset = queryset.filter(search_text__matches=query)
    rows = queryset.order_by(found.default_sort, "id")[:20]
    return JsonResponse({"results": [{"id": row.pk, "text": str(row)} for row in rows]})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    from guanxi.users.services import user_update

    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        user_update(actor=request.user, user=request.user, language=language)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
