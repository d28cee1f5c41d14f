"""The shell's tab pages. Thin: reading only, through the platform's queries and ``access``."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from zhengtong.platform.access.models import ClassificationLevel, Role
from zhengtong.platform.access.policy import can, require
from zhengtong.platform.accounts.models import User
from zhengtong.platform.directory import queries
from zhengtong.platform.directory.models import Department, Membership
from zhengtong.platform.directory.rules import VIEW as VIEW_DIRECTORY
from zhengtong.ui.labels import role_label
from zhengtong.ui.navigation import AppEntry, app_entries


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
    """通讯录: drill down from the units through the department tree, or search people by name."""
    require(request.user, VIEW_DIRECTORY)
    query = request.GET.get("q", "").strip()[:50]
    context: dict[str, object] = {"query": query, "my_department": queries.primary_department(request.user)}
    if query:
        context["results"] = queries.search_people(query)
    elif request.GET.get("dept", "").isdigit():
        department = get_object_or_404(Department, pk=int(request.GET["dept"]), is_active=True)
        context.update(department=department, trail=queries.ancestors(department),
                       subdepartments=queries.children(department), memberships=queries.members(department))
    else:
        context["subdepartments"] = queries.units()
    return render(request, "ui/directory.html", context)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    roles = [role_label(role) for role in Role.objects.filter(assignments__user=user).order_by("id")]
    level = ClassificationLevel.objects.filter(rank=user.clearance).first()
    memberships = Membership.objects.filter(user=user).select_related("department", "post").order_by("-is_primary", "id")
    return render(request, "ui/me.html", {"roles": roles, "level": level, "memberships": memberships})


def _my_apps(request: HttpRequest) -> list[AppEntry]:
    return [entry for entry in app_entries() if can(request.user, entry.permission)]
