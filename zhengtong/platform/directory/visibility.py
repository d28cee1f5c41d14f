"""Who sees what in the directory, decided through ``access`` rules.

Two kinds of restriction, both set by administrators:

- a confidential department (``Department.is_confidential``) is hidden, with everything
  below it, from everyone outside it;
- a ``FieldRestriction`` narrows who sees a contact field (mobile, e-mail, office phone) of
  some people, e.g. leaders' mobiles only within their own department.

Pages, search and the API all ask ``can(viewer, VIEW_DEPARTMENT, department)`` and
``can(viewer, VIEW_FIELD[field], contact)`` (or the list helpers below, which apply the same
rules without a query per row). Holders of ``directory.view_all`` see everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from zhengtong.platform.access.policy import can, permissions_of
from zhengtong.platform.directory.models import Department, FieldRestriction, Membership
from zhengtong.platform.directory.permissions import VIEW_ALL

VIEW_DEPARTMENT = "directory.view_department"
VIEW_FIELD = {name: f"directory.view_{name}" for name in FieldRestriction.Field.values}


@dataclass
class Viewer:
    """What the rules need to know about the person looking, computed once per request."""

    user: Any
    department_ids: set[int]
    paths: list[str]
    unit_ids: set[int]
    sees_all: bool
    hidden_paths: list[str]
    restrictions: list[FieldRestriction]


@dataclass
class Contact:
    """A person as the directory shows them: the account and the memberships shown."""

    user: Any
    memberships: list[Membership] = field(default_factory=list)
    classification: int = 0


def _unit_ids() -> set[int]:
    return set(Department.objects.filter(kind=Department.Kind.UNIT).values_list("pk", flat=True))


def _nearest_unit(path: str, units: set[int]) -> int | None:
    ids = [int(part) for part in path.strip("/").split("/") if part]
    return next((pk for pk in reversed(ids) if pk in units), ids[0] if ids else None)


def viewer_of(user: Any) -> Viewer:
    cached = getattr(user, "_zt_directory_viewer", None)
    if cached is not None:
        return cached
    memberships = list(Membership.objects.filter(user=user).select_related("department")) if user.is_authenticated else []
    paths = [membership.department.path for membership in memberships]
    units = _unit_ids()
    confidential = Department.objects.filter(is_confidential=True).values_list("path", flat=True)
    viewer = Viewer(
        user=user,
        department_ids={membership.department_id for membership in memberships},
        paths=paths,
        unit_ids={unit for unit in (_nearest_unit(path, units) for path in paths) if unit is not None},
        sees_all=VIEW_ALL in permissions_of(user),
        hidden_paths=[secret for secret in confidential if not any(path.startswith(secret) for path in paths)],
        restrictions=list(FieldRestriction.objects.select_related("department")),
    )
    if user.is_authenticated:
        user._zt_directory_viewer = viewer
    return viewer


def department_visible(viewer: Viewer, department: Department) -> bool:
    return viewer.sees_all or not any(department.path.startswith(hidden) for hidden in viewer.hidden_paths)


def hide_departments(viewer: Viewer, departments: QuerySet[Department], prefix: str = "") -> QuerySet[Department]:
    """Narrow a queryset of departments (or of rows with a department at ``prefix``)."""
    if viewer.sees_all or not viewer.hidden_paths:
        return departments
    hidden = Q()
    for path in viewer.hidden_paths:
        hidden |= Q(**{f"{prefix}path__startswith": path})
    return departments.exclude(hidden)


def shown_memberships(viewer: Viewer, memberships: list[Membership]) -> list[Membership]:
    """The memberships a viewer may see (a post in a confidential department stays hidden)."""
    return [membership for membership in memberships if department_visible(viewer, membership.department)]


def _applies(restriction: FieldRestriction, memberships: list[Membership]) -> bool:
    if restriction.subjects == FieldRestriction.Subjects.EVERYONE:
        return True
    if restriction.subjects == FieldRestriction.Subjects.LEADERS:
        return any(membership.is_leader or membership.is_deputy for membership in memberships)
    scope = restriction.department.path if restriction.department else None
    return scope is not None and any(membership.department.path.startswith(scope) for membership in memberships)


def _in_audience(restriction: FieldRestriction, viewer: Viewer, memberships: list[Membership]) -> bool:
    if restriction.audience == FieldRestriction.Audience.SAME_DEPARTMENT:
        return bool(viewer.department_ids & {membership.department_id for membership in memberships})
    if restriction.audience == FieldRestriction.Audience.SAME_UNIT:
        units = _unit_ids()
        theirs = {_nearest_unit(membership.department.path, units) for membership in memberships}
        return bool(viewer.unit_ids & theirs)
    return False


def field_visible(viewer: Viewer, name: str, contact: Contact) -> bool:
    if viewer.sees_all or contact.user.pk == viewer.user.pk:
        return True
    return all(
        _in_audience(restriction, viewer, contact.memberships)
        for restriction in viewer.restrictions
        if restriction.field == name and _applies(restriction, contact.memberships)
    )


def may_view_department(user: Any, department: Department) -> bool:
    return department_visible(viewer_of(user), department)


def _field_rule(name: str) -> Callable[[Any, Contact], bool]:
    def may_view_field(user: Any, contact: Contact) -> bool:
        return field_visible(viewer_of(user), name, contact)

    return may_view_field


FIELD_RULES = {VIEW_FIELD[name]: _field_rule(name) for name in VIEW_FIELD}


def _office_phone(contact: Contact) -> str:
    """The person's own office number if recorded, else the first post's."""
    try:
        own = contact.user.directory_person.office_phone
    except ObjectDoesNotExist:
        own = ""
    return own or next((membership.office_phone for membership in contact.memberships if membership.office_phone), "")


def contact_details(viewer_user: Any, contact: Contact) -> dict[str, str | None]:
    """The contact fields of a person as ``viewer_user`` may see them (None: hidden)."""
    person = contact.user
    values = {
        "mobile": person.mobile,
        "email": person.email,
        "office_phone": _office_phone(contact),
    }
    return {name: value if can(viewer_user, VIEW_FIELD[name], contact) else None for name, value in values.items()}
