"""Typed custom fields: definitions per object type, validation of values on every write, and form fields.

Values are stored in the record's `custom_field_data` JSON, keyed by the field's `name`:
text/longtext/url/choice → string; number → JSON number; money → {"amount": "12.50", "currency": "CNY"};
date → "YYYY-MM-DD"; multichoice → list of strings; boolean → true/false; user → user id.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import CustomField

FIELD_TYPES = [
    ("text", _("Text")),
    ("longtext", _("Long text")),
    ("number", _("Number")),
    ("money", _("Money")),
    ("date", _("Date")),
    ("choice", _("Choice")),
    ("multichoice", _("Multiple choice")),
    ("boolean", _("Yes / no")),
    ("url", _("URL")),
    ("user", _("User")),
]
TEXT_MAX = 1000
LONGTEXT_MAX = 20000


def definitions(object_type: str) -> list[CustomField]:
    from .models import CustomField

    return list(CustomField.objects.filter(object_type=object_type))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _to_decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, bool):
        raise ValidationError(_g("Enter a number."))
    try:
        number = decimal.Decimal(str(value).strip().replace(",", ""))
    except (decimal.InvalidOperation, ValueError):
        raise ValidationError(_g("Enter a number.")) from None
    if not number.is_finite():
        raise ValidationError(_g("Enter a number."))
    return number


def clean_value(field: CustomField, value: Any) -> Any:
    """The stored form of one value, or ValidationError with a message for the user."""
    if _empty(value):
        return None
    kind = field.type
    if kind in ("text", "longtext"):
        text = str(value).strip()
        limit = TEXT_MAX if kind == "text" else LONGTEXT_MAX
        if len(text) > limit:
            raise ValidationError(_g("At most %(limit)d characters.") % {"limit": limit})
        return text
    if kind == "number":
        number = _to_decimal(value)
        return int(number) if number == number.to_integral_value() and abs(number) < 2**53 else float(number)
    if kind == "money":
        if isinstance(value, Mapping):
            amount, currency = value.get("amount"), value.get("currency") or settings.GUANXI_DEFAULT_CURRENCY
        else:
            amount, currency = value, settings.GUANXI_DEFAULT_CURRENCY
        number = _to_decimal(amount).quantize(decimal.Decimal("0.01"))
        currency = str(currency).upper()
        if currency not in settings.GUANXI_CURRENCIES:
            raise ValidationError(_g("Unknown currency %(code)s.") % {"code": currency})
        return {"amount": str(number), "currency": currency}
    if kind == "date":
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValidationError(_g("Enter a date as YYYY-MM-DD.")) from None
    if kind == "choice":
        text = str(value).strip()
        if text not in field.choices:
            raise ValidationError(_g("“%(value)s” is not one of the choices.") % {"value": text})
        return text
    if kind == "multichoice":
        items = [value] if isinstance(value, str) else list(value) if isinstance(value, Iterable) else [value]
        cleaned = []
        for item in items:
            text = str(item).strip()
            if text not in field.choices:
                raise ValidationError(_g("“%(value)s” is not one of the choices.") % {"value": text})
            if text not in cleaned:
                cleaned.append(text)
        return cleaned or None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "y", "on", "是", "真"}:
            return True
        if text in {"0", "false", "no", "n", "off", "否", "假"}:
            return False
        raise ValidationError(_g("Enter yes or no."))
    if kind == "url":
        text = str(value).strip()
        URLValidator(schemes=["http", "https"])(text)
        return text
    if kind == "user":
        from django.contrib.auth import get_user_model

        try:
            user_id = int(getattr(value, "pk", value))
        except (TypeError, ValueError):
            raise ValidationError(_g("Choose a user.")) from None
        if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
            raise ValidationError(_g("Choose an active user."))
        return user_id
    raise ValidationError(_g("Unknown field type %(type)s.") % {"type": kind})


def clean(
    object_type: str,
    values: Mapping[str, Any],
    *,
    existing: Mapping[str, Any] | None = None,
    fields: list[CustomField] | None = None,
) -> dict[str, Any]:
    """Merge `values` into `existing` and validate. Errors are keyed `cf_<name>`; unknown keys are refused."""
    fields = definitions(object_type) if fields is None else fields
    by_name = {f.name: f for f in fields}
    result = dict(existing or {})
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        definition = by_name.get(name)
        if definition is None:
            errors[f"cf_{name}"] = [_g("There is no custom field “%(name)s”.") % {"name": name}]
            continue
        try:
            cleaned = clean_value(definition, value)
        except ValidationError as exc:
            errors[f"cf_{name}"] = list(exc.messages)
            continue
        if cleaned is None:
            result.pop(name, None)
        else:
            result[name] = cleaned
    for definition in fields:
        if (
            definition.required
            and _empty(result.get(definition.name))
            and f"cf_{definition.name}" not in errors
        ):
            if definition.default is not None and existing is None:
                result[definition.name] = clean_value(definition, definition.default)
            else:
                errors[f"cf_{definition.name}"] = [_g("This field is required.")]
    # Values of fields that were deleted since are dropped on the next write.
    result = {k: v for k, v in result.items() if k in by_name}
    if errors:
        raise ValidationError(errors)
    return result


def display(field: CustomField, value: Any) -> str:
    if _empty(value):
        return ""
    if field.type == "money" and isinstance(value, Mapping):
        return f"{value.get('currency', '')} {value.get('amount', '')}"
    if field.type == "multichoice" and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field.type == "boolean":
        return str(_("Yes") if value else _("No"))
    if field.type == "user":
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=value).first()
        return str(user) if user else f"#{value}"
    return str(value)


def form_field(field: CustomField) -> forms.Field:
    common: dict[str, Any] = {
        "label": field.display_label,
        "required": field.required,
        "help_text": field.help_text,
    }
    kind = field.type
    if kind == "text":
        return forms.CharField(max_length=TEXT_MAX, **common)
    if kind == "longtext":
        return forms.CharField(max_length=LONGTEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind in ("number", "money"):
        return forms.DecimalField(max_digits=20, decimal_places=6 if kind == "number" else 2, **common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "choice":
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in field.choices]], **common)
    if kind == "multichoice":
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in field.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == "boolean":
        common["required"] = False
        return forms.BooleanField(**common)
    if kind == "url":
        return forms.URLField(max_length=500, assume_scheme="https", **common)
    if kind == "user":
        from django.contrib.auth import get_user_model

        return forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True), **common)
    raise ValueError(kind)


def initial_for_form(field: CustomField, value: Any) -> Any:
    if _empty(value):
        return None
    if field.type == "money" and isinstance(value, Mapping):
        return value.get("amount")
    return value
