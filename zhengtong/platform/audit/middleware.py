from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from zhengtong.http import client_ip
from zhengtong.platform.audit.context import RequestContext, current
from zhengtong.platform.audit.services import record_denied


class AuditContextMiddleware:
    """Tell the audit trail who is asking and from where; record the pages refused to them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current.set(
            RequestContext(source_ip=client_ip(request), user_agent=request.headers.get("user-agent", "")[:300])
        )
        try:
            return self.get_response(request)
        finally:
            current.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # The API turns its exceptions into responses itself; its 403 handler records them.
        if isinstance(exception, PermissionDenied):
            record_denied(request, exception)
