"""Generic list / detail / create / edit / delete views for every registered object type.

A domain app subclasses these with `object_type_key` (and, where it wants, detail fields, panels and
cell renderers); permissions, visibility, versions, custom fields, saved views and htmx partials come
from here."""

from __future__ import annotations

import html
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.base import render_value_in_context
from django.template.context import Context
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext as _g
from django.views import View

from . import audit, customfields, permissions, search
from .http import AuthenticatedHttpRequest
from .models import SavedView
from .pagination import InvalidCursor, capped_count, paginate
from .registry import Column, ObjectType, registry
from .services import StaleVersionError

LIST_CONTROL_PARAMS = {"sort", "cursor", "columns", "view", "size"}
# A list cell renders as a template variable does: localised, in the current time zone, autoescaped.
_CELL_CONTEXT = Context(autoescape=True)


class RecordViewMixin(LoginRequiredMixin):
    object_type_key = ""
    request: HttpRequest

    @cached_property
    def object_type(self) -> ObjectType:
        return registry.get(self.object_type_key)

    def base_queryset(self) -> QuerySet[Any]:
        ot = self.object_type
        queryset = ot.model.objects.visible_to(self.request.user)  # type: ignore[attr-defined]
        if ot.select_related:
            queryset = queryset.select_related(*ot.select_related)
        return queryset

    def get_object(self, pk: Any) -> Model:
        return get_object_or_404(self.base_queryset(), pk=pk)

    def nav_context(self) -> dict[str, Any]:
        ot = self.object_type
        user = self.request.user
        return {
            "object_type": ot,
            "can_create": permissions.can(user, "create", ot),
            "list_url": reverse(ot.url_name("list")),
            "create_url": reverse(ot.url_name("create")),
        }


def custom_columns(object_type: ObjectType, definitions: list[Any] | None = None) -> list[Column]:
    if definitions is None:
        definitions = customfields.definitions(object_type.key)
    return [
        Column(name=d.form_name, label=d.display_label, sort=None, default=d.show_in_list)
        for d in definitions
    ]


