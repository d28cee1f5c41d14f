"""Reading the organisation: the questions pages, the API and other services ask."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from zhengtong.platform.directory.models import Department, Membership

SEARCH_LIMIT = 50


def ancestors(department: Department) -> list[Department]:
    """The chain from the top unit down to ``department`` itself."""
    chain = [department]
    while chain[-1].parent_id is not None:
        chain.append(Department.objects.get(pk=chain[-1].parent_id))
    return chain[::-1]


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


def search_people(text: str, limit: int = SEARCH_LIMIT) -> list[Any]:
    """Active people whose name contains ``text`` or whose username starts with it; exact names first."""
    text = text.strip()
    if not text:
        return []
    people = (get_user_model().objects.filter(is_active=True, memberships__isnull=False)
              .filter(Q(display_name__icontains=text) | Q(username__istartswith=text)).distinct())
    found = list(people.prefetch_related(Prefetch("memberships", queryset=_posts())).order_by("display_name", "id")[:limit])
    found.sort(key=lambda person: person.display_name != text)
    return found
