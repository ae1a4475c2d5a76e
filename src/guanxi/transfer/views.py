"""Pages of Data → Imports and Data → Duplicates, and list exports."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.views import View

from guanxi.core import permissions
from guanxi.core.registry import registry

from . import duplicates, export, services
from .engine import is_stalled, rate_and_eta
from .forms import MappingForm, MergeForm, UploadForm
from .models import RECORD_TYPE, DuplicatePair, ExportJob, ImportIssue, ImportJob, MergeRecord
from .readers import ReadError
from .resolve import Users
from .undo import can_revert

ISSUES_SHOWN = 200


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = services.visible_imports(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _can_import_anything(user: Any) -> bool:
    return any(permissions.can(user, "create", key) for key in RECORD_TYPE.values())


class ImportListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not _can_import_anything(request.user):
            raise PermissionDenied
        page = Paginator(services.visible_imports(request.user), 50).get_page(request.GET.get("page"))
        return render(request, "transfer/import_list.html", {"page": page, "jobs": page.object_list})


class ImportNewView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not _can_import_anything(request.user):
            raise PermissionDenied
        initial = {"object_type": request.GET.get("object", "")}
        return render(
            request, "transfer/import_new.html", {"form": UploadForm(user=request.user, initial=initial)}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _can_import_anything(request.user):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.import_create(
                    actor=request.user,
                    source=upload,
                    file_name=upload.name,
                    object_type=form.cleaned_data["object_type"] or None,
                    preset=form.cleaned_data["preset"] or None,
                )
            except (ReadError, services.mapping_mod.MappingError) as exc:
                form.add_error("file", _g("The file cannot be imported: %(reason)s") % {"reason": exc})
            except PermissionDenied as exc:
                form.add_error("object_type", str(exc) or _g("You may not import these records."))
            else:
                return HttpResponseRedirect(reverse("transfer:import_detail", args=[job.pk]))
        return render(request, "transfer/import_new.html", {"form": form}, status=400)


class ImportDetailView(LoginRequiredMixin, View):
    """The import's page: mapping and preview before it runs, progress while it runs, report after."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = _job(request, pk)
        return render(request, "transfer/import_detail.html", self.context(request, job))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = _job(request, pk)
        if not services.can_manage(request.user, job):
            raise PermissionDenied
        context = self.context(request, job, data=request.POST)
        form = context["form"]
        if form is None:
            return HttpResponseRedirect(request.path)
        if not form.is_valid():
            return render(request, "transfer/import_detail.html", context, status=400)
        try:
            services.import_configure(
                actor=request.user,
                job=job,
                mapping=form.cleaned_data["mapping"],
                user_map=form.cleaned_data["user_map"],
                on_duplicate=form.cleaned_data["on_duplicate"],
                system=form.cleaned_data["system"],
            )
            action = request.POST.get("action", "save")
            if action in ("dry_run", "import"):
                services.import_start(actor=request.user, job=job, dry_run=action == "dry_run")
        except (ValidationError, services.mapping_mod.MappingError) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            return render(
                request, "transfer/import_detail.html", self.context(request, job, form=form), status=400
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _g("You may not do that."))
        return HttpResponseRedirect(request.path)

    def context(
        self, request: HttpRequest, job: ImportJob, data: Any = None, form: Any = None
    ) -> dict[str, Any]:
        editable = job.status in (ImportJob.Status.DRAFT, ImportJob.Status.CHECKED) or (
            job.status == ImportJob.Status.CHECKING and is_stalled(job)
        )
        context: dict[str, Any] = {
            "job": job,
            "preset_label": _preset_label(job.preset),
            "can_manage": services.can_manage(request.user, job),
            "editable": editable,
            "form": None,
            "stalled": is_stalled(job),
            "can_revert": can_revert(request.user, job),
        }
        context.update(progress_context(job))
        if editable:
            try:
                rows = services.preview(job)
            except ReadError as exc:
                rows = []
                context["read_error"] = str(exc)
            owners = services.owner_values(job) if "owner" in (job.mapping or {}).values() else []
            directory = Users(job.user_map)
            users = list(
                permissions.assignable_users(request.user, job.record_type, "create").order_by("username")
            )
            proposed = {value: directory.find(value) for value in owners}
            if form is None:
                form = MappingForm(data, job=job, owners=owners, users=users, proposed_users=proposed)
            context.update(
                form=form,
                preview=rows,
                columns=list(zip(job.headers, form.column_fields(), strict=True)),
                owners=list(zip(owners, form.owner_bound_fields(), strict=True)),
                unmatched_owners=[
                    v for v in owners if proposed.get(v) is None and v not in (job.user_map or {})
                ],
                missing=services.mapping_mod.missing_required(job.mapping or {}, job.object_type),
                check=job.check_report if job.status == ImportJob.Status.CHECKED else None,
            )
        if job.status not in (ImportJob.Status.DRAFT,):
            issues = job.issues.order_by("row", "id")
            context["errors"] = list(issues.filter(level=ImportIssue.ERROR)[:ISSUES_SHOWN])
            context["warnings"] = list(issues.filter(level=ImportIssue.WARNING)[:ISSUES_SHOWN])
        return context


