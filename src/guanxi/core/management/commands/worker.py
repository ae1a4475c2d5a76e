from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run a background-task worker (database queue by default, Redis with GUANXI_TASKS=redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", default="default")
        parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if backend.startswith("django_tasks_db"):
            extra = ["--batch"] if options["burst"] else []
            call_command("db_worker", "--queue-name", options["queue"], *extra)
            return
        from guanxi.core.tasks_redis import run_worker

        run_worker(queue=options["queue"], burst=options["burst"])
