"""Serve exactly the front-end files Guanxi uses from node_modules (installed by npm, never committed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage

# (URL prefix under /static/, package directory, files)
VENDOR_FILES = [
    ("vendor/tabler", "@tabler/core/dist/css", ["tabler.min.css", "tabler.min.css.map"]),
    ("vendor/tabler", "@tabler/core/dist/js", ["tabler.min.js", "tabler.min.js.map"]),
    ("vendor/htmx", "htmx.org/dist", ["htmx.min.js"]),
    ("vendor/chartjs", "chart.js/dist", ["chart.umd.min.js", "chart.umd.min.js.map"]),
    ("vendor/sortablejs", "sortablejs", ["Sortable.min.js"]),
]


class VendorFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        root = Path(settings.NODE_MODULES)
        self.entries: list[tuple[str, FileSystemStorage, str]] = []
        for prefix, directory, files in VENDOR_FILES:
            storage = FileSystemStorage(location=root / directory)
            storage.prefix = prefix  # type: ignore[attr-defined]
            for name in files:
                self.entries.append((f"{prefix}/{name}", storage, name))

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        missing = [path for path, storage, name in self.entries if not storage.exists(name)]
        if missing and not settings.TESTING:
            return [
                Error(
                    f"front-end file missing: {missing[0]}",
                    hint="run `make install` (npm install)",
                    id="guanxi.E010",
                )
            ]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        matches = [
            storage.path(name) for url, storage, name in self.entries if url == path and storage.exists(name)
        ]
        if find_all:
            return matches
        return matches[0] if matches else []

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for _url, storage, name in self.entries:
            if storage.exists(name):
                yield name, storage
