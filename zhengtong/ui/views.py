"""The shell's tab pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhengtong.platform.access.policy import can
from zhengtong.ui.navigation import app_entries


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/home.html", {"entries": _my_apps(request)})


@login_required
def messages_tab(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/messages.html")


@login_required
def apps(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/apps.html", {"entries": _my_apps(request)})


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/directory.html")


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/me.html")


def _my_apps(request: HttpRequest) -> list[object]:
    return [entry for entry in app_entries() if can(request.user, entry.permission)]
