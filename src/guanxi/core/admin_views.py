"""Administrator pages of the platform: custom fields and the audit log."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views import View

from guanxi.users.views import AdminRequiredMixin

from .audit import ObjectChange
from .customfield_services import customfield_create, customfield_delete, customfield_update
from .models import CustomField
from .pagination import InvalidCursor, paginate
from .registry import registry


class CustomFieldForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, for choice and multiple-choice fields."),
    )

    class Meta:
        model = CustomField
        fields = [
            "object_type",
            "name",
            "label",
            "label_zh",
            "type",
            "required",
            "help_text",
            "order",
            "show_in_list",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"] = forms.ChoiceField(
            label=_("Record type"),
            choices=[(ot.key, ot.label_plural) for ot in registry.all() if ot.has_custom_fields],
        )
        if self.instance.pk:
            for name in ("object_type", "name", "type"):
                self.fields[name].disabled = True
            self.fields["choices_text"].initial = "\n".join(self.instance.choices or [])
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        text = data.pop("choices_text", "") or ""
        data["choices"] = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
        return data


class CustomFieldListView(AdminRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        fields = CustomField.objects.all()
        labels = {ot.key: ot.label_plural for ot in registry.all()}
        rows = [(f, labels.get(f.object_type, f.object_type)) for f in fields]
        return render(request, "core/customfield_list.html", {"rows": rows})


class CustomFieldEditView(AdminRequiredMixin, View):
    template_name = "core/customfield_form.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        field = get_object_or_404(CustomField, pk=pk) if pk else None
        initial = {"object_type": request.GET.get("object_type")} if not field else None
        return render(
            request,
            self.template_name,
            {"form": CustomFieldForm(instance=field, initial=initial), "object": field},
        )

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        field = get_object_or_404(CustomField, pk=pk) if pk else None
        if field is not None and "delete" in request.POST:
            customfield_delete(actor=request.user, field=field)
            messages.success(request, _g("Deleted the field %(name)s.") % {"name": field.label})
            return HttpResponseRedirect(reverse("core:customfield_list"))
        form = CustomFieldForm(request.POST, instance=field)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "object": field}, status=400)
        values = form.values()
        try:
            if field is None:
                customfield_create(actor=request.user, **values)
            else:
                for fixed in ("object_type", "name", "type"):
                    values.pop(fixed, None)
                customfield_update(actor=request.user, field=CustomField.objects.get(pk=field.pk), **values)
        except ValidationError as exc:
            by_field = exc.error_dict if hasattr(exc, "error_dict") else {"__all__": exc.error_list}
            for key, errors in by_field.items():
                target = "choices_text" if key == "choices" else key
                for error in errors:
                    form.add_error(target if target in form.fields else None, error)
            return render(request, self.template_name, {"form": form, "object": field}, status=400)
        messages.success(request, _g("Saved the field."))
        return HttpResponseRedirect(reverse("core:customfield_list"))


def record_models() -> dict[str, Any]:
    """The kinds of record the audit log knows: the registered types and the platform's own."""
    from guanxi.users.models import ApiToken, Role, Team, User

    found: dict[str, Any] = {ot.key: ot.model for ot in registry.all()}
    for key, model in (
        ("user", User),
        ("team", Team),
        ("role", Role),
        ("customfield", CustomField),
        ("api_token", ApiToken),
    ):
        found.setdefault(key, model)
    return found


def record_type_labels() -> dict[str, Any]:
    """What the audit log calls each kind of record."""
    return {key: model._meta.verbose_name for key, model in record_models().items()}


def field_labels(object_type: str) -> dict[str, Any]:
    """The labels of the keys an audit row of this kind of record holds (fields, `cf_<name>`, tags)."""
    model = record_models().get(object_type)
    labels: dict[str, Any] = {}
    if model is not None:
        labels = {f.name: f.verbose_name for f in model._meta.concrete_fields}
        labels["tags"] = _("Tags")
    for definition in CustomField.objects.filter(object_type=object_type):
        labels[definition.form_name] = definition.display_label
    return labels


class AuditListView(AdminRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        changes = ObjectChange.objects.select_related("actor")
        params = request.GET
        if params.get("object_type"):
            changes = changes.filter(object_type=params["object_type"])
        if params.get("actor"):
            changes = changes.filter(actor_name=params["actor"])
        if params.get("action"):
            changes = changes.filter(action=params["action"])
        if params.get("request_id"):
            changes = changes.filter(request_id=params["request_id"])
        try:
            page = paginate(changes, sort="-id", cursor=params.get("cursor"), size=50)
        except InvalidCursor:
            page = paginate(changes, sort="-id", cursor=None, size=50)
        base = params.copy()
        base.pop("cursor", None)
        type_labels = record_type_labels()
        labels_by_type: dict[str, dict[str, Any]] = {}
        for change in page.items:
            if change.object_type not in labels_by_type:
                labels_by_type[change.object_type] = field_labels(change.object_type)
            labels = labels_by_type[change.object_type]
            change.changed_labels = [(key, labels.get(key, key)) for key in change.changed_fields]
        return render(
            request,
            "core/audit_list.html",
            {
                "page": page,
                "params": params,
                "object_types": sorted(type_labels.items()),
                "type_labels": type_labels,
                "actions": ObjectChange._meta.get_field("action").choices,
                "next_url": f"?{base.urlencode()}&cursor={page.next_cursor}" if page.next_cursor else None,
                "first_url": f"?{base.urlencode()}" if not page.is_first else None,
            },
        )
