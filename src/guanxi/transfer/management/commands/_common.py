from __future__ import annotations

import time
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def acting_user(username: str | None) -> Any:
    """The user a command acts as: `--as USERNAME`, or the first active administrator."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user
    from django.db.models import Q

    user = users.filter(Q(is_superuser=True) | Q(role__is_admin=True)).order_by("-is_superuser", "pk").first()
    if user is None:
        raise CommandError("no administrator to act as: pass --as USERNAME")
    return user


class ProgressBar:
    """A one-line progress bar on a terminal: rows done, rate and time left."""

    def __init__(self, out: IO[str], total: int | None, width: int = 30) -> None:
        self.out = out
        self.total = total
        self.width = width
        self.started = time.monotonic()
        self.last = 0.0
        self.tty = hasattr(out, "isatty") and out.isatty()

    def update(self, job: Any) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and self.tty:
            return
        self.last = now
        total = job.total_rows or self.total
        done = job.rows_done
        elapsed = max(now - self.started, 0.001)
        processed = done - (job.rows_at_resume or 0)
        rate = processed / elapsed if processed > 0 else 0
        if total:
            fraction = min(done / total, 1.0)
            filled = int(fraction * self.width)
            bar = "█" * filled + "·" * (self.width - filled)
            left = (total - done) / rate if rate else 0
            line = (
                f"[{bar}] {fraction:4.0%} {done:,}/{total:,} rows · {rate:,.0f} rows/s · {left:,.0f} s left"
            )
        else:
            line = f"{done:,} rows · {rate:,.0f} rows/s"
        if self.tty:
            self.out.write("\r" + line + " " * 4)
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def close(self, job: Any = None) -> None:
        if job is not None and self.tty:
            self.last = 0.0
            self.total = job.rows_done  # the estimate may have counted lines, not rows
            job.total_rows = job.rows_done
            self.update(job)
        if self.tty:
            self.out.write("\n")
            self.out.flush()
