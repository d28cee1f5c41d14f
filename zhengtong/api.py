"""The one JSON API: /api, OpenAPI 3 at /api/openapi.json, docs at /api/docs.

Browsers call it with their session (CSRF enforced); programs with a bearer token. Every
error is JSON of one shape: ``{"error": code, "message": text, "fields": {...}}``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from zhengtong.errors import ServiceError
from zhengtong.middleware import api_error
from zhengtong.platform import registry
from zhengtong.platform.accounts.auth import ActiveSession, BearerToken
from zhengtong.platform.audit.services import record_denied
from zhengtong.validation import field_message


class ErrorOut(Schema):
    """The one shape of every API error (``middleware.api_error``)."""

    error: str
    message: str
    fields: dict[str, list[str]]


# The platform's errors, each once in the OpenAPI document's components: status → (name, meaning).
ERRORS = {
    400: ("BadRequest", "The request could not be understood (a malformed body or header)"),
    401: ("Unauthenticated", "Not signed in, or the bearer token is not valid (or no longer)"),
    403: ("Forbidden", "Refused: the person may not do this"),
    404: ("NotFound", "No such object, or one the person may not know exists"),
    405: ("MethodNotAllowed", "The address does not accept this method (a path parameter named another address)"),
    409: ("Conflict", "The request is fine, but the state of things does not allow it now"),
    413: ("TooLarge", "The request body is too large"),
    415: ("UnsupportedMediaType", "The request body is neither JSON nor multipart"),
    422: ("Invalid", "Invalid input: `fields` names the inputs at fault"),
}


def declared_errors(method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses ``operation`` may answer: what it takes decides what can go wrong with it."""
    parameters = operation.get("parameters") or []
    statuses = {404}  # the object named in the path or the body, or the caller's own (`/me/department`)
    if operation.get("security"):
        statuses |= {401, 403}  # who is asking, and whether they may
    if any(parameter["in"] == "path" for parameter in parameters):
        statuses.add(405)  # a value naming a neighbour (`/sessions/end-others`)
    if parameters or "requestBody" in operation or method != "get":
        statuses.add(422)
    if method != "get":
        statuses.add(409)  # a write meets the state of things
    if "requestBody" in operation:
        statuses |= {400, 413, 415}  # ApiRequestLimitsMiddleware
    return sorted(statuses)


class OpenAPIDocument(OpenAPISchema):
    """Ninja's document, refusing two different schemas of one name: Ninja keeps the last one, so every
    operation using the other would be documented (and checked) against the wrong schema."""

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            if self.schemas.get(name, definition) != definition:
                raise ImproperlyConfigured(f"Two different API schemas are named {name!r}: give one of them another name.")
        super().add_schema_definitions(definitions)


class ZhengtongAPI(NinjaAPI):
    """Ninja's API with the platform's errors in its OpenAPI document, declared once for every operation."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        schema = OpenAPIDocument(self, self.get_root_path(path_params or {}) if path_prefix is None else path_prefix)
        components = schema["components"]
        components.setdefault("schemas", {})[ErrorOut.__name__] = ErrorOut.model_json_schema()
        body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ErrorOut.__name__}"}}}
        components["responses"] = {name: {"description": meaning, "content": body} for name, meaning in ERRORS.values()}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                for status in declared_errors(method, operation):
                    operation["responses"].setdefault(status, {"$ref": f"#/components/responses/{ERRORS[status][0]}"})
        return schema


api = ZhengtongAPI(
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


@api.exception_handler(OverflowError)
def _out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # A whole number beyond what the database stores (SQLite's 64 bits): no id or count can be that large.
    return api_error(422, "out_of_range", _("A number in the request is too large."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api_error(exc.status_code, "error", str(exc))


# Every installed app's API, as its manifest declares it.
for _prefix, _router in registry.current().api_routers():
    api.add_router(_prefix, _router)
