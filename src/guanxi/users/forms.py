from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.permissions import ACTIONS, Scope
from guanxi.core.registry import registry

from .models import Role, Team, User


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.HiddenInput | forms.CheckboxSelectMultiple):
            continue
        widget.attrs.setdefault(
            "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
        )


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["username"].widget.attrs["autofocus"] = True


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)
    currency = forms.ChoiceField(label=_("Currency"), required=False)

    class Meta:
        model = User
        fields = ["display_name", "email", "language", "time_zone", "currency"]
        labels = {"email": _("E-mail")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language, time_zone, currency = (self.fields[n] for n in ("language", "time_zone", "currency"))
        assert isinstance(language, forms.ChoiceField)
        assert isinstance(time_zone, forms.ChoiceField)
        assert isinstance(currency, forms.ChoiceField)
        language.choices = [("", _("Browser language")), *settings.LANGUAGES]
        time_zone.choices = [
            ("", _("Server time zone")),
            *[(z, z) for z in settings.GUANXI_TIME_ZONES],
        ]
        currency.choices = [
            ("", _("Company currency")),
            *[(c, c) for c in settings.GUANXI_CURRENCIES],
        ]
        _style(self)


class UserAdminForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to generate one (shown once) or to keep the current one."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = User
        fields = [
            "username",
            "display_name",
            "email",
            "team",
            "role",
            "language",
            "time_zone",
            "currency",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"),
            required=False,
            choices=[("", _("Server time zone")), *[(z, z) for z in settings.GUANXI_TIME_ZONES]],
        )
        self.fields["currency"] = forms.ChoiceField(
            label=_("Currency"),
            required=False,
            choices=[("", _("Company currency")), *[(c, c) for c in settings.GUANXI_CURRENCIES]],
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        _style(self)


class TeamForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Team
        fields = ["name", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        _style(self)


SCOPE_CHOICES = [
    (s.name.lower(), label)
    for s, label in (
        (Scope.NONE, pgettext_lazy("scope", "none")),
        (Scope.OWN, pgettext_lazy("scope", "own")),
        (Scope.TEAM, pgettext_lazy("scope", "team")),
        (Scope.ALL, pgettext_lazy("scope", "all")),
    )
]

ACTION_LABELS = {
    "view": pgettext_lazy("permission", "view"),
    "create": pgettext_lazy("permission", "create"),
    "edit": pgettext_lazy("permission", "edit"),
    "delete": pgettext_lazy("permission", "delete"),
}


class RoleForm(forms.ModelForm):
    """Name and flags, plus one select per object type and action (`grant__contact__view`)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Role
        fields = ["name", "description", "is_admin"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grants = self.instance.grants or {}
        administrator = bool(self.instance.pk and self.instance.is_admin)
        for object_type in registry.all():
            for action in ACTIONS:
                name = f"grant__{object_type.key}__{action}"
                self.fields[name] = forms.ChoiceField(
                    choices=SCOPE_CHOICES,
                    required=False,
                    label=f"{object_type.label} · {ACTION_LABELS.get(action, action)}",
                    # An administrator may do everything, whatever is stored: the matrix says so.
                    initial="all" if administrator else grants.get(object_type.key, {}).get(action, "none"),
                    disabled=administrator,
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if self.instance.code:
            self.fields["name"].disabled = True
        _style(self)

    def matrix(self) -> list[dict[str, Any]]:
        rows = []
        for object_type in registry.all():
            rows.append(
                {
                    "label": object_type.label_plural,
                    "group": object_type.api_group,
                    "cells": [self[f"grant__{object_type.key}__{action}"] for action in ACTIONS],
                }
            )
        return rows

    def grants(self) -> dict[str, dict[str, str]]:
        if self.instance.pk and self.instance.is_admin:
            return dict(self.instance.grants or {})
        result: dict[str, dict[str, str]] = {}
        for object_type in registry.all():
            result[object_type.key] = {
                action: self.cleaned_data.get(f"grant__{object_type.key}__{action}") or "none"
                for action in ACTIONS
            }
        return result


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. “ERP sync”."),
    )
    read_only = forms.BooleanField(label=_("Read-only"), required=False)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Limit the token to these areas; none ticked: everything your role allows."),
    )
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"), required=False, min_value=1, max_value=3650
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = token_scope_labels()  # type: ignore[attr-defined]
        _style(self)


API_GROUP_LABELS = {
    "customers": _("Customers"),
    "sales": _("Sales"),
    "activities": _("Activities"),
    "service": _("Service"),
    "marketing": _("Marketing"),
    "costs": _("Costs"),
    "admin": _("Administration"),
}


def token_scope_labels() -> list[tuple[str, str]]:
    """("customers:read", "Customers · read") … for every API group."""
    from .services import token_scope_choices

    levels = {"read": pgettext_lazy("scope", "read"), "write": pgettext_lazy("scope", "read and write")}
    result = []
    for scope in token_scope_choices():
        group, level = scope.split(":")
        result.append((scope, f"{API_GROUP_LABELS.get(group, group)} · {levels[level]}"))
    return result


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        _style(self)

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("The current password is not right."))
        return value
