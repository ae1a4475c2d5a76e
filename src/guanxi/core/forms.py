"""Base form for records: custom fields, tags and the optimistic-locking version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import customfields, permissions
from .registry import ObjectType, registry


class TagsField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Tags"))
        kwargs.setdefault("help_text", _("Separate tags with commas."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # a CharField cleaned to a list
        text = super().to_python(value) or ""
        parts = text.replace("，", ",").replace("、", ",").split(",")
        return [p.strip() for p in parts if p.strip()]


class RecordForm(forms.ModelForm):
    """A ModelForm that adds the record's custom fields (`cf_<name>`), tags and `version`.

    It only cleans input; the view hands `service_kwargs()` to the domain service, which validates
    again, checks permissions and saves."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.object_type: ObjectType = registry.for_model(self._meta.model)
        self.custom_field_defs = customfields.definitions(self.object_type.key)
        data = getattr(self.instance, "custom_field_data", {}) or {}
        for definition in self.custom_field_defs:
            field = customfields.form_field(definition)
            field.initial = customfields.initial_for_form(definition, data.get(definition.name))
            self.fields[definition.form_name] = field
        if self.object_type.has_tags:
            self.fields["tags"] = TagsField()
            if self.instance.pk:
                self.fields["tags"].initial = list(self.instance.tags.values_list("name", flat=True))
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if "owner" in self.fields and user is not None:
            action = "edit" if self.instance.pk else "create"
            owner = self.fields["owner"]
            assert isinstance(owner, forms.ModelChoiceField)
            owner.queryset = permissions.assignable_users(user, self.object_type, action)
            if not self.instance.pk:
                self.fields["owner"].initial = user.pk
        if "team" in self.fields and user is not None and not self.instance.pk:
            self.fields["team"].initial = user.team_id
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)

    @property
    def custom_field_names(self) -> list[str]:
        return [d.form_name for d in self.custom_field_defs]

    def custom_field_values(self) -> dict[str, Any]:
        values = {}
        for definition in self.custom_field_defs:
            value = self.cleaned_data.get(definition.form_name)
            if definition.type == "user" and value is not None:
                value = value.pk
            values[definition.name] = value
        return values

    def model_changes(self) -> dict[str, Any]:
        fields = self._meta.fields
        assert fields is not None  # record forms list their fields
        return {name: self.cleaned_data[name] for name in fields if name in self.cleaned_data}

    def service_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {**self.model_changes(), "custom_fields": self.custom_field_values()}
        if self.object_type.has_tags:
            kwargs["tags"] = self.cleaned_data.get("tags", [])
        return kwargs

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show the service's field-by-field errors on the form."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in self.fields else None
                for error in errors:
                    self.add_error(target, error)
        else:
            self.add_error(None, exc)


class LookupSelect(forms.Select):
    """A select that renders only the chosen option; the page's script fills it from a lookup URL as the
    user types, so a choice among a million records never renders a million options."""

    template_name = "core/widgets/lookup_select.html"

    def __init__(self, object_type: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.object_type = object_type

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        from django.urls import reverse

        context = super().get_context(name, value, attrs)
        context["widget"]["lookup_url"] = reverse("lookup", args=[self.object_type])
        return context

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> list[Any]:
        selected = {str(v) for v in value if v not in (None, "")}
        queryset = getattr(self.choices, "queryset", None)
        options = [self.create_option(name, "", "—", not selected, 0)]
        if queryset is not None and selected:
            for index, item in enumerate(queryset.filter(pk__in=selected), start=1):
                options.append(self.create_option(name, str(item.pk), str(item), True, index))
        return [(None, options, 0)]


class RecordChoiceField(forms.ModelChoiceField):
    """A link to another record the user may see, chosen through a lookup."""

    def __init__(self, object_type: str, **kwargs: Any) -> None:
        model = registry.get(object_type).model
        kwargs.setdefault("widget", LookupSelect(object_type))
        super().__init__(queryset=model._default_manager.none(), **kwargs)
        self.object_type_key = object_type

    def limit_to(self, user: Any) -> None:
        self.queryset = registry.get(self.object_type_key).model.objects.visible_to(user)  # type: ignore[attr-defined]
        self.widget.choices = self.choices


class LookupSelectMultiple(LookupSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> list[Any]:
        selected = {str(v) for v in value if v not in (None, "")}
        queryset = getattr(self.choices, "queryset", None)
        options = []
        if queryset is not None and selected:
            for index, item in enumerate(queryset.filter(pk__in=selected)):
                options.append(self.create_option(name, str(item.pk), str(item), True, index))
        return [(None, options, 0)]


class RecordMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several links to records the user may see, chosen through a lookup."""

    def __init__(self, object_type: str, **kwargs: Any) -> None:
        model = registry.get(object_type).model
        kwargs.setdefault("widget", LookupSelectMultiple(object_type))
        super().__init__(queryset=model._default_manager.none(), **kwargs)
        self.object_type_key = object_type

    def limit_to(self, user: Any) -> None:
        self.queryset = registry.get(self.object_type_key).model.objects.visible_to(user)  # type: ignore[attr-defined]
        self.widget.choices = self.choices


def limit_links(form: forms.BaseForm, user: Any, *names: str) -> None:
    """Let the lookup fields `names` of `form` offer only the records `user` may see."""
    for name in names:
        field = form.fields[name]
        assert isinstance(field, RecordChoiceField | RecordMultipleChoiceField)
        field.limit_to(user)
