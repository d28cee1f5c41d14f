"""Who a notice goes to: audiences resolved through the directory and access, once per person.

An audience is written as a tagged string (forms, the API) or built with ``Audience``:

- ``user:<username>`` — one person (a ``User`` object, or a person's id, may be passed instead);
- ``dept:<id>`` — the people of one department, without its subdepartments;
- ``dept+:<id>`` — the people of a department and every department below it;
- ``post:<id>`` — the holders of a post;
- ``group:<id>`` — the members of a group;
- ``role:<code>`` — the holders of a role.

Disabled people are never recipients; a person reached twice (two posts in one department,
a department and a group) is one recipient.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.directory import queries as directory
from zhengtong.platform.directory.models import Department, Group, Post

KINDS = ("user", "dept", "dept+", "post", "group", "role")


@dataclass(frozen=True)
class Audience:
    kind: str
    key: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"

    @classmethod
    def parse(cls, text: str) -> Audience:
        kind, _sep, key = text.strip().partition(":")
        if kind not in KINDS or not key.strip():
            raise ServiceError("invalid", _("“%(text)s” is not an audience; write e.g. user:wang or dept+:12.") % {"text": text},
                               {"to": [_("Unknown audience “%(text)s”.") % {"text": text}]})
        return cls(kind, key.strip())


def _active() -> Any:
    return get_user_model().objects.filter(is_active=True)


def _ids(audience: Audience) -> set[int]:
    """The active people of one audience; an unknown department, post or group is an error."""
    try:
        if audience.kind == "user":
            people = _active().filter(username=audience.key)
        elif audience.kind == "dept":
            people = _active().filter(memberships__department=Department.objects.get(pk=int(audience.key)))
        elif audience.kind == "dept+":
            people = directory.people_in_subtree(Department.objects.get(pk=int(audience.key)))
        elif audience.kind == "post":
            people = directory.holders_of_post(Post.objects.get(pk=int(audience.key)))
        elif audience.kind == "group":
            people = directory.members_of_group(Group.objects.get(pk=int(audience.key), is_active=True))
        else:
            people = _active().filter(role_assignments__role__code=audience.key)
    except (ValueError, Department.DoesNotExist, Post.DoesNotExist, Group.DoesNotExist):
        raise ServiceError("invalid", _("“%(text)s” does not exist.") % {"text": audience},
                           {"to": [_("Unknown audience “%(text)s”.") % {"text": audience}]}) from None
    # order_by(): the directory's display order is not needed, and DISTINCT with it would not de-duplicate.
    return set(people.order_by().values_list("pk", flat=True))


def resolve(to: Iterable[Any]) -> list[int]:
    """The ids of every active person in ``to`` (people, their ids, ``Audience``s, tagged strings), each once, in id order."""
    found: set[int] = set()
    people: list[int] = []
    for entry in to:
        if isinstance(entry, Audience):
            found |= _ids(entry)
        elif isinstance(entry, str):
            found |= _ids(Audience.parse(entry))
        elif isinstance(entry, int):
            people.append(entry)
        else:
            people.append(entry.pk)
    if people:
        found |= set(_active().filter(pk__in=people).values_list("pk", flat=True))
    return sorted(found)
