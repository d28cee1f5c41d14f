"""Session policy: idle and absolute timeouts, and the steps a sign-in must finish first."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from zhengtong.middleware import api_error
from zhengtong.platform.accounts import services

# Paths open while a signed-in person still has to enrol MFA or change their password.
ALWAYS_OPEN_PREFIXES = ("/static/", "/i18n/", "/accounts/sign-out/")

# Why a session ended, as the sign-in page is told (``?ended=``): this middleware runs before
# the messages middleware, so it cannot leave a flash message.
IDLE = "idle"
LIFETIME = "lifetime"


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session") and services.SESSION_STARTED in request.session:
            response = self.enforce(request)
            if response is not None:
                return response
        return self.get_response(request)

    def enforce(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = timezone.now().timestamp()
        started = float(session.get(services.SESSION_STARTED, now))
        last_seen = float(session.get(services.SESSION_LAST_SEEN, now))
        if now - started > settings.SESSION_MAX_HOURS * 3600:
            return self.expired(request, LIFETIME)
        if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
            return self.expired(request, IDLE)
        services.touch_session(request)
        if session.get(services.MFA_ENROLMENT_REQUIRED):
            return self.detour(request, "accounts:mfa_setup", _("Set up two-factor authentication to continue."))
        if session.get(services.PASSWORD_CHANGE_REQUIRED):
            return self.detour(request, "accounts:password_change", _("Your password has expired. Choose a new one to continue."))
        return None

    @staticmethod
    def expired(request: HttpRequest, reason: str) -> HttpResponse:
        services.expire_session(request, reason)
        if request.path.startswith("/api/"):
            return api_error(401, "session_expired", ended_message(reason))
        query = {"ended": reason}
        if request.method == "GET":
            query["next"] = request.get_full_path()
        return redirect(f"{reverse('accounts:login')}?{urlencode(query)}")

    @staticmethod
    def detour(request: HttpRequest, url_name: str, message: str) -> HttpResponse | None:
        target = reverse(url_name)
        if request.path.startswith(target) or request.path.startswith(ALWAYS_OPEN_PREFIXES):
            return None
        if request.path.startswith("/api/"):
            return api_error(403, "action_required", message)
        return redirect(target)


def ended_message(reason: str) -> str:
    if reason == LIFETIME:
        return _("Your session reached its maximum length. Please sign in again.")
    if reason == IDLE:
        return _("You were signed out after a period of inactivity. Please sign in again.")
    return ""
