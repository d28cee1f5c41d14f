"""Pages' answers to requests that went wrong before or outside a form (see ``errors``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from zhengtong.errors import ServiceError
from zhengtong.ui import errors


class PageErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The API validates its parameters and never sends anyone round through sign-in.
        if not request.path.startswith("/api/") and len(request.get_full_path()) > errors.MAX_ADDRESS_LENGTH:
            return errors.address_too_long(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A service's refusal no view turned into a form error: a page with its status and message."""
        if isinstance(exception, ServiceError) and not request.path.startswith("/api/"):
            return errors.refused(request, exception)
        return None
