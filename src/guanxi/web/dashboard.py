"""Home-page widgets: apps add a provider returning widgets (template + context) for a request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Provider = Callable[[HttpRequest], list[dict[str, Any]]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def widgets_for(request: HttpRequest) -> list[dict[str, Any]]:
    widgets: list[dict[str, Any]] = []
    for provider in _providers:
        widgets.extend(provider(request))
    return widgets
