"""The security administrator's operations over the API. Thin: changes go through services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from zhengtong.pagination import Page, PageIn, page
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access import security_policy, services
from zhengtong.platform.access.models import ClassificationLevel, Role
from zhengtong.platform.access.policy import require

router = Router(tags=["access"])


class RoleOut(Schema):
    code: str
    name: str
    description: str
    permissions: list[str]
    is_builtin: bool
    is_admin_role: bool


class PersonRolesOut(Schema):
    id: int
    username: str
    display_name: str
    is_active: bool
    clearance: int
    roles: list[str]


class LevelOut(Schema):
    rank: int
    name: str
    description: str


class AssignIn(Schema):
    role: str = Field(..., max_length=50, description="The role's code.")


class ClearanceIn(Schema):
    rank: int = Field(..., ge=0)


class LevelIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    description: str = Field("", max_length=200)


class LevelRenameIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    description: str | None = Field(None, max_length=200, description="Left unchanged when absent.")


class PolicyValueOut(Schema):
    setting: str
    label: str
    value: str
    unit: str


def _role_out(role: Role) -> RoleOut:
    return RoleOut(code=role.code, name=role.label, description=role.description, permissions=list(role.permissions),
                   is_builtin=role.is_builtin, is_admin_role=role.is_admin_role)


def _person_out(person: Any) -> PersonRolesOut:
    return PersonRolesOut(id=person.pk, username=person.username, display_name=person.display_name, is_active=person.is_active,
                     clearance=person.clearance, roles=sorted(a.role.code for a in person.role_assignments.select_related("role")))


def _level_out(level: ClassificationLevel) -> LevelOut:
    return LevelOut(rank=level.rank, name=level.name, description=level.description)


def _person(user_id: int) -> Any:
    return get_object_or_404(get_user_model(), pk=user_id)


@router.get("/roles", response=list[RoleOut], summary="Roles and their permissions")
def list_roles(request: HttpRequest) -> list[RoleOut]:
    require(request.user, perms.MANAGE_ROLES)
    return [_role_out(role) for role in Role.objects.all()]


@router.get("/people", response=Page[PersonRolesOut], summary="People with their roles and clearance")
def list_people(
    request: HttpRequest,
    paging: Query[PageIn],
    q: str = Query("", max_length=100, description="Part of a username or name."),  # noqa: B008
) -> dict[str, Any]:
    require(request.user, perms.MANAGE_ROLES)
    people = get_user_model().objects.order_by("username")
    if q.strip():
        people = people.filter(Q(username__icontains=q.strip()) | Q(display_name__icontains=q.strip()))
    return page(people, paging, _person_out)


@router.post("/people/{user_id}/roles", response={201: PersonRolesOut}, summary="Assign a role (三权分立 enforced)")
def assign_role(request: HttpRequest, user_id: int, payload: AssignIn) -> Status[PersonRolesOut]:
    require(request.user, perms.MANAGE_ROLES)
    person = _person(user_id)
    services.assign_role(acting_user=request.user, user=person, role=get_object_or_404(Role, code=payload.role))
    return Status(201, _person_out(person))


@router.delete("/people/{user_id}/roles/{role_code}", response={204: None}, summary="Revoke a role")
def revoke_role(request: HttpRequest, user_id: int, role_code: str) -> Status[None]:
    require(request.user, perms.MANAGE_ROLES)
    services.revoke_role(acting_user=request.user, user=_person(user_id), role=get_object_or_404(Role, code=role_code))
    return Status(204, None)


@router.put("/people/{user_id}/clearance", response=PersonRolesOut, summary="Set a person's clearance")
def set_clearance(request: HttpRequest, user_id: int, payload: ClearanceIn) -> PersonRolesOut:
    require(request.user, perms.MANAGE_CLEARANCE)
    person = _person(user_id)
    services.set_clearance(acting_user=request.user, user=person, rank=payload.rank)
    person.refresh_from_db()
    return _person_out(person)


@router.get("/levels", response=list[LevelOut], summary="Classification levels, least restricted first")
def list_levels(request: HttpRequest) -> list[LevelOut]:
    require(request.user, perms.MANAGE_CLEARANCE)
    return [_level_out(level) for level in ClassificationLevel.objects.all()]


@router.post("/levels", response={201: LevelOut}, summary="Add a level above the highest")
def add_level(request: HttpRequest, payload: LevelIn) -> Status[LevelOut]:
    level = services.add_level(acting_user=request.user, name=payload.name, description=payload.description)
    return Status(201, _level_out(level))


@router.patch("/levels/{rank}", response=LevelOut, summary="Rename a level")
def rename_level(request: HttpRequest, rank: int, payload: LevelRenameIn) -> LevelOut:
    require(request.user, perms.MANAGE_CLEARANCE)
    level = get_object_or_404(ClassificationLevel, rank=rank)
    return _level_out(services.rename_level(acting_user=request.user, level=level, name=payload.name, description=payload.description))


@router.get("/policy", response=list[PolicyValueOut], summary="The security policy in force (read only)")
def policy(request: HttpRequest) -> list[PolicyValueOut]:
    require(request.user, perms.VIEW_SECURITY_POLICY)
    return [
        PolicyValueOut(setting=item.setting, label=str(item.label), value=str(item.value), unit=str(item.unit))
        for section in security_policy.sections() for item in section.values
    ]
