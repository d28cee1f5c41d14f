"""The directory as one viewer may see it: what the 通讯录 pages and the read API show.

Every list and every card goes through ``visibility``: departments hidden from the viewer
are left out (and are 404 when asked for directly), a person is shown only with the posts
the viewer may see (and not at all when none is left), and each contact field the viewer
may not see is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404

from zhengtong.platform.directory import queries
from zhengtong.platform.directory.models import ContactUse, Department, Group, GroupMember, Membership, Person
from zhengtong.platform.directory.search import search_people
from zhengtong.platform.directory.visibility import (
    Contact,
    Viewer,
    contact_details,
    department_visible,
    hide_departments,
    shown_memberships,
)

RECENT_LIMIT = 10
SEARCH_LIMIT = 50
# The longest search text, on the page and in the API alike.
QUERY_MAX_LENGTH = 50
# Leadership (局领导) first among siblings, then the display order.
SIBLING_ORDER = (Case(When(kind=Department.Kind.LEADERSHIP, then=Value(0)), default=Value(1), output_field=IntegerField()),
                 "order", "name", "id")


@dataclass
class Card:
    """A person as the viewer may see them; ``membership`` is the post being listed, if any."""

    user: Any
    memberships: list[Membership]
    mobile: str | None
    email: str | None
    office_phone: str | None
    status: str
    status_label: str
    membership: Membership | None = None
    is_group_leader: bool = False
    superiors: list[Card] = field(default_factory=list)

    @property
    def is_leader(self) -> bool:
        return bool(self.membership and self.membership.is_leader)

    @property
    def is_deputy(self) -> bool:
        return bool(self.membership and self.membership.is_deputy)


def _people() -> QuerySet[Any]:
    return (get_user_model().objects.filter(is_active=True).select_related("directory_person")
            .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("department", "post")
                                       .order_by("-is_primary", "order", "id"))))


def _person_of(user: Any) -> Person | None:
    try:
        return user.directory_person
    except Person.DoesNotExist:
        return None


def card_of(viewer: Viewer, user: Any, membership: Membership | None = None) -> Card | None:
    """The card of ``user`` (from ``_people()``), or None when the viewer may see none of their posts."""
    held = list(user.memberships.all())
    shown = shown_memberships(viewer, held)
    if not shown and user.pk != viewer.user.pk:
        return None
    details = contact_details(viewer.user, Contact(user, held))
    person = _person_of(user)
    status = person.status if person else Person.Status.ON_DUTY
    return Card(user=user, memberships=shown, mobile=details["mobile"], email=details["email"], office_phone=details["office_phone"],
                status=status, status_label=str(Person.Status(status).label), membership=membership)


def cards(viewer: Viewer, users: list[Any]) -> list[Card]:
    return [card for card in (card_of(viewer, user) for user in users) if card is not None]


def _cards_by_id(viewer: Viewer, ids: list[int]) -> list[Card]:
    """Cards for people given by id, in the order given."""
    by_id = _people().in_bulk(ids)
    return cards(viewer, [by_id[pk] for pk in ids if pk in by_id])


# --- Departments ---------------------------------------------------------------------------


def units(viewer: Viewer) -> list[Department]:
    return list(hide_departments(viewer, queries.units()).order_by(*SIBLING_ORDER))


def subdepartments(viewer: Viewer, department: Department) -> list[Department]:
    return list(hide_departments(viewer, queries.children(department)).order_by(*SIBLING_ORDER))


def tree(viewer: Viewer) -> list[Department]:
    """Every active department the viewer may see, parents before children, siblings in display order."""
    visible = list(hide_departments(viewer, Department.objects.filter(is_active=True)).order_by(*SIBLING_ORDER))
    children: dict[int | None, list[Department]] = {}
    for department in visible:
        children.setdefault(department.parent_id, []).append(department)
    shown = {department.pk for department in visible}
    roots = [department for department in visible if department.parent_id not in shown]
    ordered: list[Department] = []
    stack = list(reversed(roots))
    while stack:
        department = stack.pop()
        ordered.append(department)
        stack.extend(reversed(children.get(department.pk, [])))
    return ordered


def department(viewer: Viewer, pk: int) -> Department:
    """An active department the viewer may see; 404 otherwise (a hidden one does not exist for them)."""
    found = Department.objects.filter(pk=pk, is_active=True).first()
    if found is None or not department_visible(viewer, found):
        raise Http404
    return found


def trail(viewer: Viewer, found: Department) -> list[Department]:
    return [node for node in queries.ancestors(found) if department_visible(viewer, node)]


def department_cards(viewer: Viewer, found: Department) -> list[Card]:
    """The department's people in display order: heads, then deputies, then the others."""
    memberships = (Membership.objects.filter(department=found, user__is_active=True).select_related("post")
                   .order_by("-is_leader", "-is_deputy", "order", "post__order", "id"))
    rows = list(memberships)
    by_id = _people().in_bulk([row.user_id for row in rows])
    found_cards = (card_of(viewer, by_id[row.user_id], row) for row in rows if row.user_id in by_id)
    return [card for card in found_cards if card is not None]


