import datetime
import html
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format, get_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _g
from django.views import View

from guanxi.core import permissions
from guanxi.core import views as generic
from guanxi.core.services import StaleVersionError
from guanxi.customers.models import Contact

from . import selectors, services
from .choices import StageKind
from .forms import ConvertForm, DealContactForm, LineFormSet, LostForm
from .models import Deal, Lead, Pipeline, Product, Stage


def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    return f"{currency} {number_format(amount, decimal_pos=2, force_grouping=True)}"


class BoardCards:
    """The cards of the board's columns as HTML, byte for byte what a `{% for deal in column.cards %}` loop
    over the card markup renders (tests/sales/test_board_cards.py holds the two side by side), without ten
    template nodes, a `reverse()` and three localisations a card: the deal URL is reversed once, the
    separators read once, each closing date formatted once a page."""

    def __init__(self) -> None:
        marker = 987654321
        self.url = reverse("sales:deal_detail", args=[marker]).partition(str(marker))
        self.decimal_sep = str(get_format("DECIMAL_SEPARATOR"))
        self.thousand_sep = str(get_format("THOUSAND_SEPARATOR"))
        grouping = get_format("NUMBER_GROUPING")
        self.grouping = grouping if isinstance(grouping, int) else 0
        self.dates: dict[datetime.date, str] = {}

    def whole(self, amount: Decimal) -> str:
        """`amount|floatformat:"0g"`: rounded half up to a whole number, thousands grouped."""
        if not self.grouping:
            return str(floatformat(amount, "0g"))
        rounded = int(amount.quantize(Decimal(1), ROUND_HALF_UP))
        digits = str(abs(rounded))
        size = self.grouping
        head = len(digits) % size or size
        groups = [digits[:head]] + [digits[i : i + size] for i in range(head, len(digits), size)]
        return ("-" if rounded < 0 else "") + self.thousand_sep.join(groups)

    def date(self, value: datetime.date) -> str:
        text = self.dates.get(value)
        if text is None:
            text = self.dates[value] = html.escape(date_format(value, "SHORT_DATE_FORMAT"))
        return text

    def html(self, cards: list[selectors.BoardCard]) -> SafeString:
        escape = html.escape
        prefix, _marker, suffix = self.url
        out = []
        for card in cards:
            closing, owner = card.expected_close_date, escape(card.owner_name)
            out.append(
                f'\n      <div class="card gx-deal-card" data-id="{card.pk}" data-version="{card.version}"'
                f' data-amount="{format(card.amount, "f").replace(".", self.decimal_sep)}">'
                f'\n        <div class="card-body p-2">'
                f'\n          <a href="{prefix}{card.pk}{suffix}" class="fw-bold">{escape(card.name)}</a>'
                f'\n          <div class="small text-secondary">{escape(card.company_name or "")}</div>'
                f'\n          <div class="small d-flex"><span>{escape(card.currency)} '
                f'{self.whole(card.amount)}</span><span class="ms-auto">{owner}</span></div>'
                f"\n          "
                + (f'<div class="small text-secondary">{self.date(closing)}</div>' if closing else "")
                + "\n        </div>\n      </div>\n      "
            )
        return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


def _link(url_name: str, obj: Model | None) -> Any:
    if obj is None:
        return ""
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=[obj.pk]), obj)


# --- leads -----------------------------------------------------------------------------------------------


class LeadList(generic.ObjectListView):
    object_type_key = "lead"


class LeadDetail(generic.ObjectDetailView):
    object_type_key = "lead"
    template_name = "sales/lead_detail.html"
    detail_fields = [
        "company_name",
        "title",
        "email",
        "phone",
        "status",
        "source",
        "disqualification_reason",
        "owner",
        "team",
        "notes",
    ]

    def get_context(self, obj: Model) -> dict[str, Any]:
        context = super().get_context(obj)
        lead: Lead = obj  # type: ignore[assignment]
        context["address"] = ", ".join(p for p in (lead.city, lead.province, lead.country) if p)
        context["converted"] = (
            [
                (_g("Contact"), _link("customers:contact_detail", lead.converted_contact)),
                (_g("Company"), _link("customers:company_detail", lead.converted_company)),
                (_g("Deal"), _link("sales:deal_detail", lead.converted_deal)),
            ]
            if lead.converted_at
            else []
        )
        context["can_convert"] = context["can_edit"] and lead.converted_at is None
        return context


class LeadEdit(generic.ObjectEditView):
    object_type_key = "lead"


class LeadDelete(generic.ObjectDeleteView):
    object_type_key = "lead"


