"""Reading the organisation: the questions pages, the API and other services ask."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from zhengtong.platform.directory.models import Department, Membership


def ancestors(department: Department) -> list[Department]:
    """The chain from the top unit down to ``department`` itself, read in one query from its path."""
    ids = [int(part) for part in department.path.strip("/").split("/") if part]
    by_id = Department.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id] or [department]


def units() -> QuerySet[Department]:
    return Department.objects.filter(parent__isnull=True, is_active=True)


def children(department: Department) -> QuerySet[Department]:
    return department.children.filter(is_active=True)


def _posts() -> QuerySet[Membership]:
    return Membership.objects.select_related("department", "post").order_by("-is_primary", "id")


def members(department: Department) -> QuerySet[Membership]:
    """The people of one department in display order (leaders first), each with all their posts."""
    return (Membership.objects.filter(department=department, user__is_active=True)
            .select_related("user", "post").prefetch_related(Prefetch("user__memberships", queryset=_posts()))
            .order_by("-is_leader", "order", "post__order", "id"))


def primary_department(user: Any) -> Department | None:
    membership = Membership.objects.filter(user=user, is_primary=True).select_related("department").first()
    return membership.department if membership else None


# --- The organisational questions (asked by workflow assignment rules, pages and the API) ---


def _people(**filters: Any) -> QuerySet[Any]:
    return get_user_model().objects.filter(is_active=True, **filters).distinct()


def departments_of(user: Any) -> list[Department]:
    """The departments a person works in, the primary one first (一人多职)."""
    return [membership.department for membership in
            Membership.objects.filter(user=user).select_related("department").order_by("-is_primary", "order", "id")]


def unit_of(department: Department) -> Department:
    """The nearest unit at or above a department."""
    for node in reversed(ancestors(department)):
        if node.kind == Department.Kind.UNIT:
            return node
    return ancestors(department)[0]


def heads_of(department: Department, *, with_deputies: bool = False) -> list[Any]:
    """A department's heads in display order (several allowed); deputies after them if asked.

    A unit's heads are the leaders of its leadership (局领导) and any leader placed on the unit itself.
    """
    places = [department]
    if department.kind == Department.Kind.UNIT:
        places += list(department.children.filter(kind=Department.Kind.LEADERSHIP, is_active=True))
    roles = Q(is_leader=True) | Q(is_deputy=True) if with_deputies else Q(is_leader=True)
    memberships = (Membership.objects.filter(roles, department__in=places, user__is_active=True)
                   .select_related("user").order_by("is_deputy", "order", "id"))
    seen: dict[int, Any] = {}
    for membership in memberships:
        seen.setdefault(membership.user_id, membership.user)
    return list(seen.values())


def deputies_of(department: Department) -> list[Any]:
    return [person for person in heads_of(department, with_deputies=True) if person not in heads_of(department)]


def unit_leaders(user: Any) -> list[Any]:
    """The leaders of the unit of a person's primary department."""
    department = primary_department(user)
    return heads_of(unit_of(department)) if department else []


def _management_chain(department: Department) -> list[Department]:
    """The department and each level above it that has a head, nearest first.

    A leadership (局领导) stands for its unit, so the step above a unit's departments is the
    unit's leaders.
    """
    return [node for node in reversed(ancestors(department)) if node.kind != Department.Kind.LEADERSHIP]


def leader_levels_up(user: Any, levels: int = 1, *, department: Department | None = None) -> list[Any]:
    """The leaders ``levels`` management levels above a person (1: their department head).

    A person who heads their own department reports to the level above it; levels with no
    head are passed over. An explicitly set direct superior answers level 1. Counted from
    their primary department, or from ``department`` (another of theirs) when given.
    """
    if levels < 1:
        raise ValueError("levels counts from 1")
    department = department or primary_department(user)
    if department is None:
        return []
    if levels == 1:
        superior = _explicit_superior(user)
        if superior is not None:
            return [superior]
    found = 0
    for node in _management_chain(department):
        heads = heads_of(node)
        if not heads or any(head.pk == user.pk for head in heads):
            continue
        found += 1
        if found == levels:
            return heads
    return []


def department_head(user: Any) -> list[Any]:
    """The person's department head(s): the leader one level up."""
    return leader_levels_up(user, 1)


def _explicit_superior(user: Any) -> Any:
    from zhengtong.platform.directory.models import Person

    person = Person.objects.filter(user=user).select_related("superior").first()
    return person.superior if person and person.superior and person.superior.is_active else None


def people_in_subtree(department: Department) -> QuerySet[Any]:
    """Everyone working in a department or any department below it."""
    return _people(memberships__department__path__startswith=department.path).order_by("display_name", "id")


def holders_of_post(post: Any) -> QuerySet[Any]:
    return _people(memberships__post=post).order_by("display_name", "id")


def members_of_group(group: Any) -> QuerySet[Any]:
    return _people(group_memberships__group=group).order_by("display_name", "id")
