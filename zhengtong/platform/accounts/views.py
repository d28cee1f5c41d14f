"""Sign-in, two-factor and the "我的" pages. Thin: every change goes through services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from qrcode import make as make_qr
from qrcode.image.svg import SvgPathImage

from zhengtong.errors import ServiceError
from zhengtong.http import AuthenticatedHttpRequest
from zhengtong.platform.accounts import services
from zhengtong.platform.accounts.forms import CodeForm, PasswordChangeForm, SignInForm, TokenForm
from zhengtong.platform.accounts.middleware import ended_message
from zhengtong.platform.accounts.models import ApiToken, UserSession
from zhengtong.validation import CONTROL_CHARACTERS


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: ``redirect`` takes anything else for a URL name and fails (500).
    if target.startswith("/") and not CONTROL_CHARACTERS.search(target) and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.sign_in(request, form.cleaned_data["username"], form.cleaned_data["password"])
        if result.status is services.SignInStatus.SIGNED_IN:
            return redirect(_next_url(request))
        if result.status is services.SignInStatus.MFA_REQUIRED:
            return redirect(f"{reverse('accounts:verify')}?{urlencode({'next': _next_url(request)})}")
        form.add_error(None, result.message)
    return render(request, "accounts/sign_in.html", {
        "form": form, "next": _next_url(request), "ended": ended_message(request.GET.get("ended", "")),
    })


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    if services.pending_mfa_user(request) is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.verify_second_factor(request, form.cleaned_data["code"])
        if result.status is services.SignInStatus.SIGNED_IN:
            return redirect(_next_url(request))
        form.add_error("code", result.message)
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.sign_out(request)
    return redirect("accounts:login")


# --- Two-factor authentication ----------------------------------------------------------


def _qr_svg(text: str) -> SafeString:
    svg = make_qr(text, image_factory=SvgPathImage, border=2).to_string(encoding="unicode")
    # Generated here from our own otpauth URI: no user-controlled markup can reach it.
    return mark_safe(svg)  # noqa: S308


def _recovery_codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@never_cache
@login_required
def mfa_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrol (QR code, then a first code), or, once enrolled, manage recovery codes and turn off."""
    user = request.user
    form = CodeForm(request.POST or None)
    if user.mfa_enabled:
        return render(request, "accounts/mfa_manage.html", {
            "form": form, "required": services.mfa_required_for(user),
            "codes_left": services.recovery_codes_left(user),
        })
    secret = services.mfa_enrolment_secret(request)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.enable_mfa(user=user, secret=secret, code=form.cleaned_data["code"], request=request)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            return _recovery_codes_page(request, codes)
    return render(request, "accounts/mfa_setup.html", {
        "form": form, "secret": secret, "qr": _qr_svg(services.mfa_provisioning_uri(user, secret)),
        "required": bool(request.session.get(services.MFA_ENROLMENT_REQUIRED)),
    })


@never_cache
@require_POST
@login_required
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            return _recovery_codes_page(request, services.regenerate_recovery_codes(user=request.user, code=form.cleaned_data["code"]))
        except ServiceError as exc:
            messages.error(request, exc.message)
    return redirect("accounts:mfa_setup")


@require_POST
@login_required
def mfa_disable(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            services.disable_mfa(acting_user=request.user, user=request.user, code=form.cleaned_data["code"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:mfa_setup")


# --- Password ---------------------------------------------------------------------------


@never_cache
@login_required
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(user=request.user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password"], request=request)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Your password has been changed. Your other devices have been signed out."))
            return redirect("ui:me")
    return render(request, "accounts/password_change.html", {
        "form": form, "rules": password_validators_help_texts(),
        "required": bool(request.session.get(services.PASSWORD_CHANGE_REQUIRED)),
    })


# --- Sessions and devices ---------------------------------------------------------------


@login_required
def sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "accounts/sessions.html", {
        "devices": request.user.device_sessions.all(), "current_key": request.session.session_key,
        "idle_minutes": settings.SESSION_IDLE_MINUTES, "max_hours": settings.SESSION_MAX_HOURS,
    })


@require_POST
@login_required
def end_session(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(UserSession, pk=pk, user=request.user)
    services.end_session(acting_user=request.user, device=device)
    messages.success(request, _("That session has ended."))
    return redirect("accounts:sessions")


@require_POST
@login_required
def sign_out_other_devices(request: AuthenticatedHttpRequest) -> HttpResponse:
    ended = services.sign_out_other_devices(request)
    messages.success(request, ngettext("Signed out of %(count)d other session.", "Signed out of %(count)d other sessions.", ended)
                     % {"count": ended})
    return redirect("accounts:sessions")


@require_POST
@login_required
def sign_out_everywhere(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.sign_out_everywhere(acting_user=request.user, user=request.user, request=request)
    messages.success(request, _("You have been signed out on every device."))
    return redirect("accounts:login")


# --- API tokens --------------------------------------------------------------------------


@never_cache
@login_required
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, created = services.create_token(user=request.user, name=form.cleaned_data["name"],
                                                    scopes=form.cleaned_data["scopes"], days=form.cleaned_data["days"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            form = TokenForm()
    return render(request, "accounts/tokens.html", {
        "form": form, "created": created, "tokens": request.user.api_tokens.all(), "max_days": settings.API_TOKEN_MAX_DAYS,
    })


@require_POST
@login_required
def revoke_token(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_token(acting_user=request.user, token=token)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
