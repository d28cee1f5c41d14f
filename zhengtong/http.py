"""Small request helpers shared by middleware, services' callers and views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:
    from zhengtong.platform.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request type of views behind ``login_required`` and of authenticated API calls."""

    user: User


def client_ip(request: HttpRequest) -> str:
    """The client's address; X-Forwarded-For is believed only from a configured proxy."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if remote in settings.TRUSTED_PROXIES:
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        # Walk back from the nearest hop past our own proxies.
        for hop in reversed(hops):
            if hop not in settings.TRUSTED_PROXIES:
                return hop
    return remote
