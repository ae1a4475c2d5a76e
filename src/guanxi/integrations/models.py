"""Webhook subscriptions, their deliveries and every attempt to deliver them."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Webhook(models.Model):
    """An administrator's subscription of a URL to events, with optional filters.

    Empty filter lists mean "any". The secret signs every delivery; after a rotation the previous secret
    keeps signing too (a second signature in the header) until `previous_secret_expires_at`.
    """

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=2000)
    events = models.JSONField(_("events"), default=list)
    object_types = models.JSONField(_("record types"), default=list, blank=True)
    pipelines = models.JSONField(_("pipelines"), default=list, blank=True)
    teams = models.JSONField(_("owner teams"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True, editable=False)
    paused_reason = models.CharField(_("why paused"), max_length=500, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True, editable=False)
    last_failure_at = models.DateTimeField(_("last failed"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name or self.url

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def receives(self) -> bool:
        """Whether new events are queued for it."""
        return self.is_active and self.paused_at is None

    def signing_secrets(self, now: Any = None) -> tuple[str, list[str]]:
        """The secret to sign with, and the older one still accepted during a rotation."""
        now = now or timezone.now()
        extra = []
        if self.previous_secret and (
            self.previous_secret_expires_at is None or self.previous_secret_expires_at > now
        ):
            extra.append(self.previous_secret)
        return self.secret, extra


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery", "pending")
    SENDING = "sending", pgettext_lazy("delivery", "sending")
    RETRYING = "retrying", pgettext_lazy("delivery", "retrying")
    DELIVERED = "delivered", pgettext_lazy("delivery", "delivered")
    FAILED = "failed", pgettext_lazy("delivery", "failed")


class Delivery(models.Model):
    """One event for one webhook. The body is fixed when the event happens, so every retry (and a manual
    resend) sends the same bytes under the same delivery id, freshly timestamped and signed."""

    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=100)
    object_type = models.CharField(_("record type"), max_length=40, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    body = models.TextField()
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    resend_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["webhook", "-created_at", "-id"], name="delivery_webhook_recent"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.delivery_id})"

    @property
    def is_finished(self) -> bool:
        return self.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    status_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    success = models.BooleanField(_("delivered"), default=False)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_excerpt = models.TextField(_("response"), blank=True)
    manual = models.BooleanField(_("resent by hand"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["delivery", "number", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"
