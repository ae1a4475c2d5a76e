from typing import Any

from django.core.management.base import BaseCommand

from guanxi.activities.tasks import send_due_reminders


class Command(BaseCommand):
    help = "Send the task reminders that are due (for cron; the worker also sends each one at its time)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due_reminders.call()
        self.stdout.write(f"{sent} reminder(s) sent")
