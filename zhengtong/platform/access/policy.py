"""The one place that decides "may this person do this to this object".

Views, API handlers and services all ask ``can``/``require``; lists are narrowed with
``visible``. A decision combines, in this order:

1. the person is signed in and active;
2. the object's classification is not above the person's clearance — otherwise the object
   does not exist for them (``require`` raises 404, never 403, so nothing leaks);
3. a permission held through a role, an object grant, or an app's rule for the action (the
   ``RULES`` of the module an app's manifest names).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from zhengtong.platform import registry
from zhengtong.platform.access.models import ObjectGrant, RoleAssignment

M = TypeVar("M", bound=models.Model)


def permissions_of(user: Any) -> frozenset[str]:
    """The permission codes a person holds through roles, cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_zt_permissions", None)
    if cached is None:
        codes: set[str] = set()
        for permissions in RoleAssignment.objects.filter(user=user).values_list("role__permissions", flat=True):
            codes.update(permissions or [])
        cached = frozenset(codes)
        user._zt_permissions = cached
    return cached


def role_codes_of(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    # A person signed in by token arrives with the codes of their current version.
    cached = getattr(user, "_zt_role_codes", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    return frozenset(RoleAssignment.objects.filter(user=user).values_list("role__code", flat=True))


def forget(user: Any) -> None:
    """Drop the cached permissions and role codes after a role change within the same request."""
    for cached in ("_zt_permissions", "_zt_role_codes"):
        if hasattr(user, cached):
            delattr(user, cached)


def clearance_of(user: Any) -> int:
    return int(getattr(user, "clearance", 0)) if getattr(user, "is_authenticated", False) else -1


def classification_of(obj: Any) -> int:
    return int(getattr(obj, "classification", 0) or 0)


def is_visible(user: Any, obj: Any) -> bool:
    return classification_of(obj) <= clearance_of(user)


def _granted(user: Any, action: str, obj: models.Model) -> bool:
    now = timezone.now()
    return ObjectGrant.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        user=user,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
    ).exists()


def can(user: Any, action: str, obj: Any = None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if obj is not None and not is_visible(user, obj):
        return False
    if action in permissions_of(user):
        return True
    # The app's rule before the grants: it usually answers from the object itself, a grant needs a query.
    app_rule = registry.current().rules.get(action)
    if app_rule and app_rule(user, obj):
        return True
    return isinstance(obj, models.Model) and obj.pk is not None and _granted(user, action, obj)


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise 404 for an object the person may not know exists, 403 for a refused action."""
    if obj is not None and not is_visible(user, obj):
        raise Http404
    if not can(user, action, obj):
        # The action names what was wanted, for the audit record of the refusal.
        raise PermissionDenied(action)


def visible(user: Any, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Narrow a queryset to the rows whose classification the person may see."""
    field_names = {field.name for field in queryset.model._meta.get_fields()}
    if "classification" not in field_names:
        return queryset
    return queryset.filter(classification__lte=clearance_of(user))
