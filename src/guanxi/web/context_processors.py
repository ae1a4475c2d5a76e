from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from guanxi.core.permissions import is_admin

from .navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "languages": settings.LANGUAGES}
    return {
        # Built only when a template shows it: an htmx partial (a list's table) never does.
        "menu": SimpleLazyObject(lambda: menu_for(user, request.path)),
        "languages": settings.LANGUAGES,
        "user_is_admin": is_admin(user),
    }
