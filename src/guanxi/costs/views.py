"""Pages of the costs app. Record pages are the platform's generic views; a user who may not see a cost
record type at all gets 403 on every page of it (a record outside their scope is still 404)."""

from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _g
from django.utils.translation import ngettext
from django.views import View

from guanxi.core import permissions
from guanxi.core import views as generic
from guanxi.core.services import StaleVersionError

from . import charts, engine, selectors, services
from .choices import Category
from .forms import CompareForm, PaybackSettingsForm, ScenarioImportForm, price_plan_initial
from .models import Expense, PricePlan, Scenario
from .templatetags.costs import money, months, percent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require_view(user: Any, *object_types: str) -> None:
    """403 unless the user may see every one of these cost record types."""
    for key in object_types:
        if not permissions.can(user, "view", key):
            raise PermissionDenied


class CostsAccess(LoginRequiredMixin):
    """No permission on the object type at all → 403 on its list, detail, edit and delete pages alike."""

    object_type_key = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            require_view(request.user, self.object_type_key)
        return super().dispatch(request, *args, **kwargs)


def _attachment_response(path: str, filename: str, content_type: str) -> FileResponse:
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _filename(name: str, fallback: str, extension: str) -> str:
    stem = slugify(name, allow_unicode=True)[:80] or fallback
    return f"{stem}.{extension}"


def xlsx_bytes(results: list[engine.Result]) -> bytes:
    """The engine's workbook (a Comparison sheet, then one sheet per scenario) as bytes."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        engine.write_xlsx(results, path)
        return Path(path).read_bytes()
    finally:
        Path(path).unlink(missing_ok=True)


# --- scenarios ----------------------------------------------------------------------------------


def describe_line(line: Any) -> str:
    """A scenario line in a few words: `Hosting: monthly 800, escalation 0.03`."""
    if not isinstance(line, dict):
        return str(line)
    name = line.get("name") or line.get("plan") or "?"
    parts = [f"{key} {value}" for key, value in line.items() if key not in ("name", "category", "note")]
    return f"{name}: {', '.join(str(p) for p in parts)}" if parts else str(name)


def summarise_line_changes(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History rows of cost and benefit lines as the lines removed (old) and added (new), instead of
    the whole JSON lists."""
    labels = {
        str(Scenario._meta.get_field("costs").verbose_name): "costs",
        str(Scenario._meta.get_field("benefits").verbose_name): "benefits",
    }
    for entry in entries:
        change = entry["change"]
        before, after = change.before or {}, change.after or {}
        rows = []
        for label, old, new in entry["rows"]:
            key = labels.get(str(label))
            if key is None:
                rows.append((label, old, new))
                continue
            old_lines, new_lines = before.get(key) or [], after.get(key) or []
            if change.action == "create":
                count = len(new_lines)
                rows.append(
                    (label, "—", ngettext("%(count)d line", "%(count)d lines", count) % {"count": count})
                )
                continue
            removed = [describe_line(line) for line in old_lines if line not in new_lines]
            added = [describe_line(line) for line in new_lines if line not in old_lines]
            rows.append((label, "; ".join(removed) or "—", "; ".join(added) or "—"))
        entry["rows"] = rows
    return entries


class ScenarioList(CostsAccess, generic.ObjectListView):
    object_type_key = "scenario"
    template_name = "costs/scenario_list.html"

    @cached_property
    def _catalog(self) -> engine.Catalog:
        return selectors.effective_catalog()

    @cached_property
    def _results(self) -> dict[int, engine.Result | None]:
        return {}

    def result(self, obj: Scenario) -> engine.Result | None:
        if obj.pk not in self._results:
            try:
                self._results[obj.pk] = selectors.scenario_result(obj, self._catalog)
            except engine.ScenarioError:
                self._results[obj.pk] = None
        return self._results[obj.pk]

    def cell_tco(self, obj: Scenario) -> Any:
        result = self.result(obj)
        return f"{money(result.tco, 0)}" if result else _g("invalid")

    def cell_npv(self, obj: Scenario) -> Any:
        result = self.result(obj)
        return money(result.npv, 0) if result else ""

    def cell_roi(self, obj: Scenario) -> Any:
        result = self.result(obj)
        return percent(result.roi) if result else ""

    def cell_payback(self, obj: Scenario) -> Any:
        result = self.result(obj)
        return months(result.payback_months) if result else ""


