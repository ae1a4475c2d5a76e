"""Administrators' sales settings: editable lists, lead assignment rules, web-to-lead forms, exchange rates;
and the public web-to-lead endpoint."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from guanxi.core import audit
from guanxi.core.permissions import SYSTEM
from guanxi.users.views import AdminRequiredMixin

from .choices import PicklistKind, StatusMeaning
from .models import AssignmentRule, ExchangeRate, PicklistValue, WebForm
from .services import lead_create

WEB_FORM_LIMIT = 10  # submissions per address per 10 minutes
WEB_FORM_WINDOW = 600


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if not isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
            widget.attrs.setdefault(
                "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
            )


class PicklistForm(forms.ModelForm):
    class Meta:
        model = PicklistValue
        fields = ["key", "label", "label_zh", "meaning", "order", "active"]

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != PicklistKind.LEAD_STATUS:
            del self.fields["meaning"]
        _style(self)

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        clash = PicklistValue.objects.filter(kind=self.kind, key=key).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("This key is already used in the list."))
        return key


class RuleForm(forms.ModelForm):
    class Meta:
        model = AssignmentRule
        fields = ["name", "order", "active", "source", "region", "method", "team", "user"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ModelChoiceField)
        source.queryset = PicklistValue.objects.filter(kind=PicklistKind.LEAD_SOURCE)
        _style(self)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("method") == AssignmentRule.ROUND_ROBIN and not data.get("team"):
            self.add_error("team", _("Round-robin needs a team."))
        if data.get("method") == AssignmentRule.USER and not data.get("user"):
            self.add_error("user", _("Choose the user."))
        return data


class WebFormForm(forms.ModelForm):
    class Meta:
        model = WebForm
        fields = ["name", "enabled", "source", "thank_you", "redirect_url", "allowed_origins"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ModelChoiceField)
        source.queryset = PicklistValue.objects.filter(kind=PicklistKind.LEAD_SOURCE)
        _style(self)


class RateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "rate", "valid_from"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["currency"] = forms.ChoiceField(
            label=_("Currency"),
            choices=[(c, c) for c in settings.GUANXI_CURRENCIES if c != settings.GUANXI_DEFAULT_CURRENCY],
        )
        _style(self)


CONFIG: dict[str, dict[str, Any]] = {
    "lists": {"title": _("Lists"), "template": "sales/settings_lists.html"},
    "rules": {
        "title": _("Lead assignment rules"),
        "form": RuleForm,
        "model": AssignmentRule,
        "template": "sales/settings_rules.html",
    },
    "forms": {
        "title": _("Web-to-lead forms"),
        "form": WebFormForm,
        "model": WebForm,
        "template": "sales/settings_webforms.html",
    },
    "rates": {
        "title": _("Exchange rates"),
        "form": RateForm,
        "model": ExchangeRate,
        "template": "sales/settings_rates.html",
    },
}


def _audit_state(obj: Any, form: forms.ModelForm) -> dict[str, Any]:
    return {
        name: audit.to_json(getattr(obj, form._meta.model._meta.get_field(name).attname))
        for name in form._meta.fields or []
    }


class SalesSettingsView(AdminRequiredMixin, View):
    """One page per settings area; each row is edited through a small form and every change is audited."""

    def get(self, request: HttpRequest, area: str) -> HttpResponse:
        config = CONFIG.get(area)
        if config is None:
            raise Http404
        model = PicklistValue if area == "lists" else config["model"]
        edit = request.GET.get("edit", "")
        editing = get_object_or_404(model, pk=edit) if edit.isdigit() else None
        return self.show(area, editing=editing)

    def show(self, area: str, form: Any = None, editing: Any = None, status: int = 200) -> HttpResponse:
        config = CONFIG.get(area)
        if config is None:
            raise Http404
        context: dict[str, Any] = {
            "area": area,
            "title": config["title"],
            "areas": CONFIG,
            "editing": editing,
        }
        if area == "lists":
            kind = self.request.GET.get("kind") or self.request.POST.get("kind") or PicklistKind.LEAD_SOURCE
            if kind not in PicklistKind.values:
                kind = PicklistKind.LEAD_SOURCE
            context.update(
                kind=kind,
                kinds=PicklistKind.choices,
                rows=PicklistValue.objects.filter(kind=kind),
                form=form or PicklistForm(kind=kind, instance=editing),
            )
        else:
            context.update(rows=config["model"].objects.all(), form=form or config["form"](instance=editing))
        if area == "forms":
            context["embed_base"] = self.request.build_absolute_uri("/forms/lead/")
        return render(self.request, config["template"], context, status=status)

    def post(self, request: HttpRequest, area: str) -> HttpResponse:
        config = CONFIG.get(area)
        if config is None:
            raise Http404
        model = PicklistValue if area == "lists" else config["model"]
        model_name = model._meta.model_name
        assert model_name is not None
        target = f"{reverse('sales:settings', args=[area])}"
        if area == "lists":
            target += f"?kind={request.POST.get('kind', '')}"
        if request.POST.get("delete"):
            obj = get_object_or_404(model, pk=request.POST["delete"])
            try:
                with transaction.atomic():
                    audit.record(
                        actor=request.user,
                        action=audit.Action.DELETE,
                        object_type=model_name,
                        instance=obj,
                        before={"name": str(obj)},
                        after=None,
                    )
                    obj.delete()
            except ProtectedError:
                messages.error(
                    request, _g("“%(name)s” is still in use; make it inactive instead.") % {"name": obj}
                )
            return HttpResponseRedirect(target)
        editing = get_object_or_404(model, pk=request.POST["id"]) if request.POST.get("id") else None
        if area == "lists":
            form = PicklistForm(request.POST, kind=request.POST.get("kind", ""), instance=editing)
        else:
            form = config["form"](request.POST, instance=editing)
        if not form.is_valid():
            return self.show(area, form=form, editing=editing, status=400)
        before = _audit_state(editing, form) if editing else None
        with transaction.atomic():
            obj = form.save(commit=False)
            if area == "lists":
                obj.kind = form.kind
            if area == "forms" and not obj.token:
                obj.token = secrets.token_urlsafe(18)
            obj.save()
            after = _audit_state(obj, form)
            old, new = audit.diff(before, after) if before else (None, after)
            if new:
                audit.record(
                    actor=request.user,
                    action=audit.Action.UPDATE if editing else audit.Action.CREATE,
                    object_type=model_name,
                    instance=obj,
                    before=old,
                    after=new,
                )
        messages.success(request, _g("Saved."))
        return HttpResponseRedirect(target)


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def public_lead_form(request: HttpRequest, token: str) -> HttpResponse:
    """The embeddable web-to-lead form. No login; rate-limited per address; a hidden honeypot field
    catches bots; answers never reveal anything about the CRM's data."""
    web_form = WebForm.objects.filter(token=token, enabled=True).first()
    if web_form is None:
        return render(request, "sales/public_form_closed.html", status=404)
    form = PublicLeadForm(request.POST or None)
    if request.method == "POST":
        key = f"webform:{web_form.pk}:{_client_address(request)}"
        count = cache.get_or_set(key, 0, WEB_FORM_WINDOW) or 0
        if count >= WEB_FORM_LIMIT:
            response = render(
                request,
                "sales/public_form.html",
                {"form": form, "web_form": web_form, "limited": True},
                status=429,
            )
            response["Retry-After"] = str(WEB_FORM_WINDOW)
            return _framable(response, web_form)
        cache.incr(key)
        if form.is_valid():
            if not form.cleaned_data.get("website_url"):  # the honeypot stays empty for people
                try:
                    _create_web_lead(web_form, form.cleaned_data)
                except ValidationError:
                    form.add_error(None, _("Please check the e-mail address and phone number."))
            if not form.errors:
                target = web_form.redirect_url
                if target and url_has_allowed_host_and_scheme(
                    target, allowed_hosts=None, require_https=False
                ):
                    return HttpResponseRedirect(target)
                return _framable(
                    render(request, "sales/public_form.html", {"web_form": web_form, "sent": True}), web_form
                )
    return _framable(
        render(
            request,
            "sales/public_form.html",
            {"form": form, "web_form": web_form},
            status=400 if form.errors else 200,
        ),
        web_form,
    )


def _create_web_lead(web_form: WebForm, data: dict[str, Any]) -> None:
    status = PicklistValue.objects.filter(kind=PicklistKind.LEAD_STATUS, meaning=StatusMeaning.NEW).first()
    with transaction.atomic():
        lead_create(
            actor=SYSTEM,
            owner=None,
            full_name=data["full_name"],
            company_name=data.get("company_name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            title=data.get("title", ""),
            city=data.get("city", ""),
            notes=data.get("message", ""),
            source=web_form.source,
            status=status,
        )
        WebForm.objects.filter(pk=web_form.pk).update(submissions=F("submissions") + 1)


def _framable(response: HttpResponse, web_form: WebForm) -> HttpResponse:
    """The form may be embedded in an iframe by the sites the administrator listed (any site if none)."""
    origins = web_form.allowed_origins.split()
    response.xframe_options_exempt = True
    response["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
        f"frame-ancestors {' '.join(origins) if origins else '*'}"
    )
    return response


class PublicLeadForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    city = forms.CharField(label=_("City"), max_length=60, required=False)
    message = forms.CharField(
        label=_("Message"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    website_url = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("email") or data.get("phone")):
            raise ValidationError(_("Leave an e-mail address or a phone number so we can answer."))
        return data
