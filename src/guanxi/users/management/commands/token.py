from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanxi.users.models import User
from guanxi.users.services import token_create


class Command(BaseCommand):
    help = (
        "Create an API token: token create USERNAME [--read-only] [--scope customers:read …] "
        "[--expires-days N]; prints the key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print its key")
        create.add_argument("username")
        create.add_argument("--read-only", action="store_true")
        create.add_argument(
            "--scope",
            action="append",
            default=[],
            dest="scopes",
            metavar="GROUP:LEVEL",
            help="limit the token, e.g. customers:read or sales:write (repeat for several)",
        )
        create.add_argument("--expires-days", type=int)
        create.add_argument("--name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {options['username']!r}")
        if options["expires_days"] is not None and options["expires_days"] <= 0:
            raise CommandError("--expires-days must be a positive number")
        scopes = [s for value in options["scopes"] for s in value.split(",") if s.strip()]
        try:
            _token, key = token_create(
                actor=None,
                user=user,
                name=options["name"] or "command line",
                read_only=options["read_only"],
                expires_days=options["expires_days"],
                scopes=scopes,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(key)
