"""The scopes a relying party may ask for and the claims each releases about the person.

``openid`` gives the subject (the account's id, stable for life: people are disabled, never
deleted); ``profile`` the name and username; ``email`` and ``phone`` what the account holds;
``departments``, ``posts`` and ``roles`` the person's place in the directory and the roles they
hold, so that an integrated system can map them to its own permissions.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import BaseScopes

from zhengtong.platform.access.models import RoleAssignment
from zhengtong.platform.directory.models import Membership

SCOPES = {
    "openid": _("Know who you are (your account's identifier)"),
    "profile": _("Your name and username"),
    "email": _("Your e-mail address"),
    "phone": _("Your mobile number"),
    "departments": _("The departments you belong to"),
    "posts": _("The posts you hold"),
    "roles": _("The roles you hold in Zhengtong"),
}

# Claim → the scope that releases it.
CLAIM_SCOPE = {
    "sub": "openid",
    "name": "profile",
    "preferred_username": "profile",
    "email": "email",
    "phone_number": "phone",
    "departments": "departments",
    "posts": "posts",
    "roles": "roles",
}


def _memberships(user: Any) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("department", "post").order_by("-is_primary", "department__path", "id"))


def _departments(user: Any) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for membership in _memberships(user):
        department = membership.department
        entry = seen.setdefault(department.pk, {"id": department.pk, "code": department.code or "", "name": department.display_name,
                                                "primary": False, "leader": False})
        entry["primary"] = entry["primary"] or membership.is_primary
        entry["leader"] = entry["leader"] or membership.is_leader
    return list(seen.values())


def _posts(user: Any) -> list[dict[str, Any]]:
    return [{"id": m.post.pk, "name": m.post.name, "department_id": m.department_id} for m in _memberships(user) if m.post is not None]


def _roles(user: Any) -> list[str]:
    return sorted(RoleAssignment.objects.filter(user=user).values_list("role__code", flat=True).distinct())


# Each claim as a callable of the request, so that only the granted scopes' claims are computed.
CLAIMS = {
    "name": lambda request: request.user.display_name or request.user.username,
    "preferred_username": lambda request: request.user.username,
    "email": lambda request: request.user.email or None,
    "phone_number": lambda request: request.user.mobile or None,
    "departments": lambda request: _departments(request.user),
    "posts": lambda request: _posts(request.user),
    "roles": lambda request: _roles(request.user),
}


class Scopes(BaseScopes):
    """django-oauth-toolkit's scopes backend: the scopes above, ``openid`` when a client asks for none."""

    def get_all_scopes(self) -> dict[str, Any]:
        return dict(SCOPES)

    def get_available_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return list(SCOPES)

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return ["openid"]
