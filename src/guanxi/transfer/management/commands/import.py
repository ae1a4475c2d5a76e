"""`guanxi import OBJECT PATH`: import a file of companies, contacts, leads, deals or activities."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanxi.transfer import mapping as mapping_mod
from guanxi.transfer.readers import ReadError

from ._common import ProgressBar, acting_user


class Command(BaseCommand):
    help = (
        "Import a file (CSV in any encoding, XLSX, XLS, JSON) of companies, contacts, leads, deals or "
        "activities. Exit status 0 when the file was processed (whatever rows were rejected), 2 when it "
        "cannot be read or its columns cannot be mapped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("object", help="companies, contacts, leads, deals or activities")
        parser.add_argument("path", nargs="?", help="the file to import")
        parser.add_argument("--preset", help="the CRM that exported the file (detected when left out)")
        parser.add_argument("--map", dest="mapping_file", help="a YAML mapping file: columns, users, values")
        parser.add_argument("--on-duplicate", choices=["skip", "update", "create"], default="skip")
        parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
        parser.add_argument("--report", help="write a JSON report to this file")
        parser.add_argument(
            "--as", dest="username", help="import as this user (default: the first administrator)"
        )
        parser.add_argument(
            "--system", help="name under which the file's record ids are kept (default: the preset)"
        )
        parser.add_argument("--sheet", help="the worksheet of a workbook (default: the first visible one)")
        parser.add_argument("--resume", type=int, metavar="IMPORT_ID", help="continue an import that stopped")
        parser.add_argument("--workers", type=int, help="worker processes (default: 2 for large files)")
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        from guanxi.transfer.engine import ImportRunner, report
        from guanxi.transfer.models import ImportJob
        from guanxi.transfer.services import import_create

        try:
            obj = mapping_mod.object_type(options["object"])
        except mapping_mod.MappingError as exc:
            raise CommandError(str(exc), returncode=2) from None
        path = Path(options["path"]) if options.get("path") else None
        if path is not None and not path.is_file():
            raise CommandError(
                f"file not found: {path}" if not path.exists() else f"not a file: {path}", returncode=2
            )
        user = acting_user(options.get("username"))
        started = time.monotonic()
        if options.get("resume"):
            job = ImportJob.objects.filter(pk=options["resume"]).first()
            if job is None:
                raise CommandError(f"no import #{options['resume']}")
            resume = True
        else:
            if path is None:
                raise CommandError("give the file to import", returncode=2)
            try:
                job = import_create(
                    actor=user,
                    source=path,
                    file_name=path.name,
                    object_type=obj,
                    preset=options.get("preset"),
                    mapping_file=options.get("mapping_file"),
                    system=options.get("system"),
                    on_duplicate=options["on_duplicate"],
                    sheet=options.get("sheet"),
                )
            except (ReadError, mapping_mod.MappingError) as exc:
                raise CommandError(_one_line(exc), returncode=2) from None
            except (PermissionDenied, ValidationError) as exc:
                raise CommandError(_one_line(exc)) from None
            job.dry_run = options["dry_run"]
            job.save(update_fields=["dry_run"])
            resume = False
        bar = None if options["quiet"] else ProgressBar(sys.stderr, job.total_rows)
        runner_options: dict[str, Any] = {"resume": resume}
        if options.get("workers") is not None:
            runner_options["workers"] = options["workers"]
        if options.get("batch_size"):
            runner_options["batch_size"] = options["batch_size"]
        ImportRunner(job, progress=bar.update if bar else None, **runner_options).run()
        job.refresh_from_db()
        if bar is not None:
            bar.close(job if job.status == ImportJob.Status.FINISHED else None)
        if job.status == ImportJob.Status.FAILED:
            unreadable = (job.report or {}).get("failure") in ("read", "mapping")
            raise CommandError(job.error, returncode=2 if unreadable else 1)
        summary = report(job)
        elapsed = time.monotonic() - started
        verb = "Checked" if job.dry_run else "Imported"
        self.stdout.write(
            f"{verb} {job.get_object_type_display().lower()} from {job.file_name} (import #{job.pk}, "
            f"{elapsed:.1f} s): {summary['rows']:,} rows · {summary['created']:,} created · "
            f"{summary['updated']:,} updated · {summary['duplicates']:,} duplicates · "
            f"{summary['failed']:,} rejected · {summary['warning_count']:,} warnings"
        )
        if job.related_created:
            self.stdout.write(f"  and {job.related_created:,} companies the rows named were created")
        for error in summary["errors"][:10]:
            column = f" [{error['column']}]" if error["column"] else ""
            self.stdout.write(f"  row {error['row']}{column}: {error['message']}")
        if len(summary["errors"]) > 10:
            self.stdout.write(f"  … and {len(summary['errors']) - 10:,} more rejected rows (see --report)")
        for warning in summary["warnings"][:5]:
            column = f" [{warning['column']}]" if warning["column"] else ""
            self.stdout.write(f"  warning, row {warning['row']}{column}: {warning['message']}")
        if options.get("report"):
            # Exactly the keys of the documented contract: counts, and the rejected rows' errors.
            data = {
                "rows": summary["rows"],
                "created": summary["created"],
                "updated": summary["updated"],
                "duplicates": summary["duplicates"],
                "failed": summary["failed"],
                "warnings": summary["warning_count"],
                "errors": summary["errors"],
            }
            try:
                Path(options["report"]).write_text(
                    json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
                )
            except OSError as exc:
                raise CommandError(f"cannot write the report: {exc}") from None


def _one_line(exc: BaseException) -> str:
    messages = getattr(exc, "messages", None)
    text = "; ".join(str(m) for m in messages) if messages else str(exc)
    return " ".join(text.split()) or type(exc).__name__
