"""Activities: tasks, calls, meetings and notes, each linked to any of a lead, contact, company and deal;
and timeline events (lead converted …) that are not changes of a single record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import OwnedModel
from guanxi.core.search import SearchTextField


class Kind(models.TextChoices):
    TASK = "task", _("Task")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    NOTE = "note", _("Note")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Left a voicemail")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class Activity(OwnedModel):
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, db_index=True)
    subject = models.CharField(_("subject"), max_length=200, db_index=True)
    body = models.TextField(_("details"), blank=True)
    occurred_at = models.DateTimeField(
        _("when"), db_index=True, help_text=_("When it happened or is due; the timeline is ordered by it.")
    )
    # task
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    reminder_at = models.DateTimeField(_("remind me at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    # call
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    # meeting
    start_at = models.DateTimeField(_("starts"), null=True, blank=True)
    end_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.ManyToManyField(
        "customers.Contact", verbose_name=_("attendees"), blank=True, related_name="meetings"
    )
    colleagues = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("colleagues attending"), blank=True, related_name="meetings"
    )
    # links
    lead = models.ForeignKey(
        "sales.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    company = models.ForeignKey(
        "customers.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    deal = models.ForeignKey(
        "sales.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    search_text = SearchTextField()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["lead", "-occurred_at"], name="activity_lead_time"),
            models.Index(fields=["contact", "-occurred_at"], name="activity_contact_time"),
            models.Index(fields=["company", "-occurred_at"], name="activity_company_time"),
            models.Index(fields=["deal", "-occurred_at"], name="activity_deal_time"),
            models.Index(fields=["owner", "kind", "done", "occurred_at"], name="activity_my_work"),
            models.Index(fields=["kind", "done", "reminder_at"], name="activity_reminders"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return (
            self.kind == Kind.TASK
            and not self.done
            and self.due_at is not None
            and self.due_at < timezone.now()
        )


class TimelineEvent(models.Model):
    """A domain event a person reads on a record's timeline ("converted from lead 王芳 into …")."""

    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    name = models.CharField(max_length=60)
    time = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-time"], name="timelineevent_object")]

    def __str__(self) -> str:
        return f"{self.name} {self.object_type}#{self.object_id}"