class ScenarioDetail(CostsAccess, generic.ObjectDetailView):
    object_type_key = "scenario"
    template_name = "costs/scenario_detail.html"

    def get_context(self, obj: Model) -> dict[str, Any]:
        context = super().get_context(obj)
        context["history"] = summarise_line_changes(context["history"])
        scenario: Scenario = obj  # type: ignore[assignment]
        try:
            delta = Decimal(self.request.GET.get("sensitivity", "0.2"))
            if not Decimal(0) < delta < 1:
                raise ValueError
        except (ArithmeticError, ValueError):
            delta = engine.DEFAULT_SENSITIVITY
        try:
            result = selectors.scenario_result(scenario, sensitivity=delta)
        except engine.ScenarioError as exc:
            context.update(result=None, problems=exc.messages())
            return context
        labels = dict(Category.choices)
        context.update(
            result=result,
            problems=[],
            periods=charts.period_labels(result),
            category_rows=[
                (labels[key], amounts, sum(amounts, Decimal(0)))
                for key, amounts in result.costs_by_category.items()
                if any(amounts)
            ],
            cost_lines=[
                (line, labels.get(line.category or "", "")) for line in result.lines if line.kind == "cost"
            ],
            benefit_lines=[line for line in result.lines if line.kind == "benefit"],
            cumulative_costs=charts.running(result.total_costs),
            cumulative_benefits=charts.running(result.total_benefits),
            sensitivity=result.sensitivity[:12],
            sensitivity_percent=f"{(delta * 100).normalize():f}",
            chart_cumulative=charts.cumulative_chart(result),
            chart_categories=charts.categories_chart(result),
            chart_tornado=charts.tornado_chart(result),
            plans=[line for line in scenario.costs if isinstance(line, dict) and line.get("plan")],
            catalog=selectors.effective_catalog(),
        )
        return context


class ScenarioEdit(CostsAccess, generic.ObjectEditView):
    object_type_key = "scenario"
    template_name = "costs/scenario_form.html"

    def render_form(self, form: Any, obj: Model | None, status: int = 200, **extra: Any) -> HttpResponse:
        if extra.get("conflict"):
            extra["conflict"] = summarise_line_changes(extra["conflict"])
        return super().render_form(form, obj, status, **extra)


class ScenarioDelete(CostsAccess, generic.ObjectDeleteView):
    object_type_key = "scenario"


class ScenarioRecordMixin(CostsAccess):
    object_type_key = "scenario"
    request: HttpRequest

    def scenario(self, pk: int) -> Scenario:
        return get_object_or_404(selectors.scenarios_for(self.request.user), pk=pk)


