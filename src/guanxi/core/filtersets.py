"""Base FilterSet: the same filters serve the list page, the API and exports."""

from __future__ import annotations

from collections.abc import Sized
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import customfields
from .formrender import stock_widget_renderer
from .models import Tag
from .registry import registry


class RecordFilterSet(django_filters.FilterSet):
    """Adds `q` (full-text), `tag`, `owner`, `team`, created/updated ranges and one filter per custom
    field (`cf_<name>`) to a model's FilterSet."""

    q = django_filters.CharFilter(method="filter_search", label=pgettext_lazy("search", "Search"))
    created_after = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label=_("Created from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label=_("Created to"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
        custom_fields: list[Any] | None = None,
    ) -> None:
        """`custom_fields`: the object type's custom field definitions, when the caller has read them."""
        super().__init__(data, queryset, request=request, prefix=prefix)
        object_type = registry.for_model(self._meta.model)
        self.object_type = object_type
        if object_type.ownable:
            users = get_user_model().objects.filter(is_active=True)
            self.filters["owner"] = django_filters.ModelMultipleChoiceFilter(
                field_name="owner", queryset=users, label=_("Owner")
            )
            from guanxi.users.models import Team

            self.filters["team"] = django_filters.ModelChoiceFilter(
                field_name="team", queryset=Team.objects.all(), label=_("Team")
            )
        if object_type.has_tags:
            self.filters["tag"] = django_filters.ModelMultipleChoiceFilter(
                field_name="tags__name",
                to_field_name="name",
                queryset=Tag.objects.all(),
                label=_("Tag"),
                distinct=True,
            )
        if object_type.has_custom_fields:
            if custom_fields is None:
                custom_fields = customfields.definitions(object_type.key)
            for definition in custom_fields:
                self.filters[definition.form_name] = _custom_field_filter(definition)
        if not object_type.searchable:
            self.filters.pop("q", None)
        self._custom_field_filters = [n for n in self.filters if n.startswith("cf_")]

    @property
    def form(self) -> Any:
        """The filter form as a person reads it: short lists as tick boxes, yes/no filters with "any"."""
        form = super().form
        if not getattr(form, "_guanxi_ready", False):
            form.renderer = stock_widget_renderer
            for field in form.fields.values():
                widget = field.widget
                if isinstance(widget, forms.NullBooleanSelect):
                    widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]
                elif (
                    isinstance(field, forms.MultipleChoiceField)
                    and not isinstance(field, forms.ModelMultipleChoiceField)
                    and isinstance(choices := field.choices, Sized)
                    and len(choices) <= 12
                ):
                    field.widget = forms.CheckboxSelectMultiple(choices=choices)
            form._guanxi_ready = True
        return form

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value.strip():
            return queryset
        return queryset.filter(search_text__matches=value)

    @property
    def active_filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "", [], ()) and k != "q"}


def _custom_field_filter(definition: Any) -> django_filters.Filter:
    field_name = f"custom_field_data__{definition.name}"
    label = definition.display_label
    kind = definition.type
    if kind in ("choice",):
        return django_filters.ChoiceFilter(
            field_name=field_name, label=label, choices=[(c, c) for c in definition.choices]
        )
    if kind == "multichoice":
        return django_filters.ChoiceFilter(
            field_name=field_name,
            label=label,
            lookup_expr="icontains",
            choices=[(c, c) for c in definition.choices],
        )
    if kind == "boolean":
        return django_filters.BooleanFilter(field_name=field_name, label=label)
    if kind == "number":
        return django_filters.NumberFilter(field_name=field_name, label=label)
    if kind == "date":
        return django_filters.CharFilter(
            field_name=field_name, label=label, widget=forms.DateInput(attrs={"type": "date"})
        )
    if kind == "user":
        return django_filters.NumberFilter(field_name=field_name, label=label)
    if kind == "money":
        return django_filters.CharFilter(field_name=f"{field_name}__amount", label=label)
    return django_filters.CharFilter(field_name=field_name, label=label, lookup_expr="icontains")


class RecordLookupFilter(django_filters.ModelChoiceFilter):
    """A filter on a link to another record, chosen through a lookup among the records the user sees."""

    def __init__(self, object_type: str, **kwargs: Any) -> None:
        from .forms import LookupSelect

        def visible(request: Any) -> QuerySet[Any]:
            model = registry.get(object_type).model
            manager = model.objects  # type: ignore[attr-defined]
            return manager.visible_to(request.user) if request is not None else manager.none()

        kwargs.setdefault("widget", LookupSelect(object_type))
        super().__init__(queryset=visible, **kwargs)
