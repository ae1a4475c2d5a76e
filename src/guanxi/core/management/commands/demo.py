import importlib.util
import random
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.module_loading import import_string

from guanxi.core.demodata import DemoContext


class Command(BaseCommand):
    help = (
        "Load the demo company: two sales teams and their people, about 60 companies and 400 contacts with "
        "Chinese and English names, and what every installed app adds to them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=8)
        parser.add_argument("--force", action="store_true", help="load again even if demo data exists")

    def handle(self, *args: Any, **options: Any) -> None:
        from guanxi.users.demo import TEAMS
        from guanxi.users.models import Team

        if Team.objects.filter(name__in=TEAMS).exists() and not options["force"]:
            self.stdout.write("The demo data is already loaded (use --force to load it again).")
            return
        admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        if admin is None:
            raise CommandError("create an administrator first (guanxi setup)")
        context = DemoContext(rng=random.Random(options["seed"]), admin=admin)
        loaders = []
        for config in apps.get_app_configs():
            if not config.name.startswith("guanxi."):
                continue
            if importlib.util.find_spec(f"{config.name}.demo") is not None:
                loaders.append((config.label, import_string(f"{config.name}.demo.load")))
        with transaction.atomic():
            for label, loader in loaders:
                summary = loader(context)
                if summary:
                    self.stdout.write(f"  {label}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
