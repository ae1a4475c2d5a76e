import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from guanxi.core import events
from guanxi.core.audit import ObjectChange
from guanxi.core.context import request_context
from guanxi.core.services import StaleVersionError
from guanxi.core.testing import make_user
from guanxi.customers.models import Contact
from guanxi.customers.services import contact_create, contact_delete, contact_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_user(is_superuser=True)


@pytest.fixture
def received():
    seen = []
    events.subscribe(seen.append)
    yield seen
    events.unsubscribe(seen.append)


def test_create_audits_with_the_request_id(admin):
    with request_context("req-12345678"):
        contact = contact_create(actor=admin, full_name="张三", tags=["VIP", "vip ", "决策人"])
    change = ObjectChange.objects.get(object_id=contact.pk)
    assert change.action == "create" and change.actor == admin and change.request_id == "req-12345678"
    assert change.after["full_name"] == "张三" and change.after["tags"] == ["VIP", "vip", "决策人"]
    assert change.before is None


def test_an_update_that_changes_nothing_writes_nothing(admin):
    contact = contact_create(actor=admin, full_name="张三", email="a@b.cn")
    same = contact_update(actor=admin, instance=contact, full_name="张三", email="A@B.CN ")
    assert same.version == 1
    assert ObjectChange.objects.filter(object_id=contact.pk).count() == 1


def test_update_records_only_the_changed_fields(admin):
    contact = contact_create(actor=admin, full_name="张三", email="a@b.cn")
    contact = contact_update(actor=admin, instance=contact, email="c@d.cn", tags=["x"])
    change = ObjectChange.objects.get(object_id=contact.pk, action="update")
    assert change.before == {"email": "a@b.cn", "tags": []}
    assert change.after == {"email": "c@d.cn", "tags": ["x"]}
    assert change.version == contact.version == 2


def test_a_stale_version_is_refused_and_reports_the_changes_since(admin):
    contact = contact_create(actor=admin, full_name="张三")
    contact_update(actor=make_user(is_superuser=True), instance=contact, title="经理")
    with pytest.raises(StaleVersionError) as excinfo:
        contact_update(actor=admin, instance=contact, expected_version=1, title="总监")
    assert [c.after for c in excinfo.value.changes] == [{"title": "经理"}]
    assert Contact.objects.get(pk=contact.pk).title == "经理"


def test_invalid_input_is_reported_by_field_and_nothing_is_written(admin):
    with pytest.raises(ValidationError) as excinfo:
        contact_create(actor=admin, full_name="x", email="not an email", country="China")
    assert {"email", "country"} <= set(excinfo.value.message_dict)
    assert not Contact.objects.exists() and not ObjectChange.objects.exists()


def test_events_are_delivered_after_commit_and_never_for_a_rollback(
    admin, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contact = contact_create(actor=admin, full_name="张三")
    assert [e.name for e in received] == ["contact.created"]
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                contact_update(actor=admin, instance=contact, title="经理")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert received == []
    with django_capture_on_commit_callbacks(execute=True):
        contact_update(actor=admin, instance=contact, title="经理")
        contact_delete(actor=admin, instance=Contact.objects.get(pk=contact.pk))
    assert [e.name for e in received] == ["contact.updated", "contact.deleted"]
    assert received[0].changes == ({"title": ""}, {"title": "经理"})


def test_a_failing_subscriber_does_not_stop_the_others(
    admin, received, django_capture_on_commit_callbacks, caplog
):
    def broken(event):
        raise RuntimeError("boom")

    events.subscribe(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            contact_create(actor=admin, full_name="张三")
    finally:
        events.unsubscribe(broken)
    assert [e.name for e in received] == ["contact.created"]
    assert "boom" in caplog.text
