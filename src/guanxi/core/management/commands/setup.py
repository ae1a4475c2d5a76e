import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Prepare this installation: migrate, and on the first run create the user `admin` (password from "
        "GUANXI_ADMIN_PASSWORD or generated and printed once) and load the demo data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        User = get_user_model()
        if User.objects.exists():
            self.stdout.write("Database ready.")
            return
        from guanxi.users.models import Role
        from guanxi.users.services import user_create

        password = os.environ.get("GUANXI_ADMIN_PASSWORD") or None
        with transaction.atomic():
            _admin, generated = user_create(
                actor=None,
                username="admin",
                password=password,
                display_name="Administrator",
                email="admin@example.com",
                is_superuser=True,
                role=Role.objects.filter(code="administrator").first(),
            )
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Created the user admin with the password {generated}  "
                    "(shown only now; change it under Preferences)"
                )
            )
        else:
            self.stdout.write("Created the user admin with the password from GUANXI_ADMIN_PASSWORD.")
        if not options["no_demo"]:
            call_command("demo")
