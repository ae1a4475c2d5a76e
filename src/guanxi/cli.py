"""The `guanxi` command: Django's management commands plus Guanxi's own (serve, worker, setup, demo, token,
import, export, tco …). `guanxi tco` runs without Django or a database."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "tco":
        from guanxi.costs.engine.cli import main as tco

        return tco(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["guanxi", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
