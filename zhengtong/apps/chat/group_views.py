"""The group pages: its members and what owners and administrators do there; 事务群; department groups.

Every form posts to its own address and comes back to the members page: done (a redirect), or
the page again with the refusal or the form's errors (the service's status, 400 for a form sent wrong).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengtong.apps.chat import bots, departments, discussions, groups, services
from zhengtong.apps.chat.forms import (
    AddMembersForm,
    BotForm,
    DepartmentForm,
    DepartmentOffForm,
    MuteForm,
    PersonForm,
    RenameForm,
    RoleForm,
    SubjectForm,
)
from zhengtong.apps.chat.models import Conversation, Member
from zhengtong.apps.chat.rules import MANAGE, VIEW
from zhengtong.errors import ServiceError
from zhengtong.forms import Form
from zhengtong.platform.access.policy import can
from zhengtong.platform.directory.models import Department
from zhengtong.platform.directory.permissions import require_sync


def _page(request: HttpRequest, pk: int, *, status: int = 200, error: str = "", add_form: AddMembersForm | None = None,
          rename_form: RenameForm | None = None) -> HttpResponse:
    conversation = services.conversation_of(request.user, pk, VIEW)
    me = services.member_of(request.user, conversation)
    if me.active:
        discussions.follow_record_title(request.user, [conversation])
    rows = groups.members(conversation)
    manages = me.active and can(request.user, MANAGE, conversation)
    by_hand = conversation.kind == Conversation.Kind.GROUP and conversation.department_id is None
    return render(request, "chat/members.html", {
        "conversation": conversation, "title": services.title_for(request.user, conversation), "me": me, "rows": rows,
        "manages": manages and by_hand, "owns": me.active and me.role == Member.Role.OWNER and by_hand, "by_hand": by_hand,
        "add_form": add_form or AddMembersForm(user=request.user, current=[row["id"] for row in rows]),
        "rename_form": rename_form or RenameForm(initial={"title": conversation.title}),
        "renames": manages and by_hand and not conversation.subject,
        "systems": bots.systems() if manages else [], "record_url": discussions.record_link(conversation), "error": error,
    }, status=status)


def _act(request: HttpRequest, pk: int, form: Form, do: Callable[[dict[str, Any]], Any], *, then: str = "chat:members") -> HttpResponse:
    services.conversation_of(request.user, pk, VIEW)
    if not form.is_valid():
        return _page(request, pk, status=400, error=" ".join(str(e) for errors in form.errors.values() for e in errors))
    try:
        do(form.cleaned_data)
    except ServiceError as exc:
        return _page(request, pk, status=exc.status, error=exc.message)
    return redirect(then, pk=pk)


@login_required
def members_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@login_required
@require_POST
def members_add(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = services.conversation_of(request.user, pk, VIEW)
    current = Member.objects.filter(conversation=conversation, left_at__isnull=True).values_list("person_id", flat=True)
    form = AddMembersForm(request.POST, user=request.user, current=current)
    if not form.is_valid():
        return _page(request, pk, status=400, add_form=form)
    try:
        services.add_members(acting_user=request.user, conversation_id=pk, member_ids=[p.pk for p in form.cleaned_data["members"]])
    except ServiceError as exc:
        return _page(request, pk, status=exc.status, error=exc.message, add_form=form)
    return redirect("chat:members", pk=pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, person_id: int) -> HttpResponse:
    return _act(request, pk, Form(request.POST),
                lambda data: services.remove_member(acting_user=request.user, conversation_id=pk, person_id=person_id))


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int, person_id: int) -> HttpResponse:
    return _act(request, pk, RoleForm(request.POST), lambda data: groups.set_admin(
        acting_user=request.user, conversation_id=pk, person_id=person_id, admin=data["admin"]))


@login_required
@require_POST
def owner_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, PersonForm(request.POST),
                lambda data: groups.transfer(acting_user=request.user, conversation_id=pk, person_id=data["person"]))


@login_required
@require_POST
def group_leave(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, Form(request.POST), lambda data: groups.leave(acting_user=request.user, conversation_id=pk),
                then="chat:conversation")


@login_required
@require_POST
def group_mute(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, MuteForm(request.POST),
                lambda data: services.set_muted(acting_user=request.user, conversation_id=pk, muted=data["muted"]))


@login_required
@require_POST
def group_rename(request: HttpRequest, pk: int) -> HttpResponse:
    form = RenameForm(request.POST)
    if not form.is_valid():
        services.conversation_of(request.user, pk, VIEW)
        return _page(request, pk, status=400, rename_form=form)
    return _act(request, pk, form, lambda data: groups.rename(acting_user=request.user, conversation_id=pk, title=data["title"]))


@login_required
@require_POST
def bot_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, BotForm(request.POST),
                lambda data: bots.add(acting_user=request.user, conversation_id=pk, system_id=data["system"]))


@login_required
@require_POST
def discuss(request: HttpRequest) -> HttpResponse:
    """Start or open a record's 事务群 (the button on the record's page posts here with ``?subject=``)."""
    form = SubjectForm({"subject": request.POST.get("subject") or request.GET.get("subject", "")})
    if not form.is_valid():
        return HttpResponse(status=400)
    conversation = discussions.open_discussion(acting_user=request.user, subject=form.cleaned_data["subject"])
    return redirect("chat:conversation", pk=conversation.pk)


@login_required
def department_groups(request: HttpRequest) -> HttpResponse:
    """For directory managers and system administrators: which departments have a group, and turning one on."""
    require_sync(request.user)
    form = DepartmentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                departments.enable(acting_user=request.user, department_id=form.cleaned_data["department"])
            except ServiceError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                return redirect("chat:departments")
        else:
            status = 400
    return _departments_page(request, form, status=status)


def _departments_page(request: HttpRequest, form: Form, *, status: int = 200, error: str = "") -> HttpResponse:
    enabled = {c.department_id: c for c in Conversation.objects.filter(department__isnull=False)}
    rows = [{"department": d, "group": enabled.get(d.pk),
             "members": groups.members(enabled[d.pk]) if d.pk in enabled else []}
            for d in Department.objects.filter(is_active=True).exclude(kind=Department.Kind.UNIT)]
    return render(request, "chat/departments.html", {"rows": rows, "form": form, "error": error}, status=status)


@login_required
@require_POST
def department_group_off(request: HttpRequest, department_id: int) -> HttpResponse:
    """Turn a department's group off (it becomes an ordinary group), naming its owner or nobody."""
    require_sync(request.user)
    form = DepartmentOffForm(request.POST)
    if not form.is_valid():
        return _departments_page(request, DepartmentForm(), status=400,
                                 error=" ".join(str(e) for errors in form.errors.values() for e in errors))
    try:
        departments.disable(acting_user=request.user, department_id=department_id, owner_id=form.cleaned_data["owner"])
    except ServiceError as exc:
        return _departments_page(request, DepartmentForm(), status=exc.status, error=exc.message)
    return redirect("chat:departments")
