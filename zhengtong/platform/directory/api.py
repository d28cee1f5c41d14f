"""The directory's read API: the tree, departments, people, search, groups, as the caller may see them.

Staff and the system administrator read (``rules.VIEW``); every answer goes through
``contacts``, so hidden departments are 404 and hidden contact fields are null, as in the pages.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from zhengtong.platform.access.policy import require
from zhengtong.platform.directory import contacts
from zhengtong.platform.directory.contacts import Card
from zhengtong.platform.directory.models import Department, Group, Membership
from zhengtong.platform.directory.rules import VIEW
from zhengtong.platform.directory.visibility import Viewer, viewer_of

router = Router(tags=["directory"])


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str = Field(description="unit, department or leadership (局领导)")
    parent_id: int | None
    depth: int
    order: int
    phone: str


class PostOut(Schema):
    department_id: int
    department: str
    post: str | None
    is_primary: bool
    is_leader: bool
    is_deputy: bool


class PersonOut(Schema):
    id: int
    username: str
    name: str
    status: str = Field(description="on_duty, travelling or on_leave")
    posts: list[PostOut] = Field(description="The posts the caller may see, the primary one first.")
    office_phone: str | None = Field(description="null: not shown to the caller")
    mobile: str | None = Field(description="null: not shown to the caller")
    email: str | None = Field(description="null: not shown to the caller")


class PersonCardOut(PersonOut):
    superiors: list[PersonOut] = Field(description="The direct superior, or the department head(s).")


class DepartmentDetailOut(DepartmentOut):
    trail: list[DepartmentOut] = Field(description="From the top unit down to this department.")
    children: list[DepartmentOut]
    members: list[PersonOut] = Field(description="In display order: heads, deputies, then the others.")


class GroupOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    unit_id: int | None


class GroupMemberOut(PersonOut):
    is_group_leader: bool


class GroupDetailOut(GroupOut):
    members: list[GroupMemberOut] = Field(description="Leaders first.")


class LevelsQuery(Schema):
    levels: int = Field(1, ge=1, le=10, description="1: the department head (or the direct superior); 2: the level above …")


def _reader(request: HttpRequest) -> Viewer:
    require(request.user, VIEW)
    return viewer_of(request.user)


def _department(department: Department) -> DepartmentOut:
    return DepartmentOut(id=department.pk, name=department.name, short_name=department.short_name, kind=department.kind,
                         parent_id=department.parent_id, depth=department.depth, order=department.order, phone=department.phone)


def _post(membership: Membership) -> PostOut:
    return PostOut(department_id=membership.department_id, department=membership.department.name,
                   post=membership.post.name if membership.post else None, is_primary=membership.is_primary,
                   is_leader=membership.is_leader, is_deputy=membership.is_deputy)


def _person_fields(card: Card) -> dict[str, Any]:
    return {"id": card.user.pk, "username": card.user.username, "name": card.user.get_full_name(), "status": card.status,
            "posts": [_post(membership) for membership in card.memberships], "office_phone": card.office_phone,
            "mobile": card.mobile, "email": card.email}


def _person(card: Card) -> PersonOut:
    return PersonOut(**_person_fields(card))


def _group(group: Group) -> dict[str, Any]:
    return {"id": group.pk, "name": group.name, "kind": group.kind, "description": group.description, "unit_id": group.unit_id}


def _department_detail(viewer: Viewer, department: Department) -> DepartmentDetailOut:
    return DepartmentDetailOut(
        **_department(department).dict(),
        trail=[_department(node) for node in contacts.trail(viewer, department)],
        children=[_department(child) for child in contacts.subdepartments(viewer, department)],
        members=[_person(card) for card in contacts.department_cards(viewer, department)],
    )


@router.get("/tree", response=list[DepartmentOut], summary="Every department I may see, parents before children")
def tree(request: HttpRequest) -> list[DepartmentOut]:
    return [_department(department) for department in contacts.tree(_reader(request))]


@router.get("/departments/{department_id}", response=DepartmentDetailOut, summary="A department with its people")
def department(request: HttpRequest, department_id: int) -> DepartmentDetailOut:
    viewer = _reader(request)
    return _department_detail(viewer, contacts.department(viewer, department_id))


@router.get("/me/department", response=DepartmentDetailOut, summary="My (primary) department with its people")
def my_department(request: HttpRequest) -> DepartmentDetailOut:
    viewer = _reader(request)
    mine = contacts.my_departments(viewer)
    if not mine:
        raise Http404
    return _department_detail(viewer, mine[0])


@router.get("/people/{person_id}", response=PersonCardOut, summary="A person's card; contact fields I may not see are null")
def person(request: HttpRequest, person_id: int) -> PersonCardOut:
    card = contacts.person(_reader(request), person_id)
    return PersonCardOut(**_person_fields(card), superiors=[_person(superior) for superior in card.superiors])


@router.get("/people/{person_id}/leaders", response=list[PersonOut], summary="The leaders a number of levels above a person")
def leaders(request: HttpRequest, person_id: int, query: Query[LevelsQuery]) -> list[PersonOut]:
    viewer = _reader(request)
    card = contacts.person(viewer, person_id)
    return [_person(leader) for leader in contacts.leaders(viewer, card.user, query.levels)]


@router.get("/search", response=list[PersonOut], summary="Search people by name, pinyin, initials, department, post or group")
def search(request: HttpRequest, q: str = Query(..., min_length=1, max_length=contacts.QUERY_MAX_LENGTH)) -> list[PersonOut]:
    return [_person(card) for card in contacts.search(_reader(request), q)]


@router.get("/groups", response=list[GroupOut], summary="Groups across departments")
def groups(request: HttpRequest) -> list[GroupOut]:
    _reader(request)
    return [GroupOut(**_group(group)) for group in contacts.groups()]


@router.get("/groups/{group_id}", response=GroupDetailOut, summary="A group with the members I may see, leaders first")
def group(request: HttpRequest, group_id: int) -> GroupDetailOut:
    viewer = _reader(request)
    found = contacts.group(group_id)
    return GroupDetailOut(**_group(found), members=[GroupMemberOut(**_person_fields(card), is_group_leader=card.is_group_leader)
                                                    for card in contacts.group_cards(viewer, found)])
