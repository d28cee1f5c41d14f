"""The message audit's pages (the audit administrator's): find messages, see who read them, export them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from zhengtong.apps.chat import oversight
from zhengtong.apps.chat.forms import AuditForm
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import can, require


def _query(form: AuditForm) -> oversight.MessageFilter | None:
    if not form.is_valid():
        return None
    return oversight.MessageFilter(**{name: value for name, value in form.cleaned_data.items() if value not in (None, "")})


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.VIEW_AUDIT)
    form = AuditForm(request.GET)
    query = _query(form)
    raw_before = request.GET.get("before", "")
    rows: list[Any] = []
    next_before = None
    if query is not None:
        rows, next_before = oversight.search(request.user, query, before=int(raw_before) if raw_before.isdigit() else None)
    kept = request.GET.copy()
    kept.pop("before", None)
    return render(request, "chat/audit.html", {
        "form": form, "rows": [{"found": found, "title": oversight.title_of(found.message.conversation)} for found in rows],
        "next_before": next_before, "filter_query": kept.urlencode(), "can_export": can(request.user, perms.EXPORT_AUDIT),
    }, status=200 if query is not None else 400)


@login_required
def export(request: HttpRequest) -> HttpResponseBase:
    require(request.user, perms.EXPORT_AUDIT)
    form = AuditForm(request.GET)
    query = _query(form)
    fmt = request.GET.get("format", "csv")
    if query is None or fmt not in oversight.FORMATS:
        return render(request, "chat/audit.html", {"form": form, "rows": [], "export_error": True,
                                                   "can_export": True}, status=400)
    return oversight.export_response(request.user, query, fmt)