class ObjectListView(RecordViewMixin, View):
    template_name = "core/object_list.html"
    table_template = "core/object_table.html"
    page_size = 50
    max_page_size = 200

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        ot = self.object_type
        if not permissions.can(request.user, "view", ot):
            raise PermissionDenied
        saved_views = list(SavedView.objects.filter(user=request.user, object_type=ot.key))
        params = self.effective_params(request, saved_views)
        all_columns = [*ot.columns, *custom_columns(ot, self.custom_field_defs)]
        columns = self.selected_columns(params, all_columns)
        sort = self.valid_sort(params.get("sort", ""), all_columns)
        filterset = ot.filterset_class(
            params, queryset=self.base_queryset(), request=request, custom_fields=self.custom_field_defs
        )
        invalid_filters = filterset.is_bound and not filterset.is_valid()
        queryset = filterset.qs if not invalid_filters else self.base_queryset().none()
        try:
            size = max(1, min(int(params.get("size") or self.page_size), self.max_page_size))
        except ValueError:
            size = self.page_size
        searching = ot.searchable and bool(params.get("q", "").strip()) and not invalid_filters
        if searching:
            # A search is a capped candidate set (core.search); capped: there may be more matches.
            queryset, count, capped = search.visible_matches(queryset, self.base_queryset())
        else:
            # The capped count comes first: it also tells the pagination whether the filter is selective.
            count, capped = capped_count(queryset)
        matches = None if capped else count
        try:
            page = paginate(
                queryset,
                sort=sort,
                cursor=params.get("cursor"),
                size=size,
                selective=searching,
                matches=matches,
                at_least=count if capped else None,
            )
        except InvalidCursor:
            page = paginate(
                queryset,
                sort=sort,
                cursor=None,
                size=size,
                selective=searching,
                matches=matches,
                at_least=count if capped else None,
            )
        rows = self.render_rows(page.items, columns)
        query_without = _query_without(params, {"cursor"})
        context = {
            **self.nav_context(),
            "filterset": filterset,
            "invalid_filters": invalid_filters,
            "columns": columns,
            "all_columns": all_columns,
            "rows": rows,
            "page": page,
            "sort": sort,
            "count": count,
            "count_capped": capped,
            "query": query_without,
            "params": params,
            "saved_views": saved_views,
            "current_view": params.get("view", ""),
            "next_url": f"?{_with(params, cursor=page.next_cursor)}" if page.next_cursor else None,
            "previous_url": f"?{_with(params, cursor=page.previous_cursor)}"
            if page.previous_cursor
            else None,
            "first_url": f"?{query_without}" if not page.is_first else None,
            "sort_urls": {
                c.name: f"?{_with(params, sort=self.toggle(sort, c.sort), cursor=None)}"
                for c in columns
                if c.sort
            },
            "export_query": _query_without(params, {"cursor", "view"}),
            "search_query": params.get("q", ""),
        }
        htmx = getattr(request, "htmx", None)
        if htmx and htmx.target == "object-table":
            return render(request, self.table_template, {**context, "is_partial": True})
        return render(request, self.template_name, context)

    def effective_params(
        self, request: AuthenticatedHttpRequest, saved_views: list[SavedView] | None = None
    ) -> QueryDict:
        """The request's parameters, or those of the chosen (or default) saved view. `saved_views`: the
        user's saved views of this type in their usual order, when the caller has read them already."""
        params = request.GET
        view_id = params.get("view")
        saved = None
        if view_id:
            saved = SavedView.objects.filter(
                user=request.user, object_type=self.object_type.key, pk=view_id
            ).first()
        elif not params:
            if saved_views is None:
                saved_views = list(
                    SavedView.objects.filter(user=request.user, object_type=self.object_type.key)
                )
            saved = next((v for v in saved_views if v.is_default), None)
        if saved is None:
            return params
        merged = QueryDict(saved.query, mutable=True)
        for key in ("cursor", "sort", "size"):
            if key in params:
                merged[key] = params[key]
        if saved.columns and "columns" not in merged:
            merged["columns"] = ",".join(saved.columns)
        merged["view"] = str(saved.pk)
        return merged

    def selected_columns(self, params: QueryDict, all_columns: list[Column]) -> list[Column]:
        by_name = {c.name: c for c in all_columns}
        names = params.getlist("col") or params.get("columns", "").split(",")
        requested = [n for n in names if n in by_name]
        chosen = [by_name[n] for n in requested] or [c for c in all_columns if c.default]
        if not any(c.link for c in chosen):
            first_link = next((c for c in all_columns if c.link), None)
            if first_link:
                chosen.insert(0, first_link)
        return chosen

    def valid_sort(self, sort: str, columns: list[Column]) -> str:
        allowed = {c.sort for c in columns if c.sort} | {"created_at", "updated_at", "id"}
        return sort if sort.lstrip("-") in allowed else self.object_type.default_sort

    @staticmethod
    def toggle(current: str, field: str | None) -> str:
        if field is None:
            return current
        return f"-{field}" if current == field else field

    def render_rows(self, objects: list[Model], columns: list[Column]) -> list[tuple[Model, SafeString]]:
        """Each record with its row's cells as HTML (`<td>…</td>` each), every cell rendered exactly as
        `{{ cell }}` would render it in the template — one string per row instead of a template node
        per cell."""
        renderers = [self.cell_renderer(c) for c in columns]
        rows = []
        for obj in objects:
            cells = "".join(f"<td>{_cell_html(render(obj))}</td>" for render in renderers)
            rows.append((obj, mark_safe(cells)))  # noqa: S308 - every cell is escaped by _cell_html
        return rows

    def cell_renderer(self, column: Column) -> Callable[[Model], Any]:
        """The function that gives a record's value for `column`, looked up once per list."""
        custom = getattr(self, f"cell_{column.name}", None)
        if custom is not None:
            value_of: Callable[[Model], Any] = custom
        elif column.name.startswith("cf_"):
            definition = next((d for d in self.custom_field_defs if d.form_name == column.name), None)
            key = column.name[3:]

            def value_of(obj: Model) -> Any:
                raw = (obj.custom_field_data or {}).get(key)  # type: ignore[attr-defined]
                return customfields.display(definition, raw) if definition else ""
        else:
            name = column.name

            def value_of(obj: Model) -> Any:
                return display_value(obj, name)

        if not column.link:
            return value_of

        def linked(obj: Model) -> Any:
            return format_html('<a href="{}">{}</a>', self.detail_url(obj.pk), value_of(obj) or f"#{obj.pk}")

        return linked

    def render_cell(self, obj: Model, column: Column) -> Any:
        return self.cell_renderer(column)(obj)

    def detail_url(self, pk: Any) -> str:
        """The record's page; the URL is reversed once per list rather than once per row."""
        return self.record_url(self.object_type.url_name("detail"), pk)

    def record_url(self, url_name: str, pk: Any) -> str:
        """reverse(url_name, args=[pk]) for a URL whose only argument is a record's integer id, reversed
        once per list rather than once per row."""
        parts = self._url_parts.get(url_name)
        if parts is None:
            marker = 987654321
            url = reverse(url_name, args=[marker])
            prefix, _, suffix = url.partition(str(marker))
            parts = self._url_parts[url_name] = (prefix, suffix)
        return f"{parts[0]}{pk}{parts[1]}"

    @cached_property
    def _url_parts(self) -> dict[str, tuple[str, str]]:
        return {}

    @cached_property
    def custom_field_defs(self) -> list[Any]:
        return customfields.definitions(self.object_type.key)


