from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Webhook housekeeping: `webhooks retry` queues every delivery whose attempt is due (run it from cron "
        "every few minutes as a safety net: after a worker crash, or with a task backend that cannot delay "
        "tasks); `webhooks list` shows the subscriptions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("retry", help="queue the deliveries that are due")
        sub.add_parser("list", help="list the webhooks and their state")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retry":
            from guanxi.integrations.delivery import retry_due

            self.stdout.write(f"{retry_due()} deliveries queued")
            return
        from guanxi.integrations.models import Webhook

        for webhook in Webhook.objects.all():
            state = "off" if not webhook.is_active else "paused" if webhook.is_paused else "active"
            self.stdout.write(f"{webhook.pk}\t{state}\t{webhook.url}\t{','.join(webhook.events)}")
