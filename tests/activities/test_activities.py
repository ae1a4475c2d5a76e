import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.activities.models import Activity, Kind
from guanxi.activities.selectors import my_work, timeline
from guanxi.activities.services import activity_complete, activity_create
from guanxi.core.testing import make_role, make_user
from guanxi.customers.services import company_create, contact_create, contact_update
from guanxi.sales.services import deal_create, deal_move_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_user(is_superuser=True)


def test_activities_inherit_the_company_of_their_contact_or_deal(admin):
    company = company_create(actor=admin, name="云帆")
    contact = contact_create(actor=admin, full_name="周明", company=company)
    call = activity_create(actor=admin, kind=Kind.CALL, subject="需求", contact=contact)
    deal = deal_create(actor=admin, name="WMS", company=company)
    note = activity_create(actor=admin, kind=Kind.NOTE, body="价格敏感\n第二行", deal=deal)
    assert call.company == company and note.company == company
    assert note.subject == "价格敏感"


def test_a_meeting_needs_a_start_before_its_end(admin):
    now = timezone.now()
    with pytest.raises(ValidationError) as excinfo:
        activity_create(actor=admin, kind=Kind.MEETING, subject="演示")
    assert "start_at" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        activity_create(
            actor=admin,
            kind=Kind.MEETING,
            subject="演示",
            start_at=now,
            end_at=now - datetime.timedelta(hours=1),
        )


def test_activities_cannot_be_attached_to_records_the_author_cannot_see():
    me = make_user(role=make_role(activity="own", contact="own"))
    hidden = contact_create(actor=make_user(role=make_role(contact="own")), full_name="别人的")
    with pytest.raises(PermissionDenied):
        activity_create(actor=me, kind=Kind.CALL, subject="x", contact=hidden)
    assert not Activity.objects.exists()


def test_completing_a_task_records_when(admin):
    task = activity_create(
        actor=admin, kind=Kind.TASK, subject="报价", due_at=timezone.now() + datetime.timedelta(days=1)
    )
    done = activity_complete(actor=admin, activity=task)
    assert done.done and done.done_at is not None
    reopened = activity_complete(actor=admin, activity=done, done=False)
    assert not reopened.done and reopened.done_at is None
    with pytest.raises(ValidationError):
        activity_complete(actor=admin, activity=activity_create(actor=admin, kind=Kind.NOTE, body="x"))


def test_timeline_merges_activities_changes_stage_moves_and_events_newest_first(admin):
    from guanxi.sales.models import Pipeline

    contact = contact_create(actor=admin, full_name="周明")
    deal = deal_create(actor=admin, name="WMS")
    deal.contact_roles.create(contact=contact, role="decision_maker")
    activity_create(
        actor=admin,
        kind=Kind.CALL,
        subject="第一次",
        deal=deal,
        occurred_at=timezone.now() - datetime.timedelta(days=3),
    )
    proposal = Pipeline.objects.get(is_default=True).stages.all()[2]
    deal_move_stage(actor=admin, deal=deal, stage=proposal)
    activity_create(actor=admin, kind=Kind.NOTE, body="最新", deal=deal)
    entries, more = timeline(admin, "deal", deal)
    kinds = [e.kind for e in entries]
    assert kinds[0] == "activity" and entries[0].item.subject == "最新"
    assert {"change", "stage", "activity"} <= set(kinds)
    times = [e.time for e in entries]
    assert times == sorted(times, reverse=True)
    assert more is None
    page, more = timeline(admin, "deal", deal, limit=2)
    assert len(page) == 2 and more == page[-1].time
    rest, _ = timeline(admin, "deal", deal, before=more, limit=50)
    assert {id(e.item) for e in rest}.isdisjoint({id(e.item) for e in page})
    assert len(page) + len(rest) == len(entries)


def test_timeline_shows_only_activities_the_user_may_see():
    owner = make_user(role=make_role(activity="own", contact="all"))
    other = make_user(role=make_role(activity="own", contact="all"))
    contact = contact_create(actor=make_user(is_superuser=True), full_name="周明")
    activity_create(actor=owner, kind=Kind.NOTE, body="mine", contact=contact)
    activity_create(actor=other, kind=Kind.NOTE, body="theirs", contact=contact)
    subjects = [e.item.subject for e in timeline(owner, "contact", contact)[0] if e.kind == "activity"]
    assert subjects == ["mine"]