def _preset_label(name: str) -> str:
    if not name:
        return ""
    try:
        return str(services.mapping_mod.load_preset(name)["label"])
    except services.mapping_mod.MappingError:
        return name


def progress_context(job: ImportJob) -> dict[str, Any]:
    rate, left = rate_and_eta(job)
    return {"rate": rate, "left": left, "running": job.is_active}


class ImportProgressView(LoginRequiredMixin, View):
    """The progress bar (htmx polls it); when the run ends, the page reloads to show the report."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = _job(request, pk)
        response = render(
            request,
            "transfer/_progress.html",
            {"job": job, **progress_context(job), "stalled": is_stalled(job)},
        )
        if not job.is_active and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response


class ImportActionView(LoginRequiredMixin, View):
    """POST actions on an import: cancel, resume, undo, delete (undo asks first)."""

    def get(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        job = _job(request, pk)
        if action != "undo" or not can_revert(request.user, job):
            raise Http404
        return render(request, "transfer/import_undo.html", {"job": job})

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        job = _job(request, pk)
        try:
            if action == "cancel":
                services.import_cancel(actor=request.user, job=job)
                messages.info(request, _g("The import stops after the batch it is writing."))
            elif action == "resume":
                services.import_resume(actor=request.user, job=job)
                messages.info(
                    request, _g("The import continues from row %(row)s.") % {"row": job.rows_done + 1}
                )
            elif action == "undo":
                if not can_revert(request.user, job):
                    raise PermissionDenied
                from .tasks import revert_import

                job.status = ImportJob.Status.REVERTING
                job.save(update_fields=["status", "updated_at"])
                revert_import.enqueue(job.pk, request.user.pk)
                messages.info(
                    request,
                    _g("Undoing the import: what it created is deleted, what it updated is restored."),
                )
            elif action == "delete":
                services.import_delete(actor=request.user, job=job)
                messages.success(request, _g("Deleted the import."))
                return HttpResponseRedirect(reverse("transfer:import_list"))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("transfer:import_detail", args=[job.pk]))


class RejectedRowsView(LoginRequiredMixin, View):
    """The rejected rows as CSV with a reason column, to fix and import again."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = _job(request, pk)
        out = io.StringIO()
        out.write("\ufeff")
        services.rejected_rows(job, out)
        name = job.file_name.rsplit(".", 1)[0]
        response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_ascii(name)}-rejected.csv"'
        return response


def _ascii(name: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name) or "import"


# --- exports ---------------------------------------------------------------------------------------------

CONTROL = {"format", "cursor", "view", "columns", "col", "sort", "size"}


