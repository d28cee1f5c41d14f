"""The shell's tab pages. Thin: reading only, through the platform's queries and ``access``."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from zhengtong.platform.access.models import ClassificationLevel, Role
from zhengtong.platform.access.policy import can, require
from zhengtong.platform.accounts.models import User
from zhengtong.platform.directory import contacts
from zhengtong.platform.directory.models import Membership
from zhengtong.platform.directory.rules import VIEW as VIEW_DIRECTORY
from zhengtong.platform.directory.visibility import viewer_of
from zhengtong.platform.notices import categories
from zhengtong.platform.notices import queries as notices
from zhengtong.platform.notices.permissions import BROADCAST
from zhengtong.platform.notices.services import unread_counts
from zhengtong.ui.labels import role_label
from zhengtong.ui.navigation import tiles_for


@login_required
def messages_tab(request: HttpRequest) -> HttpResponse:
    """消息: my notices, unread first, with the categories and their unread counts."""
    category = request.GET.get("category", "")
    category = category if category in categories.catalogue() else ""
    return render(request, "ui/messages.html", {
        "copies": notices.inbox(request.user, category=category)[:100], "category": category,
        "categories": notices.category_counts(request.user), "counts": unread_counts(request.user),
        "may_broadcast": can(request.user, BROADCAST),
    })


@login_required
def apps(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/apps.html", {"entries": tiles_for(request.user)})


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """通讯录: one search box; my departments, recent and frequent contacts, groups, the units to browse."""
    require(request.user, VIEW_DIRECTORY)
    viewer = viewer_of(request.user)
    query = request.GET.get("q", "").strip()
    if len(query) > contacts.QUERY_MAX_LENGTH:
        error = ngettext("Search for at most %(count)d character (this was %(length)d).",
                         "Search for at most %(count)d characters (this was %(length)d).", contacts.QUERY_MAX_LENGTH) % {
            "count": contacts.QUERY_MAX_LENGTH, "length": len(query)}
        return render(request, "ui/directory.html", {"query": query[:contacts.QUERY_MAX_LENGTH], "query_error": error}, status=422)
    if query:
        return render(request, "ui/directory.html", {"query": query, "results": contacts.search(viewer, query)})
    return render(request, "ui/directory.html", {
        "my_departments": contacts.my_departments(viewer), "recent": contacts.recent(viewer), "frequent": contacts.frequent(viewer),
        "units": contacts.units(viewer),
    })


@login_required
def me(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    roles = [role_label(role) for role in Role.objects.filter(assignments__user=user).order_by("id")]
    level = ClassificationLevel.objects.filter(rank=user.clearance).first()
    memberships = Membership.objects.filter(user=user).select_related("department", "post").order_by("-is_primary", "id")
    return render(request, "ui/me.html", {"roles": roles, "level": level, "memberships": memberships})
