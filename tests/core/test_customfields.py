import pytest
from django.core.exceptions import ValidationError

from guanxi.core import customfields
from guanxi.core.models import CustomField
from guanxi.core.testing import make_user
from guanxi.customers.services import contact_create, contact_update

pytestmark = pytest.mark.django_db


def field(**kwargs):
    defaults = {"object_type": "contact", "label": kwargs.get("name", "f"), "type": "text"}
    return CustomField.objects.create(**{**defaults, **kwargs})


@pytest.mark.parametrize(
    ("kind", "extra", "value", "stored"),
    [
        ("text", {}, "  hello ", "hello"),
        ("number", {}, "1,234", 1234),
        ("number", {}, "2.5", 2.5),
        ("money", {}, "99.5", {"amount": "99.50", "currency": "CNY"}),
        ("money", {}, {"amount": 10, "currency": "usd"}, {"amount": "10.00", "currency": "USD"}),
        ("date", {}, "2026-03-01", "2026-03-01"),
        ("choice", {"choices": ["VIP", "A"]}, "VIP", "VIP"),
        ("multichoice", {"choices": ["x", "y"]}, ["y", "x", "y"], ["y", "x"]),
        ("boolean", {}, "是", True),
        ("boolean", {}, "no", False),
        ("url", {}, "https://example.com/a", "https://example.com/a"),
    ],
)
def test_values_are_cleaned_to_their_stored_form(kind, extra, value, stored):
    definition = field(name="f", type=kind, **extra)
    assert customfields.clean_value(definition, value) == stored


@pytest.mark.parametrize(
    ("kind", "extra", "value"),
    [
        ("number", {}, "lots"),
        ("number", {}, "NaN"),
        ("money", {}, {"amount": "1", "currency": "XXX"}),
        ("date", {}, "01/03/2026"),
        ("choice", {"choices": ["VIP"]}, "Gold"),
        ("multichoice", {"choices": ["x"]}, ["x", "z"]),
        ("boolean", {}, "maybe"),
        ("url", {}, "javascript:alert(1)"),
        ("user", {}, 999999),
    ],
)
def test_bad_values_are_refused_with_a_message(kind, extra, value):
    definition = field(name="f", type=kind, **extra)
    with pytest.raises(ValidationError) as excinfo:
        customfields.clean_value(definition, value)
    assert excinfo.value.messages


def test_a_user_field_accepts_an_active_user():
    user = make_user()
    assert customfields.clean_value(field(name="f", type="user"), user.pk) == user.pk


def test_required_and_unknown_fields_are_reported_by_key_and_nothing_is_saved():
    field(name="level", type="choice", choices=["A", "B"], required=True)
    owner = make_user(is_superuser=True)
    with pytest.raises(ValidationError) as excinfo:
        contact_create(actor=owner, full_name="某人", custom_fields={"nope": 1})
    errors = excinfo.value.message_dict
    assert set(errors) == {"cf_nope", "cf_level"}
    from guanxi.customers.models import Contact

    assert not Contact.objects.exists()


def test_custom_field_changes_are_audited_and_merge_with_existing_values():
    from guanxi.core.audit import ObjectChange

    field(name="level", type="choice", choices=["A", "B"])
    field(name="note", type="text")
    owner = make_user(is_superuser=True)
    contact = contact_create(actor=owner, full_name="某人", custom_fields={"level": "A", "note": "x"})
    contact = contact_update(actor=owner, instance=contact, custom_fields={"level": "B"})
    assert contact.custom_field_data == {"level": "B", "note": "x"}
    change = ObjectChange.objects.filter(object_id=contact.pk, action="update").get()
    assert change.before == {"cf_level": "A"} and change.after == {"cf_level": "B"}


def test_api_reports_custom_field_errors_field_by_field():
    from rest_framework.test import APIClient

    field(name="score", type="number")
    client = APIClient()
    client.force_authenticate(make_user(is_superuser=True))
    response = client.post(
        "/api/v1/contacts/", {"full_name": "某人", "custom_fields": {"score": "high"}}, format="json"
    )
    assert response.status_code == 400
    assert "cf_score" in response.json()
    ok = client.post(
        "/api/v1/contacts/", {"full_name": "某人", "custom_fields": {"score": "7"}}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["custom_fields"] == {"score": 7}


def test_the_admin_defines_fields_and_only_the_admin():
    from django.core.exceptions import PermissionDenied

    from guanxi.core.customfield_services import customfield_create, customfield_update

    admin = make_user(is_superuser=True)
    with pytest.raises(PermissionDenied):
        customfield_create(actor=make_user(), object_type="contact", name="x", label="X", type="text")
    with pytest.raises(ValidationError):
        customfield_create(
            actor=admin, object_type="contact", name="lvl", label="Level", type="choice", choices=[]
        )
    created = customfield_create(
        actor=admin,
        object_type="contact",
        name="lvl",
        label="Level",
        type="choice",
        choices=["A", "A", " B "],
    )
    assert created.choices == ["A", "B"]
    with pytest.raises(ValidationError):
        customfield_update(actor=admin, field=created, type="text")
