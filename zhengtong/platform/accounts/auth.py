"""API authentication classes tied to accounts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from zhengtong.platform.accounts import services


class ActiveSession(SessionAuth):
    """A browser's session (CSRF checked) of a person whose account is active."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


class BearerToken(HttpBearer):
    """A program's personal API token (``Authorization: Bearer zt_…``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.authenticate_token(token, request.method or "GET")
        if user is not None:
            request.user = user
        return user
