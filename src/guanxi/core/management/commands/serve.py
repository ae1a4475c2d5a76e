import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Guanxi with gunicorn (and, with --with-worker, a background-task worker beside it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GUANXI_WORKERS", "0")) or None)
        parser.add_argument("--with-worker", action="store_true", help="also run `guanxi worker`")

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.wsgiapp import WSGIApplication

        workers = options["workers"] or max(2, (os.cpu_count() or 1) * 2)
        host = options["host"]
        bind = f"[{host}]:{options['port']}" if ":" in host else f"{host}:{options['port']}"
        worker_process = None
        if options["with_worker"]:
            worker_process = subprocess.Popen([sys.executable, "-m", "guanxi.cli", "worker"])
        self.stdout.write(
            f"Guanxi on http://{bind}/ ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
            f"{workers} workers)"
        )
        sys.argv = [
            "gunicorn",
            "guanxi.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            "--timeout",
            "120",
            "--forwarded-allow-ips",
            os.environ.get("GUANXI_TRUSTED_PROXIES", "127.0.0.1"),
        ]
        try:
            WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
        finally:
            if worker_process is not None:
                worker_process.send_signal(signal.SIGTERM)
                worker_process.wait(timeout=15)
