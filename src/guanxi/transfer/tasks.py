"""Background tasks of imports, exports and duplicate scans (Django's Tasks API: the database queue in
production, the immediate backend in tests)."""

from __future__ import annotations

from django.tasks import task


@task
def run_import(job_id: int, resume: bool = False) -> str:
    from .engine import ImportRunner
    from .models import ImportJob

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status == ImportJob.Status.CANCELLED:
        return job.status
    ImportRunner(job, resume=resume).run()
    return job.status


@task
def revert_import(job_id: int, user_id: int | None) -> str:
    from django.contrib.auth import get_user_model

    from .models import ImportJob
    from .undo import revert_import as revert

    job = ImportJob.objects.get(pk=job_id)
    user = get_user_model().objects.get(pk=user_id) if user_id else None
    revert(actor=user, job=job)
    return job.status


@task
def scan_duplicates(object_types: list[str]) -> dict[str, int]:
    from .duplicates import scan

    return {key: scan(key) for key in object_types}


@task
def run_export(export_id: int) -> str:
    from .export import run_export_job

    return run_export_job(export_id)
