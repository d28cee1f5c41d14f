"""The message center's pages. The inbox itself is the 消息 tab (ui.views.messages_tab)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengtong.errors import ServiceError
from zhengtong.platform.access.policy import require
from zhengtong.platform.notices import queries, services
from zhengtong.platform.notices.forms import AuditFilterForm, ComposeForm, PreferencesForm
from zhengtong.platform.notices.permissions import BROADCAST

RECEIPTS_PER_PAGE = 50


def _attempt(request: HttpRequest, operation: Callable[[], object], success: str) -> bool:
    """Run a service; its refusal becomes a message on the page instead of an error page."""
    try:
        operation()
    except ServiceError as exc:
        messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True


@login_required
@require_POST
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notice reads it, then goes to its link (or back to the list when it has none)."""
    copy = services.own_copy(request.user, pk)
    services.mark_read(user=request.user, notice_id=pk)
    return redirect(copy.notice.link or "ui:messages")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    category = request.POST.get("category", "")
    services.mark_all_read(user=request.user, category=category)
    return redirect(f"{reverse('ui:messages')}?{urlencode({'category': category})}" if category else "ui:messages")


@login_required
@require_POST
def run_action(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    try:
        message = services.run_action(user=request.user, notice_id=pk, code=code, comment=request.POST.get("comment", "")[:2000])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("ui:messages")


@login_required
def sent_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notices/sent_list.html", {"notices": queries.sent_by(request.user)[:100]})


@login_required
def sent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = services.sent_notice(request.user, pk)
    read, unread = queries.receipts(notice)
    return render(request, "notices/sent_detail.html", {
        "notice": notice,
        "read": Paginator(read, RECEIPTS_PER_PAGE).get_page(request.GET.get("read_page")),
        "unread": Paginator(unread, RECEIPTS_PER_PAGE).get_page(request.GET.get("unread_page")),
    })


@login_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    _attempt(request, lambda: services.remind_unread(acting_user=request.user, notice_id=pk),
             _("Those who have not read it were reminded."))
    return redirect("notices:sent_detail", pk=pk)


@login_required
@require_POST
def recall(request: HttpRequest, pk: int) -> HttpResponse:
    _attempt(request, lambda: services.recall(acting_user=request.user, notice_id=pk), _("Recalled."))
    return redirect("notices:sent_detail", pk=pk)


@login_required
def compose(request: HttpRequest) -> HttpResponse:
    require(request.user, BROADCAST)
    form = ComposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.broadcast(acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Sent."))
            return redirect("notices:sent_detail", pk=notice.pk)
    return render(request, "notices/compose.html", {"form": form})


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    pref = queries.preferences(request.user)
    initial = {"quiet_from": pref.quiet_from, "quiet_until": pref.quiet_until, "muted_categories": pref.muted_categories}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _attempt(request, lambda: services.set_preferences(user=request.user, **form.cleaned_data), _("Saved.")):
            return redirect("notices:preferences")
    return render(request, "notices/preferences.html", {"form": form})


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = queries.AuditFilter(**{k: v for k, v in form.cleaned_data.items() if v}) if form.is_valid() else queries.AuditFilter()
    rows = queries.message_audit(request.user, filters)[:200]
    return render(request, "notices/audit.html", {"form": form, "rows": rows})