def _cell_html(value: Any) -> str:
    """`{{ value }}` in a template: marked-safe text as it is, other text escaped (what Django's escape()
    does, without its lazy-string wrapper), anything else localised and escaped by the template engine's
    own function."""
    if isinstance(value, str):
        return value if isinstance(value, SafeData) else html.escape(value)
    return str(render_value_in_context(value, _CELL_CONTEXT))


def display_value(obj: Model, name: str) -> Any:
    value = getattr(obj, name, None)
    if value is None or value == "":
        return ""
    display = getattr(obj, f"get_{name}_display", None)
    if display is not None:
        return display()
    if hasattr(value, "tzinfo"):
        return date_format(localtime(value) if is_aware(value) else value, "SHORT_DATETIME_FORMAT")
    if hasattr(value, "isoformat"):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, bool):
        return _g("Yes") if value else _g("No")
    if isinstance(value, Decimal | float):
        return number_format(value, force_grouping=True)
    if isinstance(value, int):
        return str(value)
    return str(value)


def _query_without(params: QueryDict, drop: set[str]) -> str:
    return urlencode([(k, v) for k, values in params.lists() if k not in drop for v in values if v != ""])


def _with(params: QueryDict, **changes: Any) -> str:
    pairs = [(k, v) for k, values in params.lists() if k not in changes for v in values if v != ""]
    pairs += [(k, v) for k, v in changes.items() if v is not None]
    return urlencode(pairs)


DetailPanel = Callable[[HttpRequest, Model], dict[str, Any] | None]
_detail_panels: dict[str, list[tuple[int, DetailPanel]]] = {}


def add_detail_panel(object_type: str, provider: DetailPanel, order: int = 100) -> None:
    """Let another app add a panel to a record's page. The provider returns None (nothing to show) or a
    context dict with `template`, optionally `column` ("left" or "right", default right) and
    `replaces_history` (a timeline that already shows the record's changes)."""
    panels = _detail_panels.setdefault(object_type, [])
    if all(existing is not provider for _order, existing in panels):
        panels.append((order, provider))
        panels.sort(key=lambda item: item[0])


