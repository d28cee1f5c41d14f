"""The 通讯录 pages below the contacts tab: departments, person cards, groups, and the
security administrator's visibility page. Thin: reading through ``contacts``, changing
through ``services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengtong.errors import ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import can, require
from zhengtong.platform.directory import contacts, services
from zhengtong.platform.directory.forms import ConfidentialForm, FieldRestrictionForm, GroupForm, GroupMemberForm
from zhengtong.platform.directory.models import Department, FieldRestriction, Group
from zhengtong.platform.directory.rules import VIEW
from zhengtong.platform.directory.visibility import Viewer, viewer_of

T = TypeVar("T")


def _reader(request: HttpRequest) -> Viewer:
    require(request.user, VIEW)
    return viewer_of(request.user)


def _apply(request: HttpRequest, change: Callable[[], T], done: str, form: forms.Form) -> T | None:
    """Run a service call and return what it made; on refusal put its reasons on the form (None)."""
    try:
        made = change()
    except ServiceError as exc:
        form.add_error(None, exc.message)
        for name, errors in exc.fields.items():
            if name in form.fields:
                form.add_error(name, [str(error) for error in errors])
        return None
    messages.success(request, done)
    return made


# --- Departments and people ------------------------------------------------------------------


@login_required
def department(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _reader(request)
    found = contacts.department(viewer, pk)
    trail = contacts.trail(viewer, found)
    return render(request, "directory/department.html", {
        "department": found, "trail": trail, "parent": trail[-2] if len(trail) > 1 else None,
        "subdepartments": contacts.subdepartments(viewer, found), "people": contacts.department_cards(viewer, found),
    })


@login_required
def my_department(request: HttpRequest) -> HttpResponse:
    mine = contacts.my_departments(_reader(request))
    return redirect("directory:department", pk=mine[0].pk) if mine else redirect("ui:directory")


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _reader(request)
    card = contacts.person(viewer, pk)
    services.record_contact_use(owner=request.user, contact=card.user)
    return render(request, "directory/person.html", {"card": card})


@login_required
@require_POST
def contact_used(request: HttpRequest, pk: int) -> HttpResponse:
    """A call or mail link was tapped: counts towards recent and frequent contacts."""
    card = contacts.person(_reader(request), pk)
    services.record_contact_use(owner=request.user, contact=card.user)
    return HttpResponse(status=204)


# --- Groups ------------------------------------------------------------------------------------


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    return render(request, "directory/groups.html", {
        "groups": contacts.groups(), "may_manage": can(request.user, perms.MANAGE_ACCOUNTS),
    })


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.MANAGE_ACCOUNTS)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _apply(request, lambda: services.create_group(acting_user=request.user, **form.cleaned_data),
                         _("Group created."), form)
        if created is not None:
            return redirect("directory:group", pk=created.pk)
    return render(request, "directory/group_form.html", {"form": form}, status=400 if form.is_bound else 200)


def _group_page(request: HttpRequest, found: Group, form: GroupMemberForm | None, status: int = 200) -> HttpResponse:
    return render(request, "directory/group.html", {
        "group": found, "members": contacts.group_cards(viewer_of(request.user), found), "form": form,
    }, status=status)


@login_required
def group(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    found = contacts.group(pk)
    return _group_page(request, found, GroupMemberForm() if can(request.user, perms.MANAGE_ACCOUNTS) else None)


@login_required
@require_POST
def group_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, perms.MANAGE_ACCOUNTS)
    found = contacts.group(pk)
    form = GroupMemberForm(request.POST)
    if form.is_valid() and _apply(request, lambda: services.add_group_member(
            acting_user=request.user, group=found, user=form.cleaned_data["person"], is_leader=form.cleaned_data["is_leader"]),
            _("Member added."), form) is not None:
        return redirect("directory:group", pk=found.pk)
    return _group_page(request, found, form, status=400)


@login_required
@require_POST
def group_member_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    require(request.user, perms.MANAGE_ACCOUNTS)
    found = contacts.group(pk)
    member = get_object_or_404(get_user_model(), pk=user_id)
    try:
        services.remove_group_member(acting_user=request.user, group=found, user=member)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Member removed."))
    return redirect("directory:group", pk=found.pk)


# --- Visibility (the security administrator) ---------------------------------------------------


def _visibility_page(request: HttpRequest, restriction_form: FieldRestrictionForm, confidential_form: ConfidentialForm,
                     status: int = 200) -> HttpResponse:
    return render(request, "directory/visibility.html", {
        "restrictions": FieldRestriction.objects.select_related("department").order_by("field", "id"),
        "confidential": Department.objects.filter(is_confidential=True).order_by("path"),
        "restriction_form": restriction_form, "confidential_form": confidential_form,
    }, status=status)


@login_required
def visibility(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.MANAGE_GRANTS)
    return _visibility_page(request, FieldRestrictionForm(), ConfidentialForm())


@login_required
@require_POST
def restriction_add(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.MANAGE_GRANTS)
    form = FieldRestrictionForm(request.POST)
    if form.is_valid() and _apply(request, lambda: services.create_field_restriction(acting_user=request.user, **form.cleaned_data),
                                  _("Restriction added."), form) is not None:
        return redirect("directory:visibility")
    return _visibility_page(request, form, ConfidentialForm(), status=400)


@login_required
@require_POST
def restriction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, perms.MANAGE_GRANTS)
    services.delete_field_restriction(acting_user=request.user, restriction=get_object_or_404(FieldRestriction, pk=pk))
    messages.success(request, _("Restriction removed."))
    return redirect("directory:visibility")


@login_required
@require_POST
def confidential(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.MANAGE_GRANTS)
    form = ConfidentialForm(request.POST)
    if form.is_valid():
        services.set_department_confidential(acting_user=request.user, department=form.cleaned_data["department"],
                                             confidential=form.cleaned_data["confidential"])
        messages.success(request, _("Department marked confidential.") if form.cleaned_data["confidential"]
                         else _("Department visible to everyone again."))
        return redirect("directory:visibility")
    return _visibility_page(request, FieldRestrictionForm(), form, status=400)
