"""The security administrator's console (安全管理). Thin: every change goes through services."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengtong.errors import ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access import security_policy, services
from zhengtong.platform.access.forms import AssignRoleForm, ClearanceForm, LevelForm, RoleForm
from zhengtong.platform.access.models import ClassificationLevel, ObjectGrant, Role
from zhengtong.platform.access.policy import require

PAGE_SIZE = 50


def _attempt(request: HttpRequest, change: Callable[[], object], done: str, form: forms.Form | None = None) -> bool:
    """Run a service call; on refusal show its message (on the form when there is one) and change nothing."""
    try:
        change()
    except ServiceError as exc:
        if form is None:
            messages.error(request, exc.message)
            return False
        form.add_error(None, exc.message)
        for field, errors in exc.fields.items():
            if field in form.fields:
                form.add_error(field, [str(error) for error in errors])
        return False
    messages.success(request, done)
    return True


def _levels() -> dict[int, str]:
    return dict(ClassificationLevel.objects.values_list("rank", "name"))


# --- People --------------------------------------------------------------------------


@login_required
def console(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.MANAGE_ROLES)
    query = request.GET.get("q", "").strip()[:100]
    people = get_user_model().objects.prefetch_related("role_assignments__role").order_by("username")
    if query:
        people = people.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "access/people.html", {"page": page, "query": query, "levels": _levels()})


@login_required
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    require(request.user, perms.MANAGE_ROLES)
    someone = get_object_or_404(get_user_model(), pk=user_id)
    held = [assignment.role for assignment in someone.role_assignments.select_related("role").order_by("role_id")]
    return render(request, "access/person.html", {
        "person": someone,
        "held": held,
        "assign_form": AssignRoleForm(held={role.code for role in held}),
        "clearance_form": ClearanceForm(initial={"rank": someone.clearance}),
        "levels": _levels(),
    })


@login_required
@require_POST
def person_assign(request: HttpRequest, user_id: int) -> HttpResponse:
    require(request.user, perms.MANAGE_ROLES)
    someone = get_object_or_404(get_user_model(), pk=user_id)
    form = AssignRoleForm(request.POST, held=set())
    if form.is_valid():
        role = form.cleaned_data["role"]
        _attempt(request, lambda: services.assign_role(acting_user=request.user, user=someone, role=role),
                 _("%(role)s assigned to %(user)s.") % {"role": role.label, "user": someone})
    else:
        messages.error(request, _("Choose a role."))
    return redirect("access:person", user_id=someone.pk)


@login_required
@require_POST
def person_revoke(request: HttpRequest, user_id: int, code: str) -> HttpResponse:
    require(request.user, perms.MANAGE_ROLES)
    someone = get_object_or_404(get_user_model(), pk=user_id)
    role = get_object_or_404(Role, code=code)
    _attempt(request, lambda: services.revoke_role(acting_user=request.user, user=someone, role=role),
             _("%(role)s revoked from %(user)s.") % {"role": role.label, "user": someone})
    return redirect("access:person", user_id=someone.pk)


@login_required
@require_POST
def person_clearance(request: HttpRequest, user_id: int) -> HttpResponse:
    require(request.user, perms.MANAGE_CLEARANCE)
    someone = get_object_or_404(get_user_model(), pk=user_id)
    form = ClearanceForm(request.POST)
    if form.is_valid():
        rank = form.cleaned_data["rank"]
        _attempt(request, lambda: services.set_clearance(acting_user=request.user, user=someone, rank=rank),
                 _("Clearance of %(user)s set to %(level)s.") % {"user": someone, "level": _levels().get(rank, rank)})
    else:
        messages.error(request, _("Choose a classification level."))
    return redirect("access:person", user_id=someone.pk)


# --- Roles ---------------------------------------------------------------------------


@login_required
def roles(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.MANAGE_ROLES)
    return render(request, "access/roles.html", {"roles": Role.objects.all(), "catalogue": perms.catalogue()})


@login_required
def role_create(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.MANAGE_ROLES)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _attempt(request, lambda: services.create_role(acting_user=request.user, code=data["code"], name=data["name"],
                                                          permissions=data["permissions"], description=data["description"]),
                    _("Role created."), form):
            return redirect("access:roles")
    return render(request, "access/role_form.html", {"form": form, "role": None}, status=400 if form.errors else 200)


@login_required
def role_edit(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, perms.MANAGE_ROLES)
    role = get_object_or_404(Role, code=code)
    if role.is_builtin:
        return render(request, "access/role_form.html", {"form": None, "role": role, "catalogue": perms.catalogue()})
    initial = {"name": role.name, "description": role.description, "permissions": role.permissions}
    form = RoleForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _attempt(request, lambda: services.update_role(acting_user=request.user, role=role, name=data["name"],
                                                          permissions=data["permissions"], description=data["description"]),
                    _("Role saved."), form):
            return redirect("access:roles")
    return render(request, "access/role_form.html", {"form": form, "role": role}, status=400 if form.errors else 200)


# --- Classification levels -------------------------------------------------------------


@login_required
def levels(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.MANAGE_CLEARANCE)
    form = LevelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _attempt(request, lambda: services.add_level(acting_user=request.user, name=data["name"], description=data["description"]),
                    _("Level added."), form):
            return redirect("access:levels")
    return render(request, "access/levels.html", {"levels": ClassificationLevel.objects.all(), "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def level_rename(request: HttpRequest, rank: int) -> HttpResponse:
    require(request.user, perms.MANAGE_CLEARANCE)
    level = get_object_or_404(ClassificationLevel, rank=rank)
    form = LevelForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _attempt(request, lambda: services.rename_level(acting_user=request.user, level=level, name=data["name"],
                                                        description=data["description"]),
                 _("Level renamed."))
    else:
        # The form's own words: a name too long, a name missing, or control characters in it.
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect("access:levels")


# --- Object grants ---------------------------------------------------------------------


@login_required
def grants(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.MANAGE_GRANTS)
    active = (
        ObjectGrant.objects.select_related("user", "granted_by", "content_type")
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .order_by("-granted_at")
    )
    # The object is shown by type and id only: the security administrator decides who may
    # see a record, not what the record says.
    page = Paginator(active, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "access/grants.html", {"page": page})


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, perms.MANAGE_GRANTS)
    object_grant = get_object_or_404(ObjectGrant.objects.select_related("user", "content_type"), pk=pk)
    _attempt(request, lambda: services.revoke_grant(acting_user=request.user, object_grant=object_grant), _("Grant revoked."))
    return redirect("access:grants")


# --- Policy ----------------------------------------------------------------------------


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.VIEW_SECURITY_POLICY)
    return render(request, "access/policy.html", {"sections": security_policy.sections()})