class ObjectDetailView(RecordViewMixin, View):
    template_name = "core/object_detail.html"
    detail_fields: list[str] = []
    history_limit = 50

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        return render(request, self.template_name, self.get_context(obj))

    def get_context(self, obj: Model) -> dict[str, Any]:
        ot = self.object_type
        user = self.request.user
        fields = []
        for name in self.detail_fields:
            field = obj._meta.get_field(name)
            assert isinstance(field, Field)  # detail fields are the model's own, not reverse relations
            value = (
                getattr(self, f"field_{name}")(obj)
                if hasattr(self, f"field_{name}")
                else display_value(obj, name)
            )
            fields.append((field.verbose_name, value))
        data = getattr(obj, "custom_field_data", {}) or {}
        custom = [
            (d.display_label, customfields.display(d, data.get(d.name)))
            for d in customfields.definitions(ot.key)
        ]
        panels = [
            p for _order, provider in _detail_panels.get(ot.key, []) if (p := provider(self.request, obj))
        ]
        show_history = not any(p.get("replaces_history") for p in panels)
        changes = list(audit.history(ot.key, obj.pk)[: self.history_limit]) if show_history else []
        return {
            "left_panels": [p for p in panels if p.get("column") == "left"],
            "right_panels": [p for p in panels if p.get("column", "right") == "right"],
            "show_history": show_history,
            **self.nav_context(),
            "object": obj,
            "fields": fields,
            "custom_fields": custom,
            "tags": list(obj.tags.all()) if ot.has_tags else [],  # type: ignore[attr-defined]
            "history": describe_changes(changes, ot, user),
            "can_edit": permissions.can(user, "edit", ot, obj),
            "can_delete": permissions.can(user, "delete", ot, obj),
            "edit_url": reverse(ot.url_name("edit"), args=[obj.pk]),
            "delete_url": reverse(ot.url_name("delete"), args=[obj.pk]),
        }


def describe_changes(
    changes: list[audit.ObjectChange], object_type: ObjectType, user: Any
) -> list[dict[str, Any]]:
    """Audit rows as the history panel shows them: field labels, and related records by name when the
    user may see them."""
    model = object_type.model
    labels: dict[str, Any] = {}
    relations: dict[str, type[Model]] = {}
    choice_labels: dict[str, dict[Any, Any]] = {}
    for field in model._meta.concrete_fields:
        labels[field.name] = field.verbose_name
        if field.choices:
            choice_labels[field.name] = dict(field.flatchoices)
        if field.is_relation and field.related_model is not None:
            relations[field.name] = field.related_model
    for definition in customfields.definitions(object_type.key):
        labels[definition.form_name] = definition.display_label
    labels["tags"] = _g("Tags")
    wanted: dict[str, set[Any]] = {}
    for change in changes:
        for key, old, new in change.diff():
            if key in relations:
                wanted.setdefault(key, set()).update(v for v in (old, new) if v is not None)
    names: dict[tuple[str, Any], str] = {}
    for key, ids in wanted.items():
        related = relations[key]
        manager = related._default_manager
        queryset = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
        for item in queryset.filter(pk__in=ids):
            names[(key, item.pk)] = str(item)

    def show(key: str, value: Any) -> Any:
        if value is None or value == "":
            return "—"
        if key in relations:
            return names.get((key, value), f"#{value}")
        if key in choice_labels:
            return choice_labels[key].get(value, value)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or "—"
        if isinstance(value, bool):
            return _g("Yes") if value else _g("No")
        if isinstance(value, dict):
            return " ".join(str(v) for v in value.values())
        return value

    return [
        {
            "change": change,
            "rows": [
                (labels.get(key, key), show(key, old), show(key, new))
                for key, old, new in change.diff()
                if change.action != audit.Action.CREATE or new not in (None, "", [], {})
            ],
        }
        for change in changes
    ]


