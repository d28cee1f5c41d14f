"""The pages a person sees when a request goes wrong: in the shell, in their language, with a way back.

Django's own defaults are bare English pages. These say what happened in a sentence, never why
in detail (no exception text, no path resolution), and offer the way back that fits: home, the
page the person came from (when it is one of ours), or sign-in for someone not signed in. The
500 page reads nothing from the database: it may be the database that failed. API paths
answer in the API's one JSON shape instead.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.middleware import api_error

# A page address longer than this is refused (414) before any view: sent round through sign-in
# as ``next`` it would exceed what Django lets a redirect carry (16,384 characters).
MAX_ADDRESS_LENGTH = 8192


def _came_from(request: HttpRequest) -> str:
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return referer
    return ""


def _sign_in_url(request: HttpRequest) -> str:
    """Where someone not signed in can sign in and come back here."""
    login = resolve_url(settings.LOGIN_URL)
    here = request.get_full_path()
    return f"{login}?{urlencode({'next': here})}" if request.method == "GET" and len(here) <= MAX_ADDRESS_LENGTH else login


def error_page(request: HttpRequest, status: int, title: str, message: str, *, shell: bool = True) -> HttpResponse:
    """The shell's error page. ``shell`` False renders it without the request's context (the
    signed-in person, the menus), which would read the database."""
    anonymous = shell and status in (403, 404) and not request.user.is_authenticated
    context = {"status": status, "title": title, "message": message, "came_from": _came_from(request),
               "sign_in": _sign_in_url(request) if anonymous else ""}
    content = loader.get_template("ui/error.html").render(context, request if shell else None)
    return HttpResponse(content, status=status)


def _api_path(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig) and not _api_path(request):
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return error_page(request, 413, _("What you sent is too large"),
                          _("The form holds more than the %(limit)s this server accepts. Shorten the text, "
                            "or attach long content as a file.") % {"limit": limit})
    if _api_path(request):
        return api_error(400, "bad_request", _("The request could not be understood."))
    return error_page(request, 400, _("The request could not be understood"),
                      _("Something in the address or the form was not what this page expects. Go back and try again."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api_path(request):
        return api_error(403, "forbidden", _("You do not have permission to do this."))
    return error_page(request, 403, _("You do not have permission to see this"),
                      _("Your account may not open this page or do this. If you need it, ask your administrator."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api_path(request):
        return api_error(404, "not_found", _("Not found."))
    return error_page(request, 404, _("This page does not exist"),
                      _("The address may be mistyped, or what it pointed to has been removed or is not open to you."))


def server_error(request: HttpRequest) -> HttpResponse:
    if _api_path(request):
        return api_error(500, "server_error", _("Something went wrong on our side. Nothing was changed; try again later."))
    return error_page(request, 500, _("Something went wrong on our side"),
                      _("The error has been recorded. Nothing was changed; try again in a moment."), shell=False)


def address_too_long(request: HttpRequest) -> HttpResponse:
    return error_page(request, 414, _("This address is too long"),
                      _("Shorten what you typed (a search, for example) and try again."), shell=False)


def refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """A service's refusal that reached no form: its status and its message, which is meant for people."""
    titles = {403: _("You do not have permission to do this"), 404: _("This does not exist"), 409: _("This cannot be done now")}
    return error_page(request, exc.status, titles.get(exc.status, _("This cannot be done")), exc.message)
