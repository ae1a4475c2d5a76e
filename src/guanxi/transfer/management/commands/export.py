"""`guanxi export OBJECT`: the records of a list (with filters) as CSV, XLSX or JSON."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict

from guanxi.transfer import mapping as mapping_mod

from ._common import acting_user


class Command(BaseCommand):
    help = (
        "Export companies, contacts, leads, deals or activities that a user may see, filtered like their "
        "list (--filter city=上海 --filter q=zhang), as CSV (default), XLSX or JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("object", help="companies, contacts, leads, deals or activities")
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
        parser.add_argument("-o", "--output", help="the file to write (default: standard output)")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a filter of the list, as in its address; repeat for more",
        )
        parser.add_argument(
            "--as", dest="username", help="export what this user sees (default: the first administrator)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from guanxi.core.registry import registry
        from guanxi.transfer.export import export_to, filter_names, filtered_queryset
        from guanxi.transfer.models import RECORD_TYPE

        try:
            key = RECORD_TYPE[mapping_mod.object_type(options["object"])]
        except mapping_mod.MappingError as exc:
            raise CommandError(str(exc), returncode=2) from None
        user = acting_user(options.get("username"))
        params = QueryDict(mutable=True)
        for item in options["filter"]:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise CommandError(f"a filter is KEY=VALUE, not {item!r}", returncode=2)
            params.appendlist(name.strip(), value)
        known = filter_names(user, registry.get(key))
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise CommandError(
                f"unknown filter {unknown[0]!r} (filters of this list: {', '.join(known)})", returncode=2
            )
        try:
            filtered_queryset(user, registry.get(key), params)  # bad values refused before a file is made
        except ValueError as exc:
            raise CommandError(f"invalid filter: {exc}", returncode=2) from None
        fmt = options["format"]
        output = options.get("output")
        if fmt == "xlsx" and not output:
            raise CommandError("an XLSX export needs -o FILE", returncode=2)
        try:
            if output:
                with open(output, "wb") as out:
                    count = export_to(user, key, params, fmt, out)
            else:
                count = export_to(user, key, params, fmt, sys.stdout.buffer)
                sys.stdout.buffer.flush()
        except ValueError as exc:
            raise CommandError(f"invalid filter: {exc}", returncode=2) from None
        if output:
            self.stderr.write(f"Exported {count:,} records to {output}")
