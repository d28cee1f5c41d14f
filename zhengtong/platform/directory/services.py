"""Changing the organisation: the only code that writes departments, posts and memberships.

Each operation runs in one transaction, checks ``accounts.manage`` when a person acts
(``acting_user`` None is the system itself: setup, demo data, imports) and writes its
audit record in that transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory import feed
from zhengtong.platform.directory.models import ChangeEvent, Department, Group, GroupMember, Membership, Post
from zhengtong.platform.directory.queries import ancestors

DEPARTMENT_FIELDS = ("kind", "name", "short_name", "parent_id", "order", "code", "external_id", "phone", "is_active")


def _authorise(acting_user: Any) -> None:
    if acting_user is not None:
        require(acting_user, perms.MANAGE_ACCOUNTS)


def _validated(obj: models.Model, message: str) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ServiceError("invalid", message, exc.message_dict) from None


def _blank_to_none(fields: dict[str, Any]) -> dict[str, Any]:
    # Empty identifiers are stored as NULL so that the unique constraints ignore them.
    return {key: (value or None) if key in ("code", "external_id") else value for key, value in fields.items()}


def _department_data(department: Department) -> dict[str, Any]:
    return {"name": department.name, "kind": department.kind, "parent": department.parent_id, "order": department.order,
            "code": department.code, "is_active": department.is_active}


def _membership_data(membership: Membership) -> dict[str, Any]:
    return {"user": membership.user_id, "username": membership.user.username, "department": membership.department_id,
            "post": membership.post_id, "is_primary": membership.is_primary, "is_leader": membership.is_leader,
            "is_deputy": membership.is_deputy, "order": membership.order}


def _snapshot(department: Department) -> dict[str, Any]:
    return {field: getattr(department, field) for field in DEPARTMENT_FIELDS}


def create_department(*, acting_user: Any, name: str, kind: str = Department.Kind.DEPARTMENT, parent: Department | None = None,
                      **fields: Any) -> Department:
    _authorise(acting_user)
    if kind == Department.Kind.DEPARTMENT and parent is None:
        raise ServiceError("invalid", _("A department belongs to a unit or another department."),
                           {"parent": [_("Choose where it belongs.")]})
    department = Department(name=name.strip(), kind=kind, parent=parent, **_blank_to_none(fields))
    _validated(department, _("The department details are not valid."))
    with transaction.atomic():
        department.save()
        _place(department, parent)
        audit.record("directory.department_created", actor=acting_user, obj=department, changes=audit.diff({}, _snapshot(department)))
        feed.emit(ChangeEvent.Entity.DEPARTMENT, department.pk, "created", _department_data(department), department.external_id)
    return department


def update_department(*, acting_user: Any, department: Department, **changes: Any) -> Department:
    """Change a department; a new ``parent`` moves it with its whole subtree."""
    _authorise(acting_user)
    unknown = set(changes) - {"kind", "name", "short_name", "parent", "order", "code", "external_id", "phone", "is_active"}
    if unknown:
        raise ServiceError("invalid", _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        department = Department.objects.select_for_update().get(pk=department.pk)
        before = _snapshot(department)
        new_parent = changes.get("parent", department.parent)
        if new_parent is not None and any(node.pk == department.pk for node in ancestors(new_parent)):
            raise ServiceError("invalid", _("A department cannot move into its own subtree."),
                               {"parent": [_("Choose a place outside it.")]})
        moving = "parent" in changes and new_parent != department.parent
        for field, value in _blank_to_none(changes).items():
            setattr(department, field, value)
        _validated(department, _("The department details are not valid."))
        department.save()
        if moving:
            _move_subtree(department, new_parent)
        audit.record("directory.department_updated", actor=acting_user, obj=department, changes=audit.diff(before, _snapshot(department)))
        feed.emit(ChangeEvent.Entity.DEPARTMENT, department.pk, "moved" if moving else "updated", _department_data(department),
                  department.external_id)
    return department


def _place(department: Department, parent: Department | None) -> None:
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    department.depth = parent.depth + 1 if parent else 0
    department.save(update_fields=["path", "depth"])


def _move_subtree(department: Department, new_parent: Department | None) -> None:
    """Rewrite the path prefix of the department and everything below it in one statement."""
    old_path, old_depth = department.path, department.depth
    _place(department, new_parent)
    Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk).update(
        path=Concat(Value(department.path), Substr("path", len(old_path) + 1), output_field=CharField()),
        depth=F("depth") + (department.depth - old_depth),
    )


def reindex_paths(root: Department) -> int:
    """Recompute the paths below ``root`` after a bulk load that bypassed the services."""
    _place(root, root.parent)
    below = list(Department.objects.filter(parent__isnull=False).exclude(pk=root.pk).only("pk", "parent_id"))
    children: dict[int, list[Department]] = {}
    for department in below:
        children.setdefault(department.parent_id, []).append(department)  # type: ignore[arg-type]
    changed, stack = [], [root]
    while stack:
        parent = stack.pop()
        for child in children.get(parent.pk, []):
            child.path, child.depth = f"{parent.path}{child.pk}/", parent.depth + 1
            changed.append(child)
            stack.append(child)
    Department.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)
    return len(changed) + 1


def create_post(*, acting_user: Any, department: Department, name: str, order: int = 0) -> Post:
    _authorise(acting_user)
    post = Post(department=department, name=name.strip(), order=order)
    _validated(post, _("The post details are not valid."))
    with transaction.atomic():
        post.save()
        audit.record("directory.post_created", actor=acting_user, obj=post, changes={"name": [None, post.name]})
        feed.emit(ChangeEvent.Entity.POST, post.pk, "created", {"name": post.name, "department": department.pk}, post.external_id)
    return post


def add_membership(*, acting_user: Any, user: Any, department: Department, post: Post | None = None, is_primary: bool | None = None,
                   is_leader: bool = False, is_deputy: bool = False, order: int = 0, office_phone: str = "") -> Membership:
    """Place a person in a department and post.

    The first membership becomes primary unless told otherwise; a new primary membership
    takes the flag from the old one, so a person never has two.
    """
    _authorise(acting_user)
    if post is not None and post.department_id != department.pk:
        raise ServiceError("invalid", _("The post belongs to another department."), {"post": [_("Choose a post of this department.")]})
    with transaction.atomic():
        # Lock the person: two concurrent additions must not both become primary.
        user = type(user).objects.select_for_update().get(pk=user.pk)
        held = Membership.objects.filter(user=user)
        if held.filter(department=department, post=post).exists():
            raise ServiceError("duplicate", _("%(user)s already holds this post.") % {"user": user})
        if is_primary is None:
            is_primary = not held.filter(is_primary=True).exists()
        if is_primary:
            held.filter(is_primary=True).update(is_primary=False)
        membership = Membership(user=user, department=department, post=post, is_primary=is_primary, is_leader=is_leader,
                                is_deputy=is_deputy, order=order, office_phone=office_phone)
        _validated(membership, _("The membership details are not valid."))
        membership.save()
        audit.record("directory.membership_added", actor=acting_user, obj=membership, changes=audit.diff({}, {
            "user": user.username, "department": department.name, "post": post.name if post else None,
            "is_primary": is_primary, "is_leader": is_leader, "is_deputy": is_deputy,
        }))
        feed.emit(ChangeEvent.Entity.MEMBERSHIP, membership.pk, "created", _membership_data(membership))
    return membership


# --- Groups across departments ------------------------------------------------------------


def create_group(*, acting_user: Any, name: str, kind: str = Group.Kind.OTHER, unit: Department | None = None,
                 description: str = "", external_id: str | None = None, order: int = 0) -> Group:
    _authorise(acting_user)
    group = Group(name=name.strip(), kind=kind, unit=unit, description=description, external_id=external_id or None, order=order)
    _validated(group, _("The group details are not valid."))
    with transaction.atomic():
        group.save()
        audit.record("directory.group_created", actor=acting_user, obj=group, changes={"name": [None, group.name]})
        feed.emit(ChangeEvent.Entity.GROUP, group.pk, "created", {"name": group.name, "kind": group.kind}, group.external_id)
    return group


def add_group_member(*, acting_user: Any, group: Group, user: Any, is_leader: bool = False, order: int = 0) -> GroupMember:
    _authorise(acting_user)
    with transaction.atomic():
        if GroupMember.objects.filter(group=group, user=user).exists():
            raise ServiceError("duplicate", _("%(user)s is already in %(group)s.") % {"user": user, "group": group})
        member = GroupMember.objects.create(group=group, user=user, is_leader=is_leader, order=order)
        audit.record("directory.group_member_added", actor=acting_user, obj=group, detail=user.username)
        feed.emit(ChangeEvent.Entity.GROUP, group.pk, "member_added", {"user": user.pk, "username": user.username,
                                                                       "is_leader": is_leader}, group.external_id)
    return member


def remove_group_member(*, acting_user: Any, group: Group, user: Any) -> None:
    _authorise(acting_user)
    with transaction.atomic():
        deleted, _details = GroupMember.objects.filter(group=group, user=user).delete()
        if not deleted:
            raise ServiceError("not_found", _("%(user)s is not in %(group)s.") % {"user": user, "group": group})
        audit.record("directory.group_member_removed", actor=acting_user, obj=group, detail=user.username)
        feed.emit(ChangeEvent.Entity.GROUP, group.pk, "member_removed", {"user": user.pk, "username": user.username},
                  group.external_id)
