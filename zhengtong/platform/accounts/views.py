"""Sign-in, two-factor and the "我的" pages. Thin: every change goes through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhengtong.platform.accounts import services
from zhengtong.platform.accounts.forms import CodeForm, SignInForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.sign_in(request, form.cleaned_data["username"], form.cleaned_data["password"])
        if result.status is services.SignInStatus.SIGNED_IN:
            return redirect(_next_url(request))
        if result.status is services.SignInStatus.MFA_REQUIRED:
            return redirect(f"/accounts/sign-in/verify/?next={_next_url(request)}")
        form.add_error(None, result.message)
    return render(request, "accounts/sign_in.html", {"form": form, "next": _next_url(request)})


def verify(request: HttpRequest) -> HttpResponse:
    if services.pending_mfa_user(request) is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.verify_second_factor(request, form.cleaned_data["code"])
        if result.status is services.SignInStatus.SIGNED_IN:
            return redirect(_next_url(request))
        form.add_error("code", result.message or services.SignInResult(services.SignInStatus.INVALID).message)
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.sign_out(request)
    return redirect("accounts:login")


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/mfa_setup.html")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_change.html")


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sessions.html")


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    messages.info(request, "")
    return render(request, "accounts/tokens.html")
