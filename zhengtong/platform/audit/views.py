"""The audit administrator's pages. Thin: reading and verifying go through services."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import can, require
from zhengtong.platform.audit import auditor
from zhengtong.platform.audit.exports import csv_response
from zhengtong.platform.audit.filters import parse
from zhengtong.platform.audit.models import Outcome

PAGE_SIZE = 50


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.VIEW_AUDIT)
    query, errors = parse(request.GET)
    before = _cursor(request.GET.get("before"))
    rows, next_before = auditor.browse(request.user, query, before=before, limit=PAGE_SIZE) if query else ([], None)
    kept = request.GET.copy()
    kept.pop("before", None)
    return render(request, "audit/list.html", {
        "rows": rows,
        "next_before": next_before,
        "paged": "before" in request.GET,
        "errors": errors,
        "values": request.GET,
        "filter_query": kept.urlencode(),
        "outcomes": Outcome.choices,
        "can_export": can(request.user, perms.EXPORT_AUDIT),
        "can_verify": can(request.user, perms.VERIFY_AUDIT),
    }, status=400 if errors else 200)


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _change_rows(changes: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(field, old, new)``; a value that is not an ``[old, new]`` pair is shown as the new value."""
    rows = []
    for field, value in changes.items():
        old, new = value if isinstance(value, list) and len(value) == 2 else (None, value)
        rows.append((field, _shown(old), _shown(new)))
    return rows


@login_required
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    entry = auditor.get_record(request.user, record_id)
    return render(request, "audit/detail.html",
                  {"entry": entry, "changes": _change_rows(entry.changes), "sealed_in": auditor.sealed_in(entry)})


@login_required
def export_csv(request: HttpRequest) -> HttpResponseBase:
    require(request.user, perms.EXPORT_AUDIT)
    query, errors = parse(request.GET)
    if query is None:
        messages.error(request, " ".join(message for field_errors in errors.values() for message in field_errors))
        return redirect(f"{reverse('audit:list')}?{request.GET.urlencode()}")
    return csv_response(auditor.export(request.user, query))


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.VERIFY_AUDIT)
    result = auditor.verify_chain(request.user) if request.method == "POST" else None
    return render(request, "audit/verify.html", {"result": result})