class ExportView(LoginRequiredMixin, View):
    """A list's records (its filters, what the user may see) as CSV, XLSX or JSON; CSV and JSON stream,
    a large spreadsheet is made in the background."""

    def get(self, request: HttpRequest, object_type: str) -> HttpResponse:
        ot = registry.find(object_type)
        if ot is None or not permissions.can(request.user, "view", ot):
            raise Http404
        fmt = request.GET.get("format", "csv")
        if fmt not in export.FORMATS:
            return HttpResponseBadRequest("format must be csv, xlsx or json")
        params = QueryDict(mutable=True)
        for key, values in request.GET.lists():
            if key not in CONTROL:
                params.setlist(key, [v for v in values if v != ""])
        try:
            queryset = export.filtered_queryset(request.user, ot, params)
        except ValueError as exc:
            return HttpResponseBadRequest(str(exc))
        name = f"{export.PLURAL.get(ot.key, ot.key)}-{timezone.localdate().isoformat()}.{fmt}"
        if fmt == "xlsx":
            count = queryset.count()
            if count > export.XLSX_BACKGROUND_ROWS:
                job = ExportJob.objects.create(  # type: ignore[misc]
                    created_by=request.user,
                    object_type=ot.key,
                    format=fmt,
                    query=params.urlencode(),
                    total_rows=count,
                )
                from .tasks import run_export

                run_export.enqueue(job.pk)
                return HttpResponseRedirect(reverse("transfer:export_job", args=[job.pk]))
            out = io.BytesIO()
            exporter = export.Exporter(ot)
            export.write_xlsx(out, exporter.headers, exporter.rows(queryset), sheet=str(ot.label_plural))
            response = HttpResponse(out.getvalue(), content_type=export.CONTENT_TYPES[fmt])
        else:
            exporter = export.Exporter(ot)
            rows = exporter.rows(queryset)
            chunks = (
                export.csv_chunks(exporter.headers, rows)
                if fmt == "csv"
                else export.json_chunks(exporter.headers, rows)
            )
            response = StreamingHttpResponse(chunks, content_type=export.CONTENT_TYPES[fmt])  # type: ignore[assignment]
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ExportJobView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user: Any = request.user
        job = get_object_or_404(ExportJob, pk=pk, created_by=user)
        if request.GET.get("download"):
            if job.status != ExportJob.Status.FINISHED or not job.path.is_file():
                raise Http404
            stream = open(job.path, "rb")  # noqa: SIM115 - FileResponse closes it
            return FileResponse(stream, as_attachment=True, filename=job.path.name)  # type: ignore[return-value]
        template = (
            "transfer/_export_progress.html"
            if request.headers.get("HX-Request")
            else "transfer/export_job.html"
        )
        return render(request, template, {"job": job})


# --- duplicates ------------------------------------------------------------------------------------------


def _dedupe_allowed(user: Any, key: str) -> bool:
    return permissions.can(user, "edit", key)


class DuplicateListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        key = request.GET.get("type", "contact")
        if key not in duplicates.SCAN_TYPES:
            raise Http404
        if not _dedupe_allowed(request.user, key):
            raise PermissionDenied
        pairs = duplicates.open_pairs(request.user, key)
        page = Paginator(pairs, 50).get_page(request.GET.get("page"))
        model = registry.get(key).model
        ids = {p.first_id for p in page.object_list} | {p.second_id for p in page.object_list}
        records = {o.pk: o for o in model.objects.visible_to(request.user).filter(pk__in=ids)}  # type: ignore[attr-defined]
        rows = [(p, records.get(p.first_id), records.get(p.second_id)) for p in page.object_list]
        merges = (
            MergeRecord.objects.filter(object_type=key, undone_at=None, actor_id=request.user.pk)[:10]
            if not permissions.is_admin(request.user)
            else MergeRecord.objects.filter(object_type=key, undone_at=None)[:10]
        )
        return render(
            request,
            "transfer/duplicate_list.html",
            {
                "key": key,
                "types": [(k, registry.get(k).label_plural) for k in duplicates.SCAN_TYPES],
                "page": page,
                "rows": rows,
                "merges": merges,
                "can_scan": permissions.is_admin(request.user),
                "detail_url": registry.get(key).url_name("detail"),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not permissions.is_admin(request.user):
            raise PermissionDenied
        from .tasks import scan_duplicates

        key = request.POST.get("type", "contact")
        scan_duplicates.enqueue([key] if key in duplicates.SCAN_TYPES else list(duplicates.SCAN_TYPES))
        messages.info(request, _g("Looking for duplicates; the list fills in when the scan is done."))
        return HttpResponseRedirect(f"{reverse('transfer:duplicate_list')}?type={key}")


class DuplicateMergeView(LoginRequiredMixin, View):
    def load(self, request: HttpRequest, pk: int) -> tuple[DuplicatePair, Any, Any]:
        pair = get_object_or_404(DuplicatePair, pk=pk, status=DuplicatePair.Status.OPEN)
        if not _dedupe_allowed(request.user, pair.object_type):
            raise PermissionDenied
        try:
            first, second = duplicates._require_pair(request.user, pair)
        except PermissionDenied:
            raise Http404 from None
        return pair, first, second

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        pair, first, second = self.load(request, pk)
        fields = duplicates.comparison(pair.object_type, first, second)
        form = MergeForm(first=first, second=second, fields=fields)
        return render(request, "transfer/duplicate_merge.html", self.context(pair, first, second, form))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pair, first, second = self.load(request, pk)
        if request.POST.get("action") == "dismiss":
            duplicates.dismiss(actor=request.user, pair=pair)
            messages.success(request, _g("Marked as not duplicates."))
            return HttpResponseRedirect(f"{reverse('transfer:duplicate_list')}?type={pair.object_type}")
        fields = duplicates.comparison(pair.object_type, first, second)
        form = MergeForm(request.POST, first=first, second=second, fields=fields)
        if not form.is_valid():
            return render(
                request, "transfer/duplicate_merge.html", self.context(pair, first, second, form), status=400
            )
        keep_first = form.cleaned_data["survivor"] == "first"
        survivor, other = (first, second) if keep_first else (second, first)
        other_side = "second" if keep_first else "first"
        take = [row["name"] for row in fields if row["differs"] and form.choice(row["name"]) == other_side]
        first_version, second_version = form.versions()
        try:
            record = duplicates.merge(
                actor=request.user,
                key=pair.object_type,
                survivor=survivor,
                other=other,
                take=take,
                pair=pair,
                versions={first.pk: first_version, second.pk: second_version},
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "stale":
                # 409, with the records as they are now: the person chooses again.
                fresh = MergeForm(first=first, second=second, fields=fields)
                context = self.context(pair, first, second, fresh)
                context["stale"] = " ".join(exc.messages)
                return render(request, "transfer/duplicate_merge.html", context, status=409)
            messages.error(request, " ".join(exc.messages) or _g("The records cannot be merged."))
            return HttpResponseRedirect(request.path)
        except PermissionDenied as exc:
            messages.error(
                request, " ".join(getattr(exc, "messages", [str(exc)])) or _g("The records cannot be merged.")
            )
            return HttpResponseRedirect(request.path)
        messages.success(
            request, _g("Merged “%(other)s” into “%(survivor)s”.") % {"other": other, "survivor": survivor}
        )
        ot = registry.get(pair.object_type)
        return HttpResponseRedirect(f"{reverse(ot.url_name('detail'), args=[record.survivor_id])}")

    def context(self, pair: DuplicatePair, first: Any, second: Any, form: MergeForm) -> dict[str, Any]:
        rows = []
        for row in form.rows:
            bound = form[f"take_{row['name']}"] if row["differs"] else None
            rows.append((row, bound))
        return {
            "pair": pair,
            "first": first,
            "second": second,
            "form": form,
            "rows": rows,
            "label": registry.get(pair.object_type).label,
            "detail_url": registry.get(pair.object_type).url_name("detail"),
        }


class MergeUndoView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = get_object_or_404(MergeRecord, pk=pk)
        try:
            restored = duplicates.unmerge(actor=request.user, record=record)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(
                request, " ".join(getattr(exc, "messages", [str(exc)])) or _g("The merge cannot be undone.")
            )
            return HttpResponseRedirect(f"{reverse('transfer:duplicate_list')}?type={record.object_type}")
        messages.success(request, _g("Undid the merge: “%(name)s” is back.") % {"name": restored})
        ot = registry.get(record.object_type)
        return HttpResponseRedirect(reverse(ot.url_name("detail"), args=[restored.pk]))
