"""Forms of the import pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core import customfields, permissions

from . import mapping as mapping_mod
from .models import OBJECT_CHOICES, RECORD_TYPE, ImportJob, OnDuplicate

MAX_UPLOAD = 512 * 1024 * 1024
# Targets of a mapping that are not a field of the record's model.
TARGET_LABELS = {
    "external_id": _("Record id in the source system"),
    "company_external_id": _("Company's record id in the source system"),
    "related_external_id": _("Related record's id in the source system"),
    "email2": _("Second e-mail"),
    "family_name": _("Family name"),
    "given_name": _("Given name"),
    "mobile": _("Mobile"),
    "contact": _("Contact"),
}


def target_label(record_type: str, target: str) -> str:
    """A mapping target as a person reads it, in their language: "E-mail · email"."""
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.text import capfirst

    from guanxi.core.registry import registry

    label: Any = TARGET_LABELS.get(target)
    if label is None:
        try:
            field: Any = registry.get(record_type).model._meta.get_field(target)
            label = getattr(field, "verbose_name", None) or target.replace("_", " ")
        except FieldDoesNotExist:
            label = target.replace("_", " ")
    return f"{capfirst(str(label))} · {target}"


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, (forms.CheckboxInput, forms.RadioSelect)):
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (any encoding, any delimiter), Excel (XLSX, XLS) or JSON. Above about 500,000 rows, "
            "prefer CSV: a spreadsheet is read whole into memory."
        ),
    )
    object_type = forms.ChoiceField(label=_("Records in the file"), required=False)
    preset = forms.ChoiceField(label=_("Exported by"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [
            (k, label) for k, label in OBJECT_CHOICES if permissions.can(user, "create", RECORD_TYPE[k])
        ]
        object_field: Any = self.fields["object_type"]
        object_field.choices = [("", _("Recognise from the file")), *allowed]
        presets = [(name, mapping_mod.load_preset(name)["label"]) for name in mapping_mod.list_presets()]
        preset_field: Any = self.fields["preset"]
        preset_field.choices = [("", _("Recognise from the columns")), *presets]
        self.allowed = {k for k, _label in allowed}
        _style(self)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 512 MB."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class MappingForm(forms.Form):
    """One select per column (its target), one per owner value (a user), duplicate handling, system."""

    on_duplicate = forms.ChoiceField(
        label=_("When a record already exists"),
        choices=OnDuplicate.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    system = forms.CharField(
        label=_("Source system"),
        max_length=40,
        required=False,
        help_text=ImportJob._meta.get_field("system").help_text,
    )

    def __init__(
        self,
        *args: Any,
        job: ImportJob,
        owners: list[str],
        users: list[Any],
        proposed_users: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        obj = job.object_type
        targets = [(t, target_label(job.record_type, t)) for t in mapping_mod.FIELDS[obj]]
        definitions = customfields.definitions(job.record_type)
        custom = [
            (f"custom:{d.name}", _("Custom field: %(label)s") % {"label": d.display_label})
            for d in definitions
        ]
        known = {value for value, _label in custom}
        self.columns: list[tuple[str, str]] = []
        for index, header in enumerate(job.headers):
            name = f"col_{index}"
            current = (job.mapping or {}).get(header) or ""
            choices = [("", _("— do not import —")), *targets, *custom]
            new_custom = f"custom:{_slug(header)}"
            if new_custom not in known:
                choices.append((new_custom, _("New custom field: %(label)s") % {"label": header}))
            if current and current not in {c for c, _l in choices}:
                choices.append((current, current))
            self.fields[name] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=current
            )
            self.columns.append((name, header))
        self.owner_fields: list[tuple[str, str]] = []
        user_choices = [
            ("", _("— by name or e-mail —")),
            *[(str(u.pk), f"{u} ({u.username})") for u in users],
        ]
        for index, value in enumerate(owners):
            name = f"owner_{index}"
            mapped = (job.user_map or {}).get(value)
            initial = (
                str(mapped)
                if mapped
                else (str(proposed_users[value].pk) if proposed_users.get(value) else "")
            )
            self.fields[name] = forms.ChoiceField(
                label=value, choices=user_choices, required=False, initial=initial
            )
            self.owner_fields.append((name, value))
        self.fields["on_duplicate"].initial = job.on_duplicate
        self.fields["system"].initial = job.system
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mapping = {header: (data.get(name) or None) for name, header in self.columns}
        try:
            mapping_mod.validate_mapping(mapping, self.job.object_type)
        except mapping_mod.MappingError as exc:
            raise forms.ValidationError(str(exc)) from None
        data["mapping"] = mapping
        data["user_map"] = {value: int(data[name]) for name, value in self.owner_fields if data.get(name)}
        return data

    def column_fields(self) -> list[Any]:
        return [self[name] for name, _header in self.columns]

    def owner_bound_fields(self) -> list[Any]:
        return [self[name] for name, _value in self.owner_fields]


def _slug(header: str) -> str:
    from .services import custom_slug

    return custom_slug(header)


class MergeForm(forms.Form):
    survivor = forms.ChoiceField(
        label=_("Keep"), widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )

    def __init__(
        self, *args: Any, first: Any, second: Any, fields: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        survivor_field: Any = self.fields["survivor"]
        survivor_field.choices = [("first", str(first)), ("second", str(second))]
        self.fields["survivor"].initial = "first"
        # No lost updates: the page carries the versions it showed; a merge of changed records is refused.
        self.fields["first_version"] = forms.IntegerField(widget=forms.HiddenInput, initial=first.version)
        self.fields["second_version"] = forms.IntegerField(widget=forms.HiddenInput, initial=second.version)
        self.rows = fields
        for row in fields:
            if row["differs"]:
                self.fields[f"take_{row['name']}"] = forms.ChoiceField(
                    choices=[("first", row["first"] or "—"), ("second", row["second"] or "—")],
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                    initial="first",
                    required=False,
                    label=row["label"],
                )

    def choice(self, name: str) -> str:
        return str(self.cleaned_data.get(f"take_{name}") or "first")

    def versions(self) -> tuple[int, int]:
        return int(self.cleaned_data["first_version"]), int(self.cleaned_data["second_version"])