class ObjectEditView(RecordViewMixin, View):
    """Create (no pk) or edit (pk) a record through its domain services."""

    template_name = "core/object_form.html"

    def get_form(self, data: Any = None, instance: Model | None = None) -> Any:
        form_class = self.object_type.form_class
        return form_class(
            data=data, files=self.request.FILES or None, instance=instance, user=self.request.user
        )

    def load(self, pk: int | None) -> Model | None:
        ot = self.object_type
        if pk is None:
            if not permissions.can(self.request.user, "create", ot):
                raise PermissionDenied
            return None
        obj = self.get_object(pk)
        if not permissions.can(self.request.user, "edit", ot, obj):
            raise PermissionDenied
        return obj

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.load(pk)
        form = self.get_form(instance=obj)
        return self.render_form(form, obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.load(pk)
        form = self.get_form(data=request.POST, instance=obj)
        if not form.is_valid():
            return self.render_form(form, obj, status=400)
        kwargs = form.service_kwargs()
        warnings = self.pre_save_warnings(form, obj)
        if warnings and not request.POST.get("confirm_warnings"):
            return self.render_form(form, obj, status=200, warnings=warnings)
        try:
            if obj is None:
                saved = self.object_type.create_service(actor=request.user, **kwargs)
                messages.success(request, _g("Created %(name)s.") % {"name": saved})
            else:
                saved = self.object_type.update_service(
                    actor=request.user,
                    instance=obj,
                    expected_version=form.cleaned_data.get("version"),
                    **kwargs,
                )
                messages.success(request, _g("Saved %(name)s.") % {"name": saved})
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.render_form(form, obj, status=400)
        except StaleVersionError as exc:
            return self.render_conflict(form, obj, exc)
        return HttpResponseRedirect(reverse(self.object_type.url_name("detail"), args=[saved.pk]))

    def pre_save_warnings(self, form: Any, obj: Model | None) -> list[Any]:
        """Warnings the user must confirm before saving (e.g. a likely duplicate)."""
        return []

    def render_conflict(self, form: Any, obj: Model | None, exc: StaleVersionError) -> HttpResponse:
        data = form.data.copy()
        data["version"] = str(exc.current.version)  # type: ignore[attr-defined]
        form.data = data
        conflict = describe_changes(list(reversed(exc.changes)), self.object_type, self.request.user)
        return self.render_form(form, obj, status=409, conflict=conflict)

    def render_form(self, form: Any, obj: Model | None, status: int = 200, **extra: Any) -> HttpResponse:
        ot = self.object_type
        cancel = reverse(ot.url_name("detail"), args=[obj.pk]) if obj else reverse(ot.url_name("list"))
        context = {**self.nav_context(), "form": form, "object": obj, "cancel_url": cancel, **extra}
        return render(self.request, self.template_name, context, status=status)


class ObjectDeleteView(RecordViewMixin, View):
    template_name = "core/object_delete.html"

    def load(self, pk: int) -> Model:
        obj = self.get_object(pk)
        if not permissions.can(self.request.user, "delete", self.object_type, obj):
            raise PermissionDenied
        return obj

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.load(pk)
        return render(request, self.template_name, {**self.nav_context(), "object": obj})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.load(pk)
        version = request.POST.get("version")
        try:
            self.object_type.delete_service(
                actor=request.user, instance=obj, expected_version=int(version) if version else None
            )
        except StaleVersionError:
            messages.error(
                request, _g("Someone changed this record meanwhile; look at it again before deleting.")
            )
            return HttpResponseRedirect(reverse(self.object_type.url_name("detail"), args=[obj.pk]))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse(self.object_type.url_name("detail"), args=[obj.pk]))
        messages.success(request, _g("Deleted %(name)s.") % {"name": obj})
        return HttpResponseRedirect(reverse(self.object_type.url_name("list")))


class SavedViewSaveView(LoginRequiredMixin, View):
    """Save the current list query as a named view of the user's, or delete one."""

    def post(self, request: AuthenticatedHttpRequest, object_type: str) -> HttpResponse:
        ot = registry.find(object_type)
        if ot is None or not permissions.can(request.user, "view", ot):
            raise Http404
        list_url = reverse(ot.url_name("list"))
        if request.POST.get("delete"):
            SavedView.objects.filter(
                user=request.user, object_type=ot.key, pk=request.POST["delete"]
            ).delete()
            return HttpResponseRedirect(list_url)
        name = request.POST.get("name", "").strip()[:80]
        if not name:
            messages.error(request, _g("Give the view a name."))
            return HttpResponseRedirect(f"{list_url}?{request.POST.get('query', '')}")
        query = QueryDict(request.POST.get("query", ""))
        columns = [c for c in query.get("columns", "").split(",") if c]
        stored = _query_without(query, LIST_CONTROL_PARAMS - {"sort"})
        is_default = bool(request.POST.get("is_default"))
        if is_default:
            SavedView.objects.filter(user=request.user, object_type=ot.key).update(is_default=False)
        view, _created = SavedView.objects.update_or_create(
            user=request.user,
            object_type=ot.key,
            name=name,
            defaults={"query": stored, "columns": columns, "is_default": is_default},
        )
        messages.success(request, _g("Saved the view “%(name)s”.") % {"name": name})
        return HttpResponseRedirect(f"{list_url}?view={view.pk}")


def get_visible_or_404(request: HttpRequest, model: type[Model], pk: Any) -> Model:
    return get_object_or_404(model.objects.visible_to(request.user), pk=pk)  # type: ignore[attr-defined]
