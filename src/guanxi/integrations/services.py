"""Writes on webhook subscriptions (administrators only): create, edit, rotate the secret, pause and resume,
delete, resend a delivery. Each checks permission, validates, saves and writes an audit row."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import mailers, send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _g

from guanxi.core import audit
from guanxi.core.permissions import is_admin
from guanxi.core.registry import registry
from guanxi.core.services import StaleVersionError

from . import catalogue
from .delivery import check_destination, enqueue
from .models import Delivery, DeliveryStatus, Webhook
from .signing import new_secret

logger = logging.getLogger(__name__)

OBJECT_TYPE = "webhook"
FIELDS = ("name", "url", "events", "object_types", "pipelines", "teams", "is_active")
AUDITED = (*FIELDS, "paused_at", "paused_reason")


def _require_admin(actor: Any) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_g("Only administrators manage webhooks."))


def rotation_grace() -> datetime.timedelta:
    return datetime.timedelta(hours=float(getattr(settings, "GUANXI_WEBHOOK_ROTATION_HOURS", 24)))


def _snapshot(webhook: Webhook) -> dict[str, Any]:
    return {field: audit.to_json(getattr(webhook, field)) for field in AUDITED}


def _ids(values: Iterable[Any] | None, field: str, errors: dict[str, list[str]]) -> list[int]:
    result: list[int] = []
    for value in values or []:
        try:
            number = int(value)
        except (TypeError, ValueError):
            errors.setdefault(field, []).append(_g("“%(value)s” is not an id.") % {"value": value})
            continue
        if number not in result:
            result.append(number)
    return sorted(result)


def pipeline_choices() -> list[tuple[int, str]]:
    """The pipelines a filter can name (empty while no app registers a `pipeline` object type)."""
    object_type = registry.find("pipeline")
    if object_type is None:
        return []
    return [(p.pk, str(p)) for p in object_type.model._default_manager.order_by("pk")]


def _clean(webhook: Webhook) -> str | None:
    """Normalise and validate every field; returns a warning about the URL (a host that does not resolve
    now) or None."""
    from guanxi.users.models import Team

    errors: dict[str, list[str]] = {}
    webhook.url = (webhook.url or "").strip()
    webhook.name = " ".join((webhook.name or "").split())[:100]
    if not webhook.name and webhook.url:
        webhook.name = (urlsplit(webhook.url).hostname or webhook.url)[:100]
    known = set(catalogue.event_names())
    events = [str(e) for e in (webhook.events or []) if str(e).strip()]
    events = list(dict.fromkeys(events))
    unknown = [e for e in events if e not in known]
    if unknown:
        errors["events"] = [_g("Unknown event: %(name)s.") % {"name": name} for name in unknown]
    elif not events:
        errors["events"] = [_g("Choose at least one event.")]
    webhook.events = events
    types = list(dict.fromkeys(str(t) for t in (webhook.object_types or [])))
    bad_types = [t for t in types if registry.find(t) is None]
    if bad_types:
        errors["object_types"] = [_g("Unknown record type: %(name)s.") % {"name": t} for t in bad_types]
    webhook.object_types = types
    webhook.pipelines = _ids(webhook.pipelines, "pipelines", errors)
    if webhook.pipelines and "pipelines" not in errors:
        existing = {pk for pk, _label in pipeline_choices()}
        missing = [pk for pk in webhook.pipelines if pk not in existing]
        if missing:
            errors["pipelines"] = [_g("No pipeline has the id %(id)s.") % {"id": pk} for pk in missing]
    webhook.teams = _ids(webhook.teams, "teams", errors)
    if webhook.teams and "teams" not in errors:
        existing = set(Team.objects.filter(pk__in=webhook.teams).values_list("pk", flat=True))
        missing = [pk for pk in webhook.teams if pk not in existing]
        if missing:
            errors["teams"] = [_g("No team has the id %(id)s.") % {"id": pk} for pk in missing]
    try:
        webhook.full_clean(exclude=["events", "object_types", "pipelines", "teams", "secret"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    warning = None
    if "url" not in errors:
        try:
            warning = check_destination(webhook.url)
        except ValidationError as exc:
            errors.setdefault("url", []).extend(exc.message_dict["url"])
    if errors:
        raise ValidationError(errors)
    return warning


def webhook_create(
    *,
    actor: Any,
    url: str,
    events: Iterable[str],
    name: str = "",
    object_types: Iterable[str] = (),
    pipelines: Iterable[int] = (),
    teams: Iterable[int] = (),
    is_active: bool = True,
) -> tuple[Webhook, str]:
    """A new subscription and its signing secret (returned once; only deliveries use it afterwards)."""
    _require_admin(actor)
    webhook = Webhook(
        name=name,
        url=url,
        events=list(events),
        object_types=list(object_types),
        pipelines=list(pipelines),
        teams=list(teams),
        is_active=is_active,
        secret=new_secret(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _clean(webhook)
    with transaction.atomic():
        webhook.save()
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            object_type=OBJECT_TYPE,
            instance=webhook,
            before=None,
            after=_snapshot(webhook),
        )
    return webhook, webhook.secret


def _locked(webhook: Webhook, expected_version: int | None) -> Webhook:
    current = Webhook.objects.select_for_update().get(pk=webhook.pk)
    if expected_version is not None and current.version != expected_version:
        changes = list(audit.history(OBJECT_TYPE, current.pk).filter(version__gt=expected_version))
        raise StaleVersionError(current, expected_version, changes)
    return current


def _save(actor: Any, current: Webhook, before: dict[str, Any]) -> Webhook:
    old, new = audit.diff(before, _snapshot(current))
    if not new:
        return current
    current.version += 1
    current.save()
    audit.record(
        actor=actor,
        action=audit.Action.UPDATE,
        object_type=OBJECT_TYPE,
        instance=current,
        before=old,
        after=new,
    )
    return current


def webhook_update(
    *, actor: Any, webhook: Webhook, expected_version: int | None = None, **changes: Any
) -> Webhook:
    _require_admin(actor)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError({field: [_g("This field cannot be changed.")] for field in sorted(unknown)})
    with transaction.atomic():
        current = _locked(webhook, expected_version)
        before = _snapshot(current)
        url_before = current.url
        for field, value in changes.items():
            setattr(current, field, list(value) if isinstance(value, tuple | set) else value)
        _clean(current)
        if current.url != url_before and current.paused_at is not None:
            # A new address is a fresh start: the failures belonged to the old one.
            current.paused_at, current.paused_reason, current.consecutive_failures = None, "", 0
        return _save(actor, current, before)


def webhook_delete(*, actor: Any, webhook: Webhook, expected_version: int | None = None) -> None:
    _require_admin(actor)
    with transaction.atomic():
        current = _locked(webhook, expected_version)
        audit.record(
            actor=actor,
            action=audit.Action.DELETE,
            object_type=OBJECT_TYPE,
            instance=current,
            before=_snapshot(current),
            after=None,
        )
        current.delete()


def webhook_rotate_secret(*, actor: Any, webhook: Webhook) -> tuple[Webhook, str]:
    """A new secret; the old one keeps signing too (a second signature) for GUANXI_WEBHOOK_ROTATION_HOURS so
    receivers can switch without losing deliveries."""
    _require_admin(actor)
    with transaction.atomic():
        current = _locked(webhook, None)
        current.previous_secret = current.secret
        current.previous_secret_expires_at = timezone.now() + rotation_grace()
        current.secret = new_secret()
        current.version += 1
        current.save()
        audit.record(
            actor=actor,
            action=audit.Action.UPDATE,
            object_type=OBJECT_TYPE,
            instance=current,
            before={"secret": "••••"},
            after={"secret": "••••••"},
        )
    return current, current.secret


def webhook_pause(*, actor: Any, webhook: Webhook, reason: str = "") -> Webhook:
    _require_admin(actor)
    with transaction.atomic():
        current = _locked(webhook, None)
        if current.paused_at is not None:
            return current
        before = _snapshot(current)
        current.paused_at = timezone.now()
        current.paused_reason = reason or _g("Paused by %(user)s.") % {"user": getattr(actor, "username", "")}
        return _save(actor, current, before)


def webhook_resume(*, actor: Any, webhook: Webhook) -> Webhook:
    """Deliver new events again; the failure count starts over (failed deliveries can be resent)."""
    _require_admin(actor)
    with transaction.atomic():
        current = _locked(webhook, None)
        before = _snapshot(current)
        current.paused_at, current.paused_reason, current.consecutive_failures = None, "", 0
        current.is_active = True
        return _save(actor, current, before)


def delivery_resend(*, actor: Any, delivery: Delivery) -> Delivery:
    """Send a delivery again, now, with the same id and body (one attempt, also while paused)."""
    _require_admin(actor)
    now = timezone.now()
    with transaction.atomic():
        updated = (
            Delivery.objects.filter(pk=delivery.pk)
            .exclude(status=DeliveryStatus.SENDING)
            .update(status=DeliveryStatus.PENDING, next_attempt_at=now, finished_at=None, resend_by=actor)
        )
        if not updated:
            raise ValidationError(_g("This delivery is being sent right now."))
        transaction.on_commit(lambda: enqueue(delivery.pk))
    delivery.refresh_from_db()
    return delivery


# --- pausing after failures and telling the administrators -------------------------------------------
def pause_for_failures(*, webhook_pk: int, reason: str, now: datetime.datetime) -> bool:
    """Pause a subscription that keeps failing (once) and tell the administrators. True if it paused now."""
    with transaction.atomic():
        paused = Webhook.objects.filter(pk=webhook_pk, paused_at__isnull=True).update(
            paused_at=now, paused_reason=reason
        )
        if not paused:
            return False
        webhook = Webhook.objects.get(pk=webhook_pk)
        audit.record(
            actor=None,
            action=audit.Action.UPDATE,
            object_type=OBJECT_TYPE,
            instance=webhook,
            before={"paused_at": None, "paused_reason": ""},
            after={"paused_at": audit.to_json(now), "paused_reason": reason},
        )
        transaction.on_commit(lambda: notify_paused(webhook))
    logger.warning("webhook %s (%s) paused: %s", webhook.pk, webhook.url, reason)
    return True


def mail_configured() -> bool:
    """GUANXI_EMAIL_HOST set (a default mailer in MAILERS)."""
    return "default" in mailers


def administrators() -> Any:
    from guanxi.users.models import User

    return User.objects.filter(is_active=True).filter(Q(is_superuser=True) | Q(role__is_admin=True))


def notify_paused(webhook: Webhook) -> int:
    """E-mail the administrators (when mail is configured); returns how many were told."""
    if not mail_configured():
        return 0
    recipients = sorted({u.email for u in administrators() if u.email})
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _g("Guanxi paused the webhook “%(name)s”") % {"name": webhook}
        body = _g(
            "The webhook “%(name)s” (%(url)s) was paused because its deliveries keep failing:\n\n"
            "%(reason)s\n\nNo new events are sent to it until an administrator resumes it under Settings → "
            "Webhooks, where the delivery log shows every attempt."
        ) % {"name": webhook, "url": webhook.url, "reason": webhook.paused_reason}
    try:
        return send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("could not e-mail the administrators about webhook %s", webhook.pk)
        return 0


def paused_webhooks() -> Any:
    return Webhook.objects.filter(paused_at__isnull=False, is_active=True)


__all__ = [
    "delivery_resend",
    "notify_paused",
    "pause_for_failures",
    "webhook_create",
    "webhook_delete",
    "webhook_pause",
    "webhook_resume",
    "webhook_rotate_secret",
    "webhook_update",
]
