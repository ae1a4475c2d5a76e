"""Settings → Webhooks: the list, create and edit (event picker, filters), the secret shown once with a rotate
action, pause and resume, and the delivery log with every attempt and a resend button."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.views import View

from guanxi.core.pagination import InvalidCursor, paginate
from guanxi.core.permissions import is_admin
from guanxi.core.services import StaleVersionError
from guanxi.users.views import AdminRequiredMixin

from . import delivery as engine
from . import services
from .catalogue import available_events
from .forms import WebhookForm
from .models import Delivery, DeliveryStatus, Webhook

LOG_PAGE = 50


def paused_notice(request: HttpRequest) -> list[dict[str, Any]]:
    """Home-page widget for administrators: the webhooks paused after failing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_admin(user):
        return []
    paused = list(services.paused_webhooks().order_by("paused_at")[:5])
    if not paused:
        return []
    return [{"template": "integrations/paused_widget.html", "webhooks": paused}]


def _errors_to_form(form: WebhookForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc)


def _delay(delay: datetime.timedelta) -> str:
    """A retry delay as people say it: "6 min", "1.5 h"."""
    minutes = delay.total_seconds() / 60
    if minutes < 90:
        return _g("%(n)d min") % {"n": max(1, round(minutes))}
    return _g("%(n)s h") % {"n": f"{minutes / 60:.1f}".removesuffix(".0")}


def _labels() -> dict[str, str]:
    return {e.name: e.label for e in available_events()}


class WebhookListView(AdminRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        webhooks = list(Webhook.objects.all())
        labels = _labels()
        for webhook in webhooks:
            webhook.event_labels = [labels.get(e, e) for e in webhook.events]  # type: ignore[attr-defined]
        return render(
            request,
            "integrations/webhook_list.html",
            {"webhooks": webhooks, "paused": [w for w in webhooks if w.is_paused and w.is_active]},
        )


class WebhookEditView(AdminRequiredMixin, View):
    template_name = "integrations/webhook_form.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        webhook = get_object_or_404(Webhook, pk=pk) if pk else None
        initial: dict[str, Any] = {"is_active": True}
        if webhook is not None:
            initial = {
                "name": webhook.name,
                "url": webhook.url,
                "events": webhook.events,
                "object_types": webhook.object_types,
                "pipelines": webhook.pipelines,
                "teams": webhook.teams,
                "is_active": webhook.is_active,
                "version": webhook.version,
            }
        return self.show(WebhookForm(initial=initial), webhook)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        webhook = get_object_or_404(Webhook, pk=pk) if pk else None
        if webhook is not None:
            action = next((a for a in ("delete", "rotate", "pause", "resume") if a in request.POST), None)
            if action:
                return self.act(request, webhook, action)
        form = WebhookForm(request.POST)
        if not form.is_valid():
            return self.show(form, webhook, status=400)
        try:
            if webhook is None:
                webhook, secret = services.webhook_create(actor=request.user, **form.values())
                warning = engine.check_destination(webhook.url)
                if warning:
                    messages.warning(
                        request,
                        _g("Saved, but the address does not resolve now: %(reason)s") % {"reason": warning},
                    )
                return self.show_secret(webhook, secret, created=True)
            webhook = services.webhook_update(
                actor=request.user,
                webhook=webhook,
                expected_version=form.cleaned_data.get("version"),
                **form.values(),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
            return self.show(form, webhook, status=400)
        except StaleVersionError:
            form.add_error(
                None, _g("Someone else changed this webhook meanwhile. Reload the page and try again.")
            )
            return self.show(form, webhook, status=409)
        messages.success(request, _g("Saved %(name)s.") % {"name": webhook})
        return HttpResponseRedirect(reverse("integrations:webhook_edit", args=[webhook.pk]))

    def act(self, request: HttpRequest, webhook: Webhook, action: str) -> HttpResponse:
        if action == "delete":
            services.webhook_delete(actor=request.user, webhook=webhook)
            messages.success(request, _g("Deleted %(name)s.") % {"name": webhook})
            return HttpResponseRedirect(reverse("integrations:webhook_list"))
        if action == "rotate":
            webhook, secret = services.webhook_rotate_secret(actor=request.user, webhook=webhook)
            return self.show_secret(webhook, secret, created=False)
        if action == "pause":
            services.webhook_pause(actor=request.user, webhook=webhook)
            messages.success(request, _g("Paused: no events are sent until you resume it."))
        else:
            services.webhook_resume(actor=request.user, webhook=webhook)
            messages.success(request, _g("Resumed: new events are sent again."))
        return HttpResponseRedirect(reverse("integrations:webhook_edit", args=[webhook.pk]))

    def show(self, form: WebhookForm, webhook: Webhook | None, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "object": webhook,
                "selected": form.selected_events(),
                "schedule": [_delay(d) for d in engine.schedule()],
                "recent": list(webhook.deliveries.all()[:5]) if webhook else [],
            },
            status=status,
        )

    def show_secret(self, webhook: Webhook, secret: str, *, created: bool) -> HttpResponse:
        return render(
            self.request,
            "integrations/webhook_secret.html",
            {"object": webhook, "secret": secret, "created": created},
        )


class DeliveryLogView(AdminRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        webhook = get_object_or_404(Webhook, pk=pk)
        queryset = Delivery.objects.filter(webhook=webhook).prefetch_related("attempt_log")
        state = request.GET.get("status", "")
        if state in DeliveryStatus.values:
            queryset = queryset.filter(status=state)
        try:
            page = paginate(queryset, sort="-id", cursor=request.GET.get("cursor"), size=LOG_PAGE)
        except InvalidCursor:
            page = paginate(queryset, sort="-id", cursor=None, size=LOG_PAGE)
        return render(
            request,
            "integrations/delivery_list.html",
            {
                "object": webhook,
                "page": page,
                "deliveries": page.items,
                "status": state,
                "statuses": DeliveryStatus.choices,
            },
        )


class DeliveryDetailView(AdminRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
        delivery = get_object_or_404(
            Delivery.objects.select_related("webhook"), pk=delivery_pk, webhook_id=pk
        )
        try:
            pretty = json.dumps(json.loads(delivery.body), ensure_ascii=False, indent=2)
        except ValueError:
            pretty = delivery.body
        return render(
            request,
            "integrations/delivery_detail.html",
            {
                "object": delivery.webhook,
                "delivery": delivery,
                "attempts": delivery.attempt_log.all(),
                "pretty_body": pretty,
            },
        )

    def post(self, request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
        delivery = get_object_or_404(Delivery, pk=delivery_pk, webhook_id=pk)
        try:
            services.delivery_resend(actor=request.user, delivery=delivery)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _g("The delivery was queued to be sent again."))
        back = request.POST.get("next") or ""
        if back == "log":
            return HttpResponseRedirect(reverse("integrations:delivery_list", args=[pk]))
        return HttpResponseRedirect(reverse("integrations:delivery_detail", args=[pk, delivery_pk]))