def test_quick_log_from_the_timeline(admin, client):
    contact = contact_create(actor=admin, full_name="周明")
    client.force_login(admin)
    response = client.post(
        f"/activities/timeline/contact/{contact.pk}/log/",
        {
            "kind": "call",
            "body": "聊了预算",
            "direction": "inbound",
            "outcome": "connected",
            "duration_minutes": "12",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    call = Activity.objects.get()
    assert (call.kind, call.contact, call.direction, call.duration_minutes) == (
        "call",
        contact,
        "inbound",
        12,
    )
    assert "聊了预算" in response.content.decode()
    empty = client.post(f"/activities/timeline/contact/{contact.pk}/log/", {"kind": "note"})
    assert empty.status_code == 400 and Activity.objects.count() == 1
    contact_update(actor=admin, instance=contact, title="经理")
    page = client.get(f"/customers/contacts/{contact.pk}/").content.decode()
    assert 'id="quick-log"' in page and "经理" in page


def test_my_work_lists_overdue_today_meetings_and_deals_closing_this_month():
    me = make_user(role=make_role(activity="own", deal="own"))
    now = timezone.localtime()
    overdue = activity_create(
        actor=me, kind=Kind.TASK, subject="逾期", due_at=now - datetime.timedelta(days=2)
    )
    today = activity_create(
        actor=me,
        kind=Kind.TASK,
        subject="今天",
        due_at=now.replace(hour=23, minute=0, second=0, microsecond=0),
    )
    activity_create(
        actor=me, kind=Kind.TASK, subject="已完成", due_at=now - datetime.timedelta(days=1), done=True
    )
    meeting = activity_create(
        actor=me,
        kind=Kind.MEETING,
        subject="演示",
        start_at=now.replace(hour=23, minute=30, second=0, microsecond=0),
    )
    closing = deal_create(actor=me, name="本月", amount=Decimal("1"), expected_close_date=now.date())
    deal_create(
        actor=me,
        name="下月",
        amount=Decimal("1"),
        expected_close_date=now.date() + datetime.timedelta(days=40),
    )
    work = my_work(me)
    assert work["overdue"] == [overdue] and work["today_tasks"] == [today]
    assert work["meetings"] == [meeting] and work["deals"] == [closing]


def test_due_reminders_are_sent_once_by_e_mail(admin, mailoutbox, settings):
    from guanxi.activities.tasks import send_due_reminders

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    admin.email = "boss@example.com"
    admin.save()
    now = timezone.now()
    due = activity_create(
        actor=admin,
        kind=Kind.TASK,
        subject="报价",
        due_at=now + datetime.timedelta(hours=1),
        reminder_at=now - datetime.timedelta(minutes=1),
    )
    activity_create(
        actor=admin,
        kind=Kind.TASK,
        subject="以后",
        due_at=now + datetime.timedelta(days=2),
        reminder_at=now + datetime.timedelta(days=1),
    )
    activity_create(actor=admin, kind=Kind.TASK, subject="已完成", done=True, reminder_at=now)
    assert send_due_reminders.call() == 1
    assert send_due_reminders.call() == 0
    assert [m.to for m in mailoutbox] == [["boss@example.com"]] and "报价" in mailoutbox[0].subject
    assert Activity.objects.get(pk=due.pk).reminded_at is not None


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_quick_form_renders_as_through_the_widget_templates(language):
    from django.forms.renderers import get_default_renderer
    from django.utils import translation

    from guanxi.activities.forms import QuickActivityForm

    initial = {"kind": "call", "direction": "outbound", "outcome": "connected"}
    with translation.override(language):
        fast = QuickActivityForm(initial=initial)
        slow = QuickActivityForm(initial=initial, renderer=get_default_renderer())
        assert [str(fast[name]) for name in fast.fields] == [str(slow[name]) for name in slow.fields]
        invalid = {"kind": "task", "due_at": "not a date", "duration_minutes": "-1"}
        fast, slow = QuickActivityForm(invalid), QuickActivityForm(invalid, renderer=get_default_renderer())
        assert [str(fast[name]) for name in fast.fields] == [str(slow[name]) for name in slow.fields]


def test_the_timeline_names_related_records_only_for_changes_that_show_rows(admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanxi.sales.services import deal_update

    company = company_create(actor=admin, name="Acme")
    deal = deal_create(actor=admin, name="D", amount=Decimal("10"), company=company)
    with CaptureQueriesContext(connection) as queries:
        entries, _more = timeline(admin, "deal", deal)
    (created,) = [e for e in entries if e.kind == "change"]
    assert created.item.action == "create" and created.rows is None
    assert not [q for q in queries.captured_queries if "customers_company" in q["sql"]]
    other = company_create(actor=admin, name="Other")
    deal_update(actor=admin, instance=deal, company=other)
    entries, _more = timeline(admin, "deal", deal)
    updated = next(e for e in entries if e.kind == "change" and e.item.action == "update")
    assert ("company", "Acme", "Other") in [(str(label), old, new) for label, old, new in updated.rows]
