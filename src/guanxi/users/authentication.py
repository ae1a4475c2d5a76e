"""API token authentication: `Authorization: Token <key>` or `Bearer <key>`; keys are stored hashed."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from guanxi.core.throttling import client_address, count_failed_authentication

from .models import ApiToken, User, hash_token

LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from None
        try:  # key_hash is unique: no ORDER BY, which .first() would add
            token: ApiToken | None = ApiToken.objects.select_related("user", "user__role").get(
                key_hash=hash_token(key)
            )
        except ApiToken.DoesNotExist:
            token = None
        if token is None or not token.is_active or not token.user.is_active:
            count_failed_authentication(request)  # 429 instead once the address's budget is spent
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        self._touch(token, request)
        user = token.user
        limit = token_limit(token)
        if limit is not None:
            user._guanxi_token_scope = limit  # type: ignore[attr-defined]
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Token realm="api"'

    @staticmethod
    def _touch(token: ApiToken, request: Request) -> None:
        now = timezone.now()
        address = client_address(request) or None
        if (
            token.last_used_at
            and now - token.last_used_at < LAST_USED_RESOLUTION
            and token.last_used_ip == address
        ):
            return
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=address)


def token_limit(token: ApiToken) -> Any:
    """A predicate (object type, action) → allowed, narrowing the user's role for this token."""
    if not token.read_only and not token.scopes:
        return None

    def allowed(object_type: Any, action: str) -> bool:
        return scope_allows(token, object_type.api_group, write=action != "view")

    return allowed


def scope_allows(token: Any, group: str, *, write: bool) -> bool:
    """May this token read (or write) the API group ("customers", "admin" …)? Any request not made with a
    token (a browser session) is limited by the user's role alone."""
    if not isinstance(token, ApiToken):
        return True
    if write and token.read_only:
        return False
    scopes = set(token.scopes or [])
    if not scopes:
        return True
    return f"{group}:write" in scopes or (not write and f"{group}:read" in scopes)
