from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from zhengtong.http import client_ip
from zhengtong.platform.audit.context import RequestContext, current


class AuditContextMiddleware:
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
