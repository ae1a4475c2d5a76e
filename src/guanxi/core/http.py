"""The request type of views that only signed-in users reach."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from guanxi.users.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """An `HttpRequest` behind `login_required` or `LoginRequiredMixin`, whose `user` is a signed-in `User`.

    For annotations only: Django still hands views a plain `HttpRequest`."""

    user: User
