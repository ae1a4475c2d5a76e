import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field, Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext as _g
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from guanxi.core import permissions
from guanxi.core import views as generic
from guanxi.core.registry import registry
from guanxi.core.services import StaleVersionError

from . import selectors, services
from .forms import QuickActivityForm
from .models import Activity, Kind

TIMELINE_TYPES = ("lead", "contact", "company", "deal")
DETAIL_URLS = {
    "lead": "sales:lead_detail",
    "contact": "customers:contact_detail",
    "company": "customers:company_detail",
    "deal": "sales:deal_detail",
}


def related_links(activity: Activity) -> Any:
    parts = []
    for link in TIMELINE_TYPES:
        target = getattr(activity, link)
        if target is not None:
            parts.append(
                format_html('<a href="{}">{}</a>', reverse(DETAIL_URLS[link], args=[target.pk]), target)
            )
    return format_html(" · ".join(["{}"] * len(parts)), *parts) if parts else ""


class ActivityList(generic.ObjectListView):
    object_type_key = "activity"

    def cell_related(self, obj: Activity) -> Any:
        return related_links(obj)

    def cell_status(self, obj: Activity) -> Any:
        if obj.kind != Kind.TASK:
            return obj.get_outcome_display() if obj.kind == Kind.CALL else ""
        if obj.done:
            return format_html('<span class="badge bg-green-lt">{}</span>', pgettext("task status", "done"))
        if obj.is_overdue:
            return format_html('<span class="badge bg-red-lt">{}</span>', pgettext("task status", "overdue"))
        return format_html('<span class="badge bg-blue-lt">{}</span>', pgettext("task status", "open"))


class ActivityDetail(generic.ObjectDetailView):
    object_type_key = "activity"
    template_name = "activities/activity_detail.html"
    detail_fields = ["kind", "occurred_at", "body", "owner"]

    def get_context(self, obj: Model) -> dict[str, Any]:
        context = super().get_context(obj)
        activity: Activity = obj  # type: ignore[assignment]
        extra_by_kind: dict[str, list[str]] = {
            Kind.TASK: ["due_at", "priority", "reminder_at", "done", "done_at"],
            Kind.CALL: ["direction", "duration_minutes", "outcome"],
            Kind.MEETING: ["start_at", "end_at", "location"],
        }
        for name in extra_by_kind.get(activity.kind, []):
            field = activity._meta.get_field(name)
            assert isinstance(field, Field)
            context["fields"].append((field.verbose_name, generic.display_value(activity, name)))
        context["related"] = related_links(activity)
        context["attendees"] = (
            list(activity.attendees.visible_to(self.request.user)) if activity.kind == Kind.MEETING else []
        )
        context["colleagues"] = list(activity.colleagues.all()) if activity.kind == Kind.MEETING else []
        return context


class ActivityEdit(generic.ObjectEditView):
    object_type_key = "activity"
    template_name = "activities/activity_form.html"

    def get_form(self, data: Any = None, instance: Model | None = None) -> Any:
        form = super().get_form(data, instance)
        if instance is None and data is None:
            kind = self.request.GET.get("kind")
            if kind in Kind.values:
                form.initial["kind"] = kind
            for link in TIMELINE_TYPES:
                value = self.request.GET.get(link)
                if value and value.isdigit():
                    form.initial[link] = int(value)
                    form.fields[link].initial = int(value)
        return form


class ActivityDelete(generic.ObjectDeleteView):
    object_type_key = "activity"


def _target(request: HttpRequest, object_type: str, pk: int) -> Model:
    if object_type not in TIMELINE_TYPES:
        raise Http404
    model = registry.get(object_type).model
    return get_object_or_404(model.objects.visible_to(request.user), pk=pk)  # type: ignore[attr-defined]


def timeline_context(
    request: HttpRequest, object_type: str, obj: Model, before: datetime.datetime | None = None
) -> dict[str, Any]:
    entries, next_before = selectors.timeline(request.user, object_type, obj, before=before)
    more_url = None
    if next_before is not None:
        more_url = (
            reverse("activities:timeline", args=[object_type, obj.pk]) + f"?before={next_before.isoformat()}"
        )
        more_url = more_url.replace("+", "%2B")
    return {
        "entries": entries,
        "more_url": more_url,
        "object_type": object_type,
        "object": obj,
        "quick_form": QuickActivityForm(
            initial={"kind": Kind.CALL, "direction": "outbound", "outcome": "connected"}
        ),
        "can_log": permissions.can(request.user, "create", "activity"),
        "quick_url": reverse("activities:quick", args=[object_type, obj.pk]),
        "new_task_url": f"{reverse('activities:activity_create')}?kind=task&{object_type}={obj.pk}",
        "new_meeting_url": f"{reverse('activities:activity_create')}?kind=meeting&{object_type}={obj.pk}",
    }


def timeline_panel(request: HttpRequest, obj: Model) -> dict[str, Any] | None:
    object_type = registry.for_model(obj).key
    return {
        "template": "activities/timeline_panel.html",
        "replaces_history": True,
        **timeline_context(request, object_type, obj),
    }


@login_required
@require_GET
def timeline(request: HttpRequest, object_type: str, pk: int) -> HttpResponse:
    """Older timeline entries (htmx), or the whole panel."""
    obj = _target(request, object_type, pk)
    before = parse_datetime(request.GET.get("before", "")) if request.GET.get("before") else None
    context = timeline_context(request, object_type, obj, before)
    if before:
        return render(request, "activities/timeline_entries.html", context)
    return render(request, "activities/timeline_panel.html", {"panel": context})


@login_required
@require_POST
def quick_log(request: HttpRequest, object_type: str, pk: int) -> HttpResponse:
    """Log a call, add a note or a task from a record's timeline; answers the refreshed panel (htmx)."""
    obj = _target(request, object_type, pk)
    form = QuickActivityForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        kind = data["kind"]
        fields: dict[str, Any] = {
            "kind": kind,
            "subject": data.get("subject") or "",
            "body": data.get("body") or "",
            object_type: obj,
            "occurred_at": timezone.now(),
        }
        if object_type == "contact" and getattr(obj, "company_id", None):
            fields["company_id"] = obj.company_id  # type: ignore[attr-defined]
        if kind == Kind.CALL:
            fields.update(
                direction=data.get("direction") or "outbound",
                outcome=data.get("outcome") or "",
                duration_minutes=data.get("duration_minutes"),
            )
            fields["subject"] = fields["subject"] or _g("Call with %(name)s") % {"name": obj}
        elif kind == Kind.TASK:
            fields["due_at"] = data.get("due_at") or timezone.now() + datetime.timedelta(days=1)
        try:
            services.activity_create(actor=request.user, **fields)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
            status = 400
    else:
        status = 400
    context = timeline_context(request, object_type, obj)
    if status != 200:
        context["quick_form"] = form
    return render(request, "activities/timeline_panel.html", {"panel": context}, status=status)


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    done = request.POST.get("done", "1") == "1"
    version = request.POST.get("version")
    try:
        services.activity_complete(
            actor=request.user,
            activity=activity,
            done=done,
            expected_version=int(version) if version else None,
        )
    except StaleVersionError:
        messages.error(request, _g("Someone changed this task meanwhile."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    target = request.POST.get("next") or reverse("activities:my_work")
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("activities:my_work")
    return HttpResponseRedirect(target)


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    if not permissions.can(request.user, "view", "activity"):
        raise PermissionDenied
    return render(request, "activities/my_work.html", {"work": selectors.my_work(request.user)})
