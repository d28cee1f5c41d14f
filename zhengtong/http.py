"""Small HTTP helpers: the request type of signed-in views, the client's address, the serving processes' start-up."""

from __future__ import annotations

import gc
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


def freeze_startup_objects() -> None:
    """Load every URL configuration, then move what start-up built out of the collector's reach.

    Modules, URL patterns and the API's schemas are some 130,000 objects that live as long as
    the process; each full collection walked them all, and the allocations of API requests set
    collections off often enough to cost a third of an authenticated request (BENCHMARKS.md).
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every urlconf, the API's routers with it)
    gc.freeze()
