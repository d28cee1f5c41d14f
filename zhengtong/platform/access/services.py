"""Changing who may do what: the security administrator's operations.

Two rules hold here besides the permission checks: the three administrator roles never meet
on one person (三权分立), and nobody changes their own roles, clearance or grants — an
administrator who could would no longer be held by the separation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, Forbidden, NotFound, ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.models import ClassificationLevel, ObjectGrant, Role, RoleAssignment
from zhengtong.platform.access.policy import forget, require
from zhengtong.platform.audit import services as audit


def _not_self(acting_user: Any, user: Any) -> None:
    if acting_user is not None and acting_user.pk == user.pk:
        raise Forbidden("self", _("You cannot change your own roles, clearance or grants; ask another security administrator."))


def _role_codes(user: Any) -> set[str]:
    return set(RoleAssignment.objects.filter(user=user).values_list("role__code", flat=True))


# --- Role assignments --------------------------------------------------------------------


def assign_role(*, acting_user: Any, user: Any, role: Role) -> RoleAssignment:
    """Give ``user`` a role. ``acting_user`` None is the system itself (setup, demo data)."""
    if acting_user is not None:
        require(acting_user, perms.MANAGE_ROLES)
    _not_self(acting_user, user)
    with transaction.atomic():
        # Lock the person so two concurrent assignments cannot both pass the check below.
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        held = _role_codes(user)
        if role.code in held:
            raise Conflict("duplicate", _("%(user)s already has the role %(role)s.") % {"user": user, "role": role.label})
        if role.is_admin_role and held & perms.ADMIN_ROLE_CODES:
            other = Role.objects.filter(code__in=held & perms.ADMIN_ROLE_CODES).first()
            raise Conflict(
                "separation_of_duties",
                _("%(user)s is already %(other)s; one person cannot also be %(role)s (separation of duties).")
                % {"user": user, "other": other.label if other else "", "role": role.label},
                {"role": [_("One person holds at most one administrator role.")]},
            )
        assignment = RoleAssignment.objects.create(user=user, role=role, granted_by=acting_user)
        get_user_model().objects.identity_changed([user.pk])
        audit.record("access.role_assigned", actor=acting_user, obj=user, changes={"roles": [sorted(held), sorted(held | {role.code})]})
    forget(user)
    return assignment


def revoke_role(*, acting_user: Any, user: Any, role: Role) -> None:
    require(acting_user, perms.MANAGE_ROLES)
    _not_self(acting_user, user)
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        held = _role_codes(user)
        deleted, _details = RoleAssignment.objects.filter(user=user, role=role).delete()
        if not deleted:
            raise NotFound("not_found", _("%(user)s does not have the role %(role)s.") % {"user": user, "role": role.label})
        get_user_model().objects.identity_changed([user.pk])
        audit.record("access.role_revoked", actor=acting_user, obj=user, changes={"roles": [sorted(held), sorted(held - {role.code})]})
    forget(user)


# --- Custom roles ------------------------------------------------------------------------


def _checked_role_fields(name: str, permissions: list[str]) -> tuple[str, list[str]]:
    name = name.strip()
    if not name:
        raise ServiceError("invalid", _("A role needs a name."), {"name": [_("This field is required.")]})
    unknown = sorted(set(permissions) - set(perms.catalogue()))
    if unknown:
        raise ServiceError("invalid", _("Unknown permissions: %(codes)s") % {"codes": ", ".join(unknown)}, {"permissions": unknown})
    admin_only = sorted(set(permissions) & perms.ADMIN_PERMISSIONS)
    if admin_only:
        message = _("Administrator permissions belong to the built-in administrator roles only.")
        raise ServiceError("invalid", message, {"permissions": [message]})
    return name, sorted(set(permissions))


def create_role(*, acting_user: Any, code: str, name: str, permissions: list[str], description: str = "") -> Role:
    """Create a custom role from permissions in the catalogue."""
    require(acting_user, perms.MANAGE_ROLES)
    name, permissions = _checked_role_fields(name, permissions)
    role = Role(code=code.strip(), name=name, description=description.strip(), permissions=permissions)
    try:
        role.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise ServiceError("invalid", _("The role details are not valid."), exc.message_dict) from None
    with transaction.atomic():
        if Role.objects.select_for_update().filter(code=role.code).exists():
            raise Conflict("duplicate", _("A role with the code %(code)s exists.") % {"code": role.code},
                           {"code": [_("This code is taken.")]})
        role.save()
        audit.record("access.role_created", actor=acting_user, obj=role,
                     changes=audit.diff({}, {"name": role.name, "description": role.description, "permissions": role.permissions}))
    return role


def update_role(*, acting_user: Any, role: Role, name: str, permissions: list[str], description: str = "") -> Role:
    """Change a custom role. Built-in roles are what the code defines and cannot be changed."""
    require(acting_user, perms.MANAGE_ROLES)
    name, permissions = _checked_role_fields(name, permissions)
    with transaction.atomic():
        role = Role.objects.select_for_update().get(pk=role.pk)
        if role.is_builtin:
            raise Conflict("builtin", _("Built-in roles cannot be changed."))
        before = {"name": role.name, "description": role.description, "permissions": role.permissions}
        role.name, role.description, role.permissions = name, description.strip(), permissions
        role.save(update_fields=["name", "description", "permissions"])
        get_user_model().objects.identity_changed(RoleAssignment.objects.filter(role=role).values("user_id"))
        audit.record("access.role_updated", actor=acting_user, obj=role,
                     changes=audit.diff(before, {"name": role.name, "description": role.description, "permissions": role.permissions}))
    return role


# --- Clearance and classification levels -------------------------------------------------


def set_clearance(*, acting_user: Any, user: Any, rank: int) -> None:
    """Label a person with the highest classification level they may see."""
    require(acting_user, perms.MANAGE_CLEARANCE)
    _not_self(acting_user, user)
    if not ClassificationLevel.objects.filter(rank=rank).exists():
        raise ServiceError("invalid", _("There is no classification level %(rank)d.") % {"rank": rank}, {"rank": [_("Unknown level.")]})
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        before = user.clearance
        if before == rank:
            return
        user.clearance = rank
        user.save(update_fields=["clearance"])
        audit.record("access.clearance_set", actor=acting_user, obj=user, changes={"clearance": [before, rank]})


def _checked_level_name(name: str, level: ClassificationLevel | None = None) -> str:
    name = name.strip()
    if not name or len(name) > 50:
        raise ServiceError("invalid", _("A level needs a name of at most 50 characters."), {"name": [_("Enter 1 to 50 characters.")]})
    taken = ClassificationLevel.objects.filter(name=name)
    if level is not None:
        taken = taken.exclude(pk=level.pk)
    if taken.exists():
        raise Conflict("duplicate", _("A level named %(name)s exists.") % {"name": name}, {"name": [_("This name is taken.")]})
    return name


def add_level(*, acting_user: Any, name: str, description: str = "") -> ClassificationLevel:
    """Add a level above the highest one.

    New levels go on top only: inserting one between existing ranks would silently change
    what every existing clearance and label means.
    """
    require(acting_user, perms.MANAGE_CLEARANCE)
    name = _checked_level_name(name)
    with transaction.atomic():
        highest = ClassificationLevel.objects.select_for_update().aggregate(top=Max("rank"))["top"]
        rank = 0 if highest is None else highest + 1
        if rank > settings.MAX_CLASSIFICATION:
            raise Conflict("limit", _(
                "This deployment allows levels up to rank %(max)d; raise ZT_MAX_CLASSIFICATION before adding another."
            ) % {"max": settings.MAX_CLASSIFICATION})
        level = ClassificationLevel.objects.create(rank=rank, name=name, description=description.strip()[:200])
        audit.record("access.level_added", actor=acting_user, obj=level,
                     changes={"rank": [None, rank], "name": [None, name], "description": [None, level.description]})
    return level


def rename_level(*, acting_user: Any, level: ClassificationLevel, name: str, description: str | None = None) -> ClassificationLevel:
    require(acting_user, perms.MANAGE_CLEARANCE)
    name = _checked_level_name(name, level)
    with transaction.atomic():
        level = ClassificationLevel.objects.select_for_update().get(pk=level.pk)
        before = {"name": level.name, "description": level.description}
        level.name = name
        if description is not None:
            level.description = description.strip()[:200]
        level.save(update_fields=["name", "description"])
        audit.record("access.level_renamed", actor=acting_user, obj=level,
                     changes=audit.diff(before, {"name": level.name, "description": level.description}))
    return level


# --- Object grants -----------------------------------------------------------------------


def grant(*, acting_user: Any, user: Any, action: str, obj: models.Model, expires_at: datetime | None = None) -> ObjectGrant:
    require(acting_user, perms.MANAGE_GRANTS)
    _not_self(acting_user, user)
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
