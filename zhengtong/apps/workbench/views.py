"""The 工作台 pages: the shell's home tab with the to-do list, its live fragment, acting in place.

Reading and acting go through ``platform/todo``; this app has no tables of its own.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengtong.errors import ServiceError
from zhengtong.platform.todo import actions, queries
from zhengtong.platform.todo.models import Entry
from zhengtong.ui.navigation import tiles_for

MAX_PAGES = 50


def board_context(request: HttpRequest) -> dict[str, Any]:
    """Everything the list needs: the tab's first page with marks and actions, counts, filters."""
    filters = queries.Filters.parse(request.GET)
    counts = queries.tab_counts(request.user)
    labels = queries.app_labels()
    # "More" shows the next 20 below the ones already seen; one row past the end says whether there is more.
    try:
        pages = max(1, min(int(request.GET.get("pages", "1")), MAX_PAGES))
    except ValueError:
        pages = 1
    shown = queries.PAGE_SIZE * pages
    page = list(queries.entries(request.user, filters)[:shown + 1])
    more, page = len(page) > shown, page[:shown]
    rows = [{"entry": entry, "mark": queries.mark(entry), "app_label": labels.get(entry.app, entry.app),
             "actions": actions.available(entry)} for entry in page]
    apps = [{"code": code, "label": labels.get(code, code), "count": count} for code, count in queries.app_counts(request.user).items()]
    query = {key: value for key, value in (("tab", filters.tab), ("app", filters.app), ("urgency", filters.urgency),
                                           ("overdue", "1" if filters.overdue else ""), ("q", filters.q), ("sort", filters.sort))
             if value}
    return {
        "wb_filters": filters, "wb_rows": rows, "wb_query": urlencode(query),
        "wb_more": urlencode({**query, "pages": pages + 1}) if more else "",
        # Where acting returns to: the list's page with its filters, also when the form came from the fragment.
        "wb_next": reverse("workbench:home") + (f"?{urlencode(query)}" if query else ""),
        "wb_tabs": [{"key": key, "label": label, "count": counts.get(key, 0)} for key, label in Entry.Tab.choices],
        "wb_apps": apps,
        "wb_urgencies": Entry.Urgency.choices,
        "wb_batch": filters.tab == Entry.Tab.TODO and any(action.batch for entry in page for action in actions.available(entry)),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/home.html", {"entries": tiles_for(request.user), **board_context(request)})


@login_required
def board_fragment(request: HttpRequest) -> HttpResponse:
    """The list alone, for the page's script to swap in when the to-dos change."""
    return render(request, "workbench/_board.html", board_context(request))


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("workbench:home")


@login_required
@require_POST
def act(request: HttpRequest, entry_id: int, code: str) -> HttpResponse:
    try:
        actions.act(acting_user=request.user, entry_id=entry_id, code=code, comment=request.POST.get("comment", "")[:2000])
    except ServiceError as exc:
        messages.error(request, exc.message)
    except PermissionDenied:
        messages.error(request, _("You may not act on this item."))
    else:
        messages.success(request, _("Done."))
    return _back(request)


@login_required
@require_POST
def act_in_batch(request: HttpRequest) -> HttpResponse:
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()][:100]
    if not ids:
        messages.error(request, _("Choose the items first."))
        return _back(request)
    results = actions.act_in_batch(acting_user=request.user, entry_ids=ids, code=request.POST.get("action", ""),
                                   comment=request.POST.get("comment", "")[:2000])
    for result in results:
        if result.ok:
            messages.success(request, f"{result.title}: {result.message}")
        else:
            messages.error(request, f"{result.title or result.entry_id}: {result.message}")
    return _back(request)
