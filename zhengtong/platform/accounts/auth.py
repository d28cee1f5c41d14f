"""API authentication classes tied to accounts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from zhengtong.errors import Forbidden
from zhengtong.http import client_ip
from zhengtong.platform.accounts import services


class ActiveSession(SessionAuth):
    """A browser's session (CSRF checked) of a person whose account is active."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing for CSRF to protect: the caller is
        # unauthenticated (401), not refused a CSRF check (403).
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            message = _("This page's security token is missing or out of date. Reload the page and try again.")
            raise Forbidden("csrf_failed", message) from None

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


class BearerToken(HttpBearer):
    """A program's personal API token (``Authorization: Bearer zt_…``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.authenticate_token(token, request.method or "GET", client_ip(request))
        if user is not None:
            request.user = user
        return user
