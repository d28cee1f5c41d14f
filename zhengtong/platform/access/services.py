"""Changing who may do what: the security administrator's operations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.models import ClassificationLevel, ObjectGrant, Role, RoleAssignment
from zhengtong.platform.access.policy import forget, require
from zhengtong.platform.audit import services as audit


def assign_role(*, acting_user: Any, user: Any, role: Role) -> RoleAssignment:
    """Give ``user`` a role. The three administrator roles never meet on one person (三权分立)."""
    if acting_user is not None:
        require(acting_user, perms.MANAGE_ROLES)
    user_model = get_user_model()
    with transaction.atomic():
        # Lock the person so two concurrent assignments cannot both pass the check below.
        user = user_model.objects.select_for_update().get(pk=user.pk)
        held = set(RoleAssignment.objects.filter(user=user).values_list("role__code", flat=True))
        if role.code in held:
            raise Conflict("duplicate", _("%(user)s already has the role %(role)s.") % {"user": user, "role": role.name})
        if role.is_admin_role and held & perms.ADMIN_ROLE_CODES:
            other = Role.objects.filter(code__in=held & perms.ADMIN_ROLE_CODES).first()
            raise Conflict(
                "separation_of_duties",
                _("%(user)s is already %(other)s; one person cannot also be %(role)s (separation of duties).")
                % {"user": user, "other": other.name if other else "", "role": role.name},
            )
        assignment = RoleAssignment.objects.create(user=user, role=role, granted_by=acting_user)
        audit.record("access.role_assigned", actor=acting_user, obj=user, changes={"roles": [sorted(held), sorted(held | {role.code})]})
    forget(user)
    return assignment


def revoke_role(*, acting_user: Any, user: Any, role: Role) -> None:
    require(acting_user, perms.MANAGE_ROLES)
    with transaction.atomic():
        held = set(RoleAssignment.objects.filter(user=user).values_list("role__code", flat=True))
        deleted, _details = RoleAssignment.objects.filter(user=user, role=role).delete()
        if not deleted:
            raise ServiceError("not_found", _("%(user)s does not have the role %(role)s.") % {"user": user, "role": role.name})
        audit.record("access.role_revoked", actor=acting_user, obj=user, changes={"roles": [sorted(held), sorted(held - {role.code})]})
    forget(user)


def save_role(*, acting_user: Any, code: str, name: str, permissions: list[str], description: str = "") -> Role:
    """Create or change a custom role. Built-in roles keep their permissions."""
    require(acting_user, perms.MANAGE_ROLES)
    unknown = sorted(set(permissions) - set(perms.CATALOGUE))
    if unknown:
        raise ServiceError("invalid", _("Unknown permissions: %(codes)s") % {"codes": ", ".join(unknown)}, {"permissions": unknown})
    admin_only = set(permissions) & {p for r in perms.BUILTIN_ROLES if r.is_admin_role for p in r.permissions}
    if admin_only:
        raise ServiceError("invalid", _("Administrator permissions belong to the built-in administrator roles only."), {"permissions": sorted(admin_only)})
    with transaction.atomic():
        role = Role.objects.select_for_update().filter(code=code).first()
        if role is not None and role.is_builtin:
            raise ServiceError("builtin", _("Built-in roles cannot be changed."))
        before = {"name": role.name, "permissions": role.permissions} if role else {}
        role = role or Role(code=code)
        role.name, role.description, role.permissions = name, description, sorted(set(permissions))
        role.save()
        audit.record("access.role_saved", actor=acting_user, obj=role, changes=audit.diff(before, {"name": role.name, "permissions": role.permissions}))
    return role


def set_clearance(*, acting_user: Any, user: Any, rank: int) -> None:
    """Label a person with the highest classification level they may see."""
    require(acting_user, perms.MANAGE_CLEARANCE)
    if not ClassificationLevel.objects.filter(rank=rank).exists():
        raise ServiceError("invalid", _("There is no classification level %(rank)d.") % {"rank": rank}, {"rank": [_("Unknown level.")]})
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.select_for_update().get(pk=user.pk)
        before = user.clearance
        user.clearance = rank
        user.save(update_fields=["clearance"])
        audit.record("access.clearance_set", actor=acting_user, obj=user, changes={"clearance": [before, rank]})


def grant(*, acting_user: Any, user: Any, action: str, obj: models.Model, expires_at: datetime | None = None) -> ObjectGrant:
    require(acting_user, perms.MANAGE_GRANTS)
    with transaction.atomic():
        created = ObjectGrant.objects.create(
            user=user, action=action, content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk), granted_by=acting_user, expires_at=expires_at,
        )
        audit.record("access.granted", actor=acting_user, obj=obj, detail=f"{action} → {user.username}")
    return created


def revoke_grant(*, acting_user: Any, object_grant: ObjectGrant) -> None:
    require(acting_user, perms.MANAGE_GRANTS)
    with transaction.atomic():
        audit.record("access.grant_revoked", actor=acting_user, obj=object_grant, detail=f"{object_grant.action} → {object_grant.user}")
        object_grant.delete()
