"""The one JSON API: /api, OpenAPI 3 at /api/openapi.json, docs at /api/docs.

Browsers call it with their session (CSRF enforced); programs with a bearer token. Every
error is JSON of one shape: ``{"error": code, "message": text, "fields": {...}}``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from zhengtong.errors import ServiceError
from zhengtong.middleware import api_error
from zhengtong.platform import registry
from zhengtong.platform.accounts.auth import ActiveSession, BearerToken
from zhengtong.platform.audit.services import record_denied
from zhengtong.validation import field_message

api = NinjaAPI(
    title="Zhengtong API",
    version="1",
    description="政通 integrated e-government platform. Authenticate with a session or a bearer token (`zt_…`).",
    auth=[BearerToken(), ActiveSession()],
    urls_namespace="api",
)


def _field_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        # Ninja's locations are (source, field…) or, for a body schema, (source, parameter, field…).
        location = [str(part) for part in error.get("loc", ())]
        field_path = location[2:] if location[:1] in (["body"], ["form"]) and len(location) > 2 else location[1:]
        fields.setdefault(".".join(field_path) or "__all__", []).append(field_message(error))
    return fields


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api_error(422, "invalid", _("Some fields are not valid."), _field_errors(exc.errors))


@api.exception_handler(ServiceError)
def _service(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api_error(exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api_error(401, "unauthenticated", _("Sign in or send a valid bearer token."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    record_denied(request, exc)
    return api_error(403, "forbidden", _("You do not have permission to do this."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api_error(404, "not_found", _("Not found."))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api_error(413, "too_large", _("The request body is too large."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api_error(exc.status_code, "error", str(exc))


# Every installed app's API, as its manifest declares it.
for _prefix, _router in registry.current().api_routers():
    api.add_router(_prefix, _router)