class LeadConvert(generic.RecordViewMixin, View):
    object_type_key = "lead"
    template_name = "sales/lead_convert.html"

    def load(self, pk: int) -> Lead:
        lead: Lead = self.get_object(pk)  # type: ignore[assignment]
        if not permissions.can(self.request.user, "edit", "lead", lead):
            raise PermissionDenied
        return lead

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        lead = self.load(pk)
        form = ConvertForm(
            user=request.user,
            initial={
                "deal_name": lead.company_name or lead.full_name,
                "version": lead.version,
                "currency": services._reporting(),
                "create_deal": True,
            },
        )
        return self.show(lead, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        lead = self.load(pk)
        form = ConvertForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.show(lead, form, status=400)
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            result = services.lead_convert(actor=request.user, lead=lead, expected_version=version, **data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.show(lead, form, status=400)
        except StaleVersionError:
            form.add_error(
                None, _g("Someone changed this lead meanwhile; look at it again before converting.")
            )
            return self.show(lead, form, status=409)
        parts = (
            [str(result.contact)]
            + ([str(result.company)] if result.company else [])
            + ([str(result.deal)] if result.deal else [])
        )
        messages.success(
            request, _g("Converted %(lead)s into %(parts)s.") % {"lead": lead, "parts": ", ".join(parts)}
        )
        target = (
            reverse("sales:deal_detail", args=[result.deal.pk])
            if result.deal
            else reverse("customers:contact_detail", args=[result.contact.pk])
        )
        return HttpResponseRedirect(target)

    def show(self, lead: Lead, form: ConvertForm, status: int = 200) -> HttpResponse:
        matches = {
            "company": services._find_company(self.request.user, lead),
            "contact": services._find_contact(self.request.user, lead),
        }
        return render(
            self.request,
            self.template_name,
            {**self.nav_context(), "object": lead, "form": form, "matches": matches},
            status=status,
        )


# --- deals -----------------------------------------------------------------------------------------------


class DealList(generic.ObjectListView):
    object_type_key = "deal"
    template_name = "sales/deal_list.html"

    def cell_amount(self, obj: Deal) -> str:
        return money(obj.amount, obj.currency)

    def cell_company(self, obj: Deal) -> Any:
        return _link("customers:company_detail", obj.company)

    def cell_stage(self, obj: Deal) -> Any:
        badge = {"won": "bg-green-lt", "lost": "bg-red-lt"}.get(obj.stage.kind, "bg-blue-lt")
        return format_html('<span class="badge {}">{}</span>', badge, obj.stage.name)


class DealDetail(generic.ObjectDetailView):
    object_type_key = "deal"
    template_name = "sales/deal_detail.html"
    detail_fields = [
        "company",
        "pipeline",
        "stage",
        "amount",
        "expected_close_date",
        "source",
        "lost_reason",
        "lost_note",
        "closed_at",
        "owner",
        "team",
        "notes",
    ]

    def field_company(self, obj: Deal) -> Any:
        return _link("customers:company_detail", obj.company)

    def field_amount(self, obj: Deal) -> str:
        return money(obj.amount, obj.currency)

    def get_context(self, obj: Model) -> dict[str, Any]:
        context = super().get_context(obj)
        deal: Deal = obj  # type: ignore[assignment]
        context["durations"] = selectors.stage_durations(deal)
        context["stages"] = list(deal.pipeline.stages.all())
        context["lines"] = list(deal.lines.select_related("product"))
        context["lines_total"] = sum((line.total for line in context["lines"]), Decimal("0"))
        context["contact_roles"] = list(
            deal.contact_roles.select_related("contact").filter(
                contact__in=Contact.objects.visible_to(self.request.user)
            )
        )
        context["contact_form"] = DealContactForm(user=self.request.user)
        context["lost_form"] = LostForm(initial={"version": deal.version})
        context["is_open"] = deal.stage.kind == StageKind.OPEN
        context["won_stage"] = next((s for s in context["stages"] if s.kind == StageKind.WON), None)
        context["lost_stage"] = next((s for s in context["stages"] if s.kind == StageKind.LOST), None)
        context["first_open_stage"] = next((s for s in context["stages"] if s.kind == StageKind.OPEN), None)
        return context


class DealEdit(generic.ObjectEditView):
    object_type_key = "deal"

    def get_form(self, data: Any = None, instance: Model | None = None) -> Any:
        form = super().get_form(data, instance)
        if instance is None and data is None:
            company = self.request.GET.get("company")
            if company and company.isdigit():
                form.initial["company"] = int(company)
            form.initial.setdefault(
                "pipeline", services.default_pipeline().pk if Pipeline.objects.exists() else None
            )
        return form


class DealDelete(generic.ObjectDeleteView):
    object_type_key = "deal"


class DealMove(generic.RecordViewMixin, View):
    """Move a deal to a stage (the board's drag and drop, and the won / lost / reopen buttons).
    Answers JSON for the board: 200 with the new version, 403, 409 (stale) or 400 (lost reason needed)."""

    object_type_key = "deal"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        deal: Deal = self.get_object(pk)  # type: ignore[assignment]
        wants_json = "application/json" in request.headers.get("Accept", "")
        stage_id = request.POST.get("stage", "")
        stage = (
            Stage.objects.filter(pk=int(stage_id)).select_related("pipeline").first()
            if stage_id.isdigit()
            else None
        )
        if stage is None:
            return self.answer(wants_json, deal, 400, _g("Choose a stage."))
        form = LostForm(request.POST) if stage.kind == StageKind.LOST else None
        if form is not None and not form.is_valid():
            return self.answer(wants_json, deal, 400, _g("Say why the deal was lost."), needs_reason=True)
        version = request.POST.get("version", "")
        if version and not version.isdigit():
            return self.answer(wants_json, deal, 400, _g("The version must be a whole number."))
        try:
            deal = services.deal_move_stage(
                actor=request.user,
                deal=deal,
                stage=stage,
                expected_version=int(version) if version else None,
                lost_reason=form.cleaned_data["lost_reason"] if form else None,
                lost_note=form.cleaned_data.get("lost_note", "") if form else "",
            )
        except PermissionDenied:
            return self.answer(wants_json, deal, 403, _g("You may not move this deal."))
        except StaleVersionError as exc:
            who = exc.changes[-1].actor_name if exc.changes else ""
            return self.answer(
                wants_json,
                deal,
                409,
                _g("%(who)s changed this deal meanwhile; it was put back.") % {"who": who or _g("Someone")},
            )
        except ValidationError as exc:
            return self.answer(wants_json, deal, 400, " ".join(exc.messages))
        return self.answer(wants_json, deal, 200, _g("Moved to %(stage)s.") % {"stage": stage.name})

    def answer(self, wants_json: bool, deal: Deal, status: int, message: str, **extra: Any) -> HttpResponse:
        if wants_json:
            deal.refresh_from_db()
            return JsonResponse(
                {"message": message, "version": deal.version, "stage": deal.stage_id, **extra}, status=status
            )
        (messages.success if status == 200 else messages.error)(self.request, message)
        return HttpResponseRedirect(reverse("sales:deal_detail", args=[deal.pk]))


class DealLines(generic.RecordViewMixin, View):
    object_type_key = "deal"
    template_name = "sales/deal_lines.html"

    def load(self, pk: int) -> Deal:
        deal: Deal = self.get_object(pk)  # type: ignore[assignment]
        if not permissions.can(self.request.user, "edit", "deal", deal):
            raise PermissionDenied
        return deal

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        deal = self.load(pk)
        initial = [
            {
                "product": line.product_id,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount": line.discount,
            }
            for line in deal.lines.all()
        ]
        return self.show(deal, LineFormSet(prefix="lines", initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        deal = self.load(pk)
        formset = LineFormSet(request.POST, prefix="lines")
        if not formset.is_valid():
            return self.show(deal, formset, status=400)
        lines = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and (f.cleaned_data.get("product") or f.cleaned_data.get("description"))
        ]
        version = request.POST.get("version")
        try:
            services.deal_set_lines(
                actor=request.user,
                deal=deal,
                lines=lines,
                expected_version=int(version) if version else None,
                amount_from_lines=bool(request.POST.get("amount_from_lines")),
            )
        except ValidationError as exc:
            return self.show(deal, formset, status=400, errors=exc.messages)
        except StaleVersionError:
            messages.error(request, _g("Someone changed this deal meanwhile; the lines were not saved."))
            return HttpResponseRedirect(reverse("sales:deal_lines", args=[deal.pk]))
        messages.success(request, _g("Product lines saved."))
        return HttpResponseRedirect(reverse("sales:deal_detail", args=[deal.pk]))

    def show(
        self, deal: Deal, formset: Any, status: int = 200, errors: list[str] | None = None
    ) -> HttpResponse:
        prices = {p.pk: str(p.list_price) for p in Product.objects.filter(active=True)}
        return render(
            self.request,
            self.template_name,
            {
                **self.nav_context(),
                "object": deal,
                "formset": formset,
                "prices": prices,
                "errors": errors or [],
            },
            status=status,
        )


class DealContactEdit(generic.RecordViewMixin, View):
    object_type_key = "deal"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        deal: Deal = self.get_object(pk)  # type: ignore[assignment]
        if not permissions.can(request.user, "edit", "deal", deal):
            raise PermissionDenied
        if request.POST.get("remove"):
            contact = get_object_or_404(Contact.objects.visible_to(request.user), pk=request.POST["remove"])
            services.deal_set_contact(actor=request.user, deal=deal, contact=contact, role=None)
        else:
            form = DealContactForm(request.POST, user=request.user)
            if form.is_valid():
                services.deal_set_contact(
                    actor=request.user,
                    deal=deal,
                    contact=form.cleaned_data["contact"],
                    role=form.cleaned_data["role"],
                )
            else:
                messages.error(request, _g("Choose a contact and a role."))
        return HttpResponseRedirect(reverse("sales:deal_detail", args=[deal.pk]) + "#deal-contacts")


class Board(LoginRequiredMixin, View):
    template_name = "sales/board.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        if not permissions.can(request.user, "view", "deal"):
            raise PermissionDenied
        pipelines = list(selectors.pipelines())
        if not pipelines:
            raise Http404
        pipeline = (
            next((p for p in pipelines if p.pk == pk), None)
            if pk
            else next((p for p in pipelines if p.is_default), pipelines[0])
        )
        if pipeline is None:
            raise Http404
        filters, values = self.filters(request)
        columns = selectors.board(request.user, pipeline, **filters)
        cards = BoardCards()
        stages = list(pipeline.stages.all())
        return render(
            request,
            self.template_name,
            {
                "pipeline": pipeline,
                "pipelines": pipelines,
                "columns": [(column, cards.html(column.cards)) for column in columns],
                "values": values,
                "won_stage": next((s for s in stages if s.kind == StageKind.WON), None),
                "lost_stage": next((s for s in stages if s.kind == StageKind.LOST), None),
                "owners": permissions.assignable_users(request.user, "deal", "view").order_by("username")
                if permissions.scope_for(request.user, "deal", "view") > permissions.Scope.OWN
                else [],
                "teams": _teams(),
                "lost_form": LostForm(),
                "currency": services._reporting(),
                "can_edit": permissions.can(request.user, "edit", "deal"),
            },
        )

    @staticmethod
    def filters(request: HttpRequest) -> tuple[dict[str, Any], dict[str, str]]:
        from guanxi.users.models import Team, User

        filters: dict[str, Any] = {}
        values = {k: request.GET.get(k, "") for k in ("owner", "team", "month")}
        if values["owner"].isdigit():
            filters["owner"] = User.objects.filter(pk=values["owner"]).first()
        if values["team"].isdigit():
            filters["team"] = Team.objects.filter(pk=values["team"]).first()
        if values["month"]:
            try:
                filters["close_month"] = datetime.date.fromisoformat(values["month"] + "-01")
            except ValueError:
                values["month"] = ""
        return {k: v for k, v in filters.items() if v is not None}, values


def _teams() -> Any:
    from guanxi.users.models import Team

    return Team.objects.order_by("name")


# --- products and pipelines ----------------------------------------------------------------------------


class ProductList(generic.ObjectListView):
    object_type_key = "product"

    def cell_list_price(self, obj: Product) -> str:
        return money(obj.list_price, obj.currency)


class ProductDetail(generic.ObjectDetailView):
    object_type_key = "product"
    detail_fields = ["name", "unit", "list_price", "tax_rate", "active", "description"]

    def field_list_price(self, obj: Product) -> str:
        return money(obj.list_price, obj.currency)


class ProductEdit(generic.ObjectEditView):
    object_type_key = "product"


class ProductDelete(generic.ObjectDeleteView):
    object_type_key = "product"


class PipelineList(generic.ObjectListView):
    object_type_key = "pipeline"

    def cell_stages(self, obj: Pipeline) -> str:
        return " → ".join(s.name for s in obj.stages.all())


class PipelineDetail(generic.ObjectDetailView):
    object_type_key = "pipeline"
    template_name = "sales/pipeline_detail.html"
    detail_fields = ["is_default", "order", "active"]


class PipelineEdit(generic.ObjectEditView):
    object_type_key = "pipeline"
    template_name = "sales/pipeline_form.html"


class PipelineDelete(generic.ObjectDeleteView):
    object_type_key = "pipeline"