class ScenarioExportYaml(ScenarioRecordMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        scenario = self.scenario(pk)
        try:
            text = engine.dump_scenario(selectors.scenario_engine(scenario))
        except engine.ScenarioError as exc:
            messages.error(request, " ".join(exc.messages()))
            return HttpResponseRedirect(reverse("costs:scenario_detail", args=[pk]))
        filename = _filename(scenario.name, f"scenario-{pk}", "yaml")
        return _download(text.encode("utf-8"), filename, "application/yaml; charset=utf-8")


class ScenarioExportXlsx(ScenarioRecordMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        scenario = self.scenario(pk)
        try:
            result = selectors.scenario_result(scenario)
        except engine.ScenarioError as exc:
            messages.error(request, " ".join(exc.messages()))
            return HttpResponseRedirect(reverse("costs:scenario_detail", args=[pk]))
        return _download(xlsx_bytes([result]), _filename(scenario.name, f"scenario-{pk}", "xlsx"), XLSX)


class ScenarioDuplicate(ScenarioRecordMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        scenario = self.scenario(pk)
        try:
            copy = services.scenario_duplicate(actor=request.user, scenario=scenario)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("costs:scenario_detail", args=[pk]))
        messages.success(request, _g("Created %(name)s.") % {"name": copy})
        return HttpResponseRedirect(reverse("costs:scenario_edit", args=[copy.pk]))


class ScenarioTemplates(CostsAccess, View):
    """Start a scenario from a template: one per catalogue vendor, plus Guanxi self-hosted."""

    object_type_key = "scenario"

    def get(self, request: HttpRequest) -> HttpResponse:
        catalog = selectors.effective_catalog()
        templates: list[dict[str, Any]] = []
        for name in engine.template_names():
            try:
                scenario = engine.load_template(name, catalog)
            except engine.ScenarioError as exc:
                templates.append({"key": name, "scenario": None, "result": None, "problems": exc.messages()})
                continue
            templates.append(
                {"key": name, "scenario": scenario, "result": engine.compute(scenario), "problems": []}
            )
        templates.sort(key=lambda t: (t["key"] != "guanxi-self-hosted", t["key"]))
        return render(
            request,
            "costs/scenario_templates.html",
            {"templates": templates, "can_create": permissions.can(request.user, "create", "scenario")},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not permissions.can(request.user, "create", "scenario"):
            raise PermissionDenied
        try:
            scenario = services.scenario_create_from_template(
                actor=request.user, template=request.POST.get("template", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("costs:scenario_templates"))
        messages.success(
            request, _g("Created %(name)s from the template; adjust it to your company.") % {"name": scenario}
        )
        return HttpResponseRedirect(reverse("costs:scenario_detail", args=[scenario.pk]))


class ScenarioImport(CostsAccess, View):
    """Import a scenario from YAML (the `guanxi tco` format): every problem listed, nothing saved unless
    the whole file is valid."""

    object_type_key = "scenario"
    template_name = "costs/scenario_import.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not permissions.can(request.user, "create", "scenario"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": ScenarioImportForm(), "problems": []})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ScenarioImportForm(request.POST, request.FILES)
        problems: list[str] = []
        if form.is_valid():
            try:
                scenario = services.scenario_import_yaml(actor=request.user, content=form.content())
            except ValidationError as exc:
                problems = exc.messages
            else:
                messages.success(request, _g("Imported %(name)s.") % {"name": scenario})
                return HttpResponseRedirect(reverse("costs:scenario_detail", args=[scenario.pk]))
        return render(request, self.template_name, {"form": form, "problems": problems}, status=400)


class ScenarioCompare(CostsAccess, View):
    """Several scenarios side by side: key figures, cost by category, cumulative net; export to XLSX."""

    object_type_key = "scenario"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CompareForm(request.GET or None, user=request.user)
        chosen: list[Scenario] = []
        if form.is_bound and form.is_valid():
            chosen = list(form.cleaned_data["scenarios"])
        computed = selectors.scenario_results(chosen)
        results = [r for _s, r, _p in computed if r is not None]
        invalid = [(s, p) for s, r, p in computed if r is None]
        if request.GET.get("format") == "xlsx" and results:
            return _download(xlsx_bytes(results), "scenario-comparison.xlsx", XLSX)
        labels = dict(Category.choices)
        currencies = {r.currency for r in results}
        context: dict[str, Any] = {
            "form": form,
            "results": results,
            "invalid": invalid,
            "pairs": [(s, r) for s, r, _p in computed if r is not None],
            "mixed_currencies": len(currencies) > 1,
            "category_rows": [
                (labels[key], [sum(r.costs_by_category[key], Decimal(0)) for r in results])
                for key in engine.CATEGORIES
                if any(any(r.costs_by_category[key]) for r in results)
            ],
            "xlsx_url": f"{request.path}?{request.GET.urlencode()}&format=xlsx" if results else "",
        }
        if results:
            context["chart_cumulative"] = charts.compare_cumulative_chart(results)
            context["chart_categories"] = charts.compare_categories_chart(results)
        return render(request, "costs/scenario_compare.html", context)


# --- the ledger ---------------------------------------------------------------------------------


class ExpenseList(CostsAccess, generic.ObjectListView):
    object_type_key = "expense"

    def cell_amount(self, obj: Expense) -> Any:
        return f"{money(obj.amount)} {obj.currency}"

    def cell_amount_reporting(self, obj: Expense) -> Any:
        return money(obj.amount_reporting)

    def cell_attachment(self, obj: Expense) -> Any:
        if not obj.attachment:
            return ""
        return format_html(
            '<a href="{}" title="{}">📎</a>',
            reverse("costs:expense_attachment", args=[obj.pk]),
            os.path.basename(obj.attachment.name or ""),
        )


class ExpenseDetail(CostsAccess, generic.ObjectDetailView):
    object_type_key = "expense"
    detail_fields = [
        "date",
        "category",
        "vendor",
        "description",
        "amount",
        "exchange_rate",
        "amount_reporting",
        "invoice_number",
        "attachment",
        "notes",
        "owner",
        "team",
    ]

    def field_amount(self, obj: Expense) -> Any:
        return f"{money(obj.amount)} {obj.currency}"

    def field_amount_reporting(self, obj: Expense) -> Any:
        return f"{money(obj.amount_reporting)} {selectors.reporting_currency()}"

    def field_attachment(self, obj: Expense) -> Any:
        if not obj.attachment:
            return ""
        return format_html(
            '<a href="{}" id="attachment-link">{}</a>',
            reverse("costs:expense_attachment", args=[obj.pk]),
            os.path.basename(obj.attachment.name or ""),
        )


class BudgetWarningMixin:
    """After an expense or time entry is saved, say so when its category is over (or running ahead of)
    its budget for the year."""

    request: HttpRequest

    def warn_about_budget(self, response: HttpResponse) -> HttpResponse:
        if response.status_code != 302:
            return response
        record = getattr(self, "saved_record", None)
        if record is None or not permissions.can(self.request.user, "view", "budget"):
            return response
        line = selectors.budget_line_for(self.request.user, record.category, record.date)
        if line.status == "over":
            messages.warning(
                self.request,
                _g("%(category)s is over its %(year)s budget: %(actual)s spent of %(budget)s.")
                % {
                    "category": line.label,
                    "year": record.date.year,
                    "actual": money(line.actual, 0),
                    "budget": money(line.budget, 0),
                },
            )
        elif line.status == "ahead":
            messages.warning(
                self.request,
                _g(
                    "%(category)s is spending faster than its %(year)s budget allows: "
                    "%(actual)s spent, %(to_date)s budgeted so far."
                )
                % {
                    "category": line.label,
                    "year": record.date.year,
                    "actual": money(line.actual, 0),
                    "to_date": money(line.budget_to_date, 0),
                },
            )
        return response


class LedgerEdit(BudgetWarningMixin, CostsAccess, generic.ObjectEditView):
    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        response = super().post(request, pk)
        if response.status_code == 302:
            model = self.object_type.model
            target = response["Location"].rstrip("/").rsplit("/", 1)[-1]
            self.saved_record = model.objects.visible_to(request.user).filter(pk=target).first()  # type: ignore[attr-defined]
        return self.warn_about_budget(response)


class ExpenseEdit(LedgerEdit):
    object_type_key = "expense"
    template_name = "costs/record_form.html"


class ExpenseDelete(CostsAccess, generic.ObjectDeleteView):
    object_type_key = "expense"


class ExpenseAttachment(CostsAccess, View):
    """The expense's attachment, only to someone who may see the expense; never served from storage."""

    object_type_key = "expense"

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        expense = get_object_or_404(selectors.expenses_for(request.user), pk=pk)
        if not expense.attachment:
            raise Http404
        try:
            path = expense.attachment.path
        except NotImplementedError:
            handle = expense.attachment.open("rb")
            return FileResponse(
                handle, as_attachment=True, filename=os.path.basename(expense.attachment.name or "")
            )
        if not os.path.exists(path):
            raise Http404
        return _attachment_response(
            path, os.path.basename(expense.attachment.name or ""), "application/octet-stream"
        )


class TimeEntryList(CostsAccess, generic.ObjectListView):
    object_type_key = "time_entry"

    def cell_cost(self, obj: Any) -> Any:
        return money(obj.cost)

    def cell_hourly_cost(self, obj: Any) -> Any:
        return money(obj.hourly_cost)


class TimeEntryDetail(CostsAccess, generic.ObjectDetailView):
    object_type_key = "time_entry"
    detail_fields = [
        "person_name",
        "role",
        "date",
        "hours",
        "hourly_cost",
        "cost",
        "purpose",
        "category",
        "description",
        "owner",
    ]


class TimeEntryEdit(LedgerEdit):
    object_type_key = "time_entry"


class TimeEntryDelete(CostsAccess, generic.ObjectDeleteView):
    object_type_key = "time_entry"


class TimeSavingList(CostsAccess, generic.ObjectListView):
    object_type_key = "time_saving"

    def cell_value(self, obj: Any) -> Any:
        return money(obj.value)


class TimeSavingDetail(CostsAccess, generic.ObjectDetailView):
    object_type_key = "time_saving"
    detail_fields = ["person_name", "date", "description", "hours", "hourly_cost", "value", "owner"]


class TimeSavingEdit(CostsAccess, generic.ObjectEditView):
    object_type_key = "time_saving"


class TimeSavingDelete(CostsAccess, generic.ObjectDeleteView):
    object_type_key = "time_saving"


# --- budgets ------------------------------------------------------------------------------------


class BudgetList(CostsAccess, generic.ObjectListView):
    object_type_key = "budget"

    def cell_amount(self, obj: Any) -> Any:
        return money(obj.amount)


class BudgetDetail(CostsAccess, generic.ObjectDetailView):
    object_type_key = "budget"
    detail_fields = ["year", "category", "amount", "notes", "owner", "team"]


class BudgetEdit(CostsAccess, generic.ObjectEditView):
    object_type_key = "budget"

    def get_form(self, data: Any = None, instance: Model | None = None) -> Any:
        form = super().get_form(data, instance)
        if instance is None and data is None:
            for name in ("year", "category"):
                value = self.request.GET.get(name)
                if value:
                    form.initial[name] = value
        return form


class BudgetDelete(CostsAccess, generic.ObjectDeleteView):
    object_type_key = "budget"


class BudgetReportView(CostsAccess, View):
    """Budget against actual by category and month, with a warning for each category running over."""

    object_type_key = "budget"

    def get(self, request: HttpRequest) -> HttpResponse:
        require_view(request.user, "expense", "time_entry")
        today = selectors.today()
        try:
            year = int(request.GET.get("year", today.year))
        except ValueError:
            year = today.year
        year = min(max(year, 2000), 2100)
        report = selectors.budget_report(request.user, year, today)
        return render(
            request,
            "costs/budget_report.html",
            {
                "report": report,
                "chart_budget": charts.budget_chart(report),
                "can_create": permissions.can(request.user, "create", "budget"),
                "month_labels": [date_format(m, "M") for m in report.months],
            },
        )


def home_widget(request: HttpRequest) -> list[dict[str, Any]]:
    """The home page's costs card: this year's spending against budget, and the categories running over."""
    user = request.user
    if not all(permissions.can(user, "view", key) for key in ("budget", "expense", "time_entry")):
        return []
    today = selectors.today()
    report = selectors.budget_report(user, today.year, today)
    return [
        {
            "template": "costs/home_widget.html",
            "report": report,
            "over": [line for line in report.warnings if line.status in ("over", "unbudgeted")],
        }
    ]


# --- payback ------------------------------------------------------------------------------------


class PaybackView(CostsAccess, View):
    """Is our CRM paying back? Actual costs and measured benefits to date against a scenario's plan."""

    object_type_key = "expense"

    def get(self, request: HttpRequest) -> HttpResponse:
        require_view(request.user, "time_entry", "time_saving", "scenario")
        settings = selectors.payback_settings()
        scenarios = list(selectors.scenarios_for(request.user).order_by("name"))
        plan = None
        chosen = request.GET.get("plan")
        if chosen and chosen.isdigit():
            plan = next((s for s in scenarios if s.pk == int(chosen)), None)
        elif settings.plan_id is not None:
            plan = next((s for s in scenarios if s.pk == settings.plan_id), None)
        report = selectors.payback_report(request.user, plan=plan, settings=settings)
        context = {
            "report": report,
            "settings": settings,
            "scenarios": scenarios,
            "plan": plan,
            "chart_payback": charts.payback_chart(report) if report.months else None,
            "comparisons": report.measurement.comparisons() if report.measurement else [],
            "can_edit_settings": permissions.can(request.user, "edit", "payback_settings")
            and permissions.can(request.user, "create", "payback_settings"),
            "categories": [
                (label, report.costs_by_category.get(key, Decimal(0))) for key, label in Category.choices
            ],
            "attribution_percent": percent(settings.attribution, 0),
            "today": selectors.today(),
        }
        return render(request, "costs/payback.html", context)


class PaybackSettingsView(LoginRequiredMixin, View):
    """Go-live date, baseline window, the share attributed to the CRM and the plan; audited."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not (
            permissions.can(request.user, "edit", "payback_settings")
            and permissions.can(request.user, "create", "payback_settings")
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        settings = selectors.payback_settings()
        form = PaybackSettingsForm(instance=settings, user=request.user)
        return self.show(form, settings)

    def post(self, request: HttpRequest) -> HttpResponse:
        settings = selectors.payback_settings()
        form = PaybackSettingsForm(request.POST, instance=settings, user=request.user)
        if form.is_valid():
            changes = form.model_changes()
            try:
                services.payback_settings_save(
                    actor=request.user, expected_version=form.cleaned_data.get("version"), **changes
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except StaleVersionError:
                messages.error(request, _g("Someone changed these settings meanwhile; look at them again."))
                return HttpResponseRedirect(reverse("costs:payback_settings"))
            else:
                messages.success(request, _g("Payback settings saved."))
                return HttpResponseRedirect(reverse("costs:payback"))
        return self.show(form, settings, status=400)

    def show(self, form: Any, settings: Any, status: int = 200) -> HttpResponse:
        from guanxi.core.audit import history
        from guanxi.core.registry import registry

        changes = list(history("payback_settings", settings.pk)[:20]) if settings.pk else []
        ot = registry.get("payback_settings")
        return render(
            self.request,
            "costs/payback_settings.html",
            {"form": form, "history": generic.describe_changes(changes, ot, self.request.user)},
            status=status,
        )


# --- the price catalogue ------------------------------------------------------------------------


class CatalogView(CostsAccess, View):
    """The price catalogue as scenarios use it: packaged prices, prices edited here and plans added here,
    each with the date it was read and its source."""

    object_type_key = "price_plan"

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = selectors.catalog_rows()
        vendors: dict[str, dict[str, Any]] = {}
        catalog = selectors.effective_catalog()
        for row in rows:
            vendor_id = row.plan.id.split("/", 1)[0]
            vendors.setdefault(
                vendor_id,
                {"id": vendor_id, "name": catalog.vendor_names.get(vendor_id, vendor_id), "rows": []},
            )["rows"].append(row)
        return render(
            request,
            "costs/catalog.html",
            {
                "vendors": list(vendors.values()),
                "as_of": engine.default_catalog().as_of,
                "can_create": permissions.can(request.user, "create", "price_plan"),
                "can_edit": permissions.can(request.user, "edit", "price_plan"),
                "can_delete": permissions.can(request.user, "delete", "price_plan"),
            },
        )


class PricePlanDetail(CostsAccess, generic.ObjectDetailView):
    object_type_key = "price_plan"
    detail_fields = [
        "vendor",
        "vendor_name",
        "plan",
        "edition",
        "price",
        "price_period",
        "currency",
        "billing",
        "source",
        "read_on",
        "via",
        "note",
    ]

    def field_source(self, obj: PricePlan) -> Any:
        return (
            format_html('<a href="{0}" rel="noopener noreferrer" target="_blank">{0}</a>', obj.source)
            if obj.source
            else ""
        )

    def field_via(self, obj: PricePlan) -> Any:
        return (
            format_html('<a href="{0}" rel="noopener noreferrer" target="_blank">{0}</a>', obj.via)
            if obj.via
            else ""
        )


class PricePlanEdit(CostsAccess, generic.ObjectEditView):
    """Add a plan, or (with ?plan=vendor/edition) override a packaged price, the form seeded from
    catalog.yaml."""

    object_type_key = "price_plan"

    def get_form(self, data: Any = None, instance: Model | None = None) -> Any:
        form = super().get_form(data, instance)
        plan_id = self.request.GET.get("plan", "")
        if instance is None and data is None and plan_id:
            catalog = selectors.effective_catalog()
            plan = catalog.get(plan_id)
            if plan is not None:
                vendor_id = plan_id.split("/", 1)[0]
                form.initial.update(
                    price_plan_initial(plan, catalog.vendor_names.get(vendor_id, plan.vendor))
                )
        return form

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        plan_id = request.GET.get("plan", "")
        if pk is None and plan_id:
            vendor, _sep, key = plan_id.partition("/")
            existing = PricePlan.objects.filter(vendor=vendor, plan=key).first()
            if existing is not None:
                return HttpResponseRedirect(reverse("costs:price_plan_edit", args=[existing.pk]))
        return super().get(request, pk)


class PricePlanDelete(CostsAccess, generic.ObjectDeleteView):
    object_type_key = "price_plan"