def my_departments(viewer: Viewer) -> list[Department]:
    return [found for found in queries.departments_of(viewer.user) if found.is_active and department_visible(viewer, found)]


# --- People --------------------------------------------------------------------------------


def person(viewer: Viewer, pk: int) -> Card:
    """One person's card with their superiors; 404 when the viewer may see none of their posts."""
    user = _people().filter(pk=pk).first()
    card = card_of(viewer, user) if user is not None else None
    if card is None:
        raise Http404
    card.superiors = leaders(viewer, user, 1)
    return card


def leaders(viewer: Viewer, user: Any, levels: int) -> list[Card]:
    """The leaders above a person as the viewer may see the organisation.

    When their primary department is hidden from the viewer, the count starts from the first
    department of theirs the viewer may see: the hidden one's head would tell who runs it.
    """
    held = list(Membership.objects.filter(user=user).select_related("department").order_by("-is_primary", "order", "id"))
    shown = shown_memberships(viewer, held)
    if not shown:
        return []
    start = None if shown[0].is_primary else shown[0].department
    return _cards_by_id(viewer, [leader.pk for leader in queries.leader_levels_up(user, levels, department=start)])


def search(viewer: Viewer, text: str) -> list[Card]:
    """The search engine's results (it already leaves out what the viewer may not see), as cards."""
    return _cards_by_id(viewer, [result.user.pk for result in search_people(viewer.user, text, limit=SEARCH_LIMIT)])


def recent(viewer: Viewer) -> list[Card]:
    uses = ContactUse.objects.filter(owner=viewer.user).order_by("-last_used_at", "-id")
    return _cards_by_id(viewer, list(uses.values_list("contact_id", flat=True)[:RECENT_LIMIT]))


def frequent(viewer: Viewer) -> list[Card]:
    uses = ContactUse.objects.filter(owner=viewer.user).order_by("-uses", "-last_used_at", "-id")
    return _cards_by_id(viewer, list(uses.values_list("contact_id", flat=True)[:RECENT_LIMIT]))


# --- Groups --------------------------------------------------------------------------------


def groups() -> QuerySet[Group]:
    return Group.objects.filter(is_active=True).select_related("unit")


def group(pk: int) -> Group:
    found = groups().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def group_cards(viewer: Viewer, found: Group) -> list[Card]:
    """The members the viewer may see, leaders first."""
    rows = list(GroupMember.objects.filter(group=found, user__is_active=True).order_by("-is_leader", "order", "id"))
    by_id = _people().in_bulk([row.user_id for row in rows])
    shown = []
    for row in rows:
        card = card_of(viewer, by_id[row.user_id]) if row.user_id in by_id else None
        if card is not None:
            card.is_group_leader = row.is_leader
            shown.append(card)
    return shown

