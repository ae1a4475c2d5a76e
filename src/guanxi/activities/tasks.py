"""Task reminders: each reminder is scheduled for its time when the queue can defer work (the database and
Redis queues can), and `guanxi remind` sends whatever is due for set-ups that prefer a cron job."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import default_task_backend, task
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import override

from .models import Activity, Kind

logger = logging.getLogger(__name__)


def _mail_configured() -> bool:
    return bool(getattr(settings, "MAILERS", {}).get("default"))


def deliver(activity: Activity) -> bool:
    """Send one reminder (by e-mail when mail is configured) and mark it sent; False if not due any more."""
    claimed = Activity.objects.filter(
        pk=activity.pk, kind=Kind.TASK, done=False, reminded_at__isnull=True, reminder_at__lte=timezone.now()
    ).update(reminded_at=timezone.now())
    if not claimed:
        return False
    owner: Any = activity.owner
    if owner is not None and owner.email and _mail_configured():
        with override(owner.language or settings.LANGUAGE_CODE):
            subject = _g("Reminder: %(subject)s") % {"subject": activity.subject}
            due = timezone.localtime(activity.due_at).strftime("%Y-%m-%d %H:%M") if activity.due_at else ""
            body = _g("Your task “%(subject)s” is due %(due)s.") % {"subject": activity.subject, "due": due}
        send_mail(subject, body, None, [owner.email])
    return True


@task()
def remind(activity_id: int, reminder_at: str) -> bool:
    activity = Activity.objects.select_related("owner").filter(pk=activity_id).first()
    if activity is None or activity.reminder_at is None or activity.reminder_at.isoformat() != reminder_at:
        return False  # deleted, or the reminder moved: the newer schedule handles it
    return deliver(activity)


@task()
def send_due_reminders() -> int:
    due = Activity.objects.select_related("owner").filter(
        kind=Kind.TASK, done=False, reminded_at__isnull=True, reminder_at__lte=timezone.now()
    )
    return sum(deliver(activity) for activity in due[:1000])


def schedule(activity: Activity) -> None:
    """After the write commits, queue the activity's reminder for its time (if the queue can wait)."""
    if activity.kind != Kind.TASK or activity.done or activity.reminder_at is None or activity.reminded_at:
        return
    if not default_task_backend.supports_defer:
        return
    when = activity.reminder_at
    transaction.on_commit(lambda: remind.using(run_after=when).enqueue(activity.pk, when.isoformat()))
