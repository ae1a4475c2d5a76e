"""System checks: the webhook allow list parses; a production server counts API requests in a cache that
all its processes share."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .netguard import parse_allow_list


@register()
def webhook_allow_list(app_configs: Any, **kwargs: Any) -> list[Error]:
    value = getattr(settings, "GUANXI_WEBHOOK_ALLOW", "")
    try:
        parse_allow_list(",".join(value) if isinstance(value, list | tuple) else str(value or ""))
    except ValueError as exc:
        return [Error(f"GUANXI_WEBHOOK_ALLOW: {exc}", id="guanxi.integrations.E001")]
    return []


@register(Tags.security, deploy=True)
def shared_rate_limit_cache(app_configs: Any, **kwargs: Any) -> list[Warning]:
    alias = getattr(settings, "GUANXI_RATELIMIT_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                f"The API rate limits count in the cache {alias!r} ({backend.rsplit('.', 1)[-1]}), "
                "which each server process keeps for itself: limits multiply by the number of workers.",
                hint="Use the database cache (the default in production) or Redis (GUANXI_REDIS_CACHE=1).",
                id="guanxi.integrations.W001",
            )
        ]
    return []
