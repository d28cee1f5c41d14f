"""Who works on a step: the step's assignee rule, resolved through the directory.

Rules (the ``assignee`` property of a user task):

=====================  =====================================================
``initiator``          the person who started the process
``user:a,b``           named people (usernames)
``post:<id>``          everyone holding a post
``role:<code>``        everyone holding a role
``group:<id>``         everyone in a group
``department_head``    the initiator's department head (the leader one level up)
``unit_leaders``       the leaders of the initiator's unit
``leader_up:<n>``      the leaders n management levels above the initiator
``chosen``             the people the previous step's actor chose
``field:<name>``       the person or people named in a form field
=====================  =====================================================
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.access.policy import permissions_of
from zhengtong.platform.directory import queries as directory
from zhengtong.platform.directory.models import Group, Post
from zhengtong.platform.prepared import Prepared
from zhengtong.platform.workflow.models import StandingDelegation
from zhengtong.platform.workflow.permissions import MANAGE


def _active(users: Any) -> list[Any]:
    seen: dict[int, Any] = {}
    for user in users:
        if user is not None and user.is_active:
            seen.setdefault(user.pk, user)
    return list(seen.values())


# What a step needs of the people it names: who they are, their name and clearance.
PERSON_FIELDS = ("id", "username", "display_name", "is_active", "clearance")


def _people(today: Any) -> Any:
    """Active people with ``away``: whether a standing delegation of theirs runs ``today``."""
    away = Exists(StandingDelegation.objects.filter(principal=OuterRef("pk"), revoked_at__isnull=True, starts_on__lte=today,
                                                    ends_on__gte=today))
    return get_user_model().objects.filter(is_active=True).only(*PERSON_FIELDS).annotate(away=away)


# The people a step names by username, compiled once per number of names: a step's most frequent query.
_named: dict[int, Prepared[Any]] = {}


def _people_named(names: list[str]) -> dict[str, Any]:
    query = _named.get(len(names))
    if query is None:
        query = _named[len(names)] = Prepared(lambda today, *marked: _people(today).filter(username__in=marked),
                                              kinds=("date", *["str"] * len(names)))
    return {user.username: user for user in query(timezone.localdate(), *names)}


def resolve(rule: str, *, initiator: Any, data: dict[str, Any], chosen: list[str]) -> list[Any]:
    """The people a rule names, in a stable order, without duplicates or disabled people.

    People read here carry ``away``: whether a standing delegation of theirs runs today.
    """
    kind, _sep, argument = rule.partition(":")
    people = _people(timezone.localdate())
    if kind == "initiator":
        return _active([initiator])
    if kind == "user":
        names = list(dict.fromkeys(name.strip() for name in argument.split(",") if name.strip()))
        by_name = _people_named(names) if names else {}
        return _active(by_name.get(name) for name in names)
    if kind == "post":
        post = Post.objects.filter(pk=int(argument)).first() if argument.isdigit() else None
        return _active(directory.holders_of_post(post)) if post else []
    if kind == "role":
        return _active(people.filter(role_assignments__role__code=argument).order_by("username"))
    if kind == "group":
        group = Group.objects.filter(Q(pk=int(argument)) if argument.isdigit() else Q(name=argument)).first()
        return _active(directory.members_of_group(group)) if group else []
    if kind == "department_head":
        return _active(directory.department_head(initiator))
    if kind == "unit_leaders":
        return _active(directory.unit_leaders(initiator))
    if kind == "leader_up":
        return _active(directory.leader_levels_up(initiator, int(argument or "1")))
    if kind == "chosen":
        return _active(people.filter(username__in=chosen).order_by("username"))
    if kind == "field":
        value = data.get(argument)
        names = value if isinstance(value, list) else [value] if value else []
        by_name = {user.username: user for user in people.filter(username__in=names)}
        return _active(by_name.get(name) for name in names)
    raise ServiceError("invalid_definition", _("Unknown assignee rule %(rule)s.") % {"rule": rule})


def process_administrators() -> list[Any]:
    """People holding ``workflow.manage``: where work goes when a rule finds no one."""
    candidates = get_user_model().objects.filter(is_active=True, role_assignments__isnull=False).distinct().order_by("username")
    return [user for user in candidates if MANAGE in permissions_of(user)]


def standing_delegates(people: list[Any], process_key: str) -> dict[int, Any]:
    """Who receives each person's new work today under a standing delegation (委托), by person id (one query)."""
    today = timezone.localdate()
    found: dict[int, Any] = {}
    # People read by ``resolve`` say whether they are away; only they, and the others, need looking up.
    people = [person for person in people if getattr(person, "away", True)]
    if not people:
        return found
    delegations = StandingDelegation.objects.filter(principal__in=people, revoked_at__isnull=True, starts_on__lte=today,
                                                    ends_on__gte=today).select_related("delegate").order_by("principal_id", "-starts_on")
    for delegation in delegations:
        if (not delegation.process_keys or process_key in delegation.process_keys) and delegation.delegate.is_active:
            found.setdefault(delegation.principal_id, delegation.delegate)
    return found
