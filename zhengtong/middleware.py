"""Project-wide HTTP middleware: browser security headers and API request limits."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# The interactive API docs (Swagger UI) set styles inline and start from an inline script.
API_DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
API_CONTENT_TYPES = {"application/json", "multipart/form-data"}


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = API_DOCS_POLICY if request.path.startswith("/api/docs") else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=(self)")
        return response


def api_error(status: int, code: str, message: str, fields: Mapping[str, object] | None = None) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, "fields": dict(fields or {})}, status=status)


class ApiRequestLimitsMiddleware:
    """Refuse oversized (413) and wrongly typed (415) API bodies before anything reads them, and
    answer a method the API does not offer (405) in the API's one error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if request.method in BODY_METHODS:
            refusal = self.refusal(request)
            if refusal is not None:
                return refusal
        response = self.get_response(request)
        if response.status_code == 405:
            # Ninja answers a known path with an unknown method in plain text.
            allowed = response.headers.get("Allow", "")
            response = api_error(405, "method_not_allowed", _("This address does not accept %(method)s; it accepts %(allowed)s.")
                                 % {"method": request.method, "allowed": allowed})
            response.headers["Allow"] = allowed
        return response

    @staticmethod
    def refusal(request: HttpRequest) -> JsonResponse | None:
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            return api_error(400, "bad_request", _("The Content-Length header is not a number."))
        if length > settings.API_MAX_BODY_BYTES:
            return api_error(
                413, "too_large",
                _("The request body is %(size)d bytes; the limit is %(limit)d bytes.")
                % {"size": length, "limit": settings.API_MAX_BODY_BYTES},
            )
        content_type = (request.content_type or "").lower()
        if length and content_type not in API_CONTENT_TYPES:
            return api_error(
                415, "unsupported_media_type",
                _("Send the request body as application/json (received %(type)s).") % {"type": content_type or "none"},
            )
        return None
