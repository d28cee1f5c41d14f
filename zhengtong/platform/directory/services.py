"""Changing the organisation: the only code that writes departments, posts and memberships.

Each operation runs in one transaction, checks ``accounts.manage`` (or ``directory.sync``,
see ``permissions``) when a person acts (``acting_user`` None is the system itself: setup,
demo data, imports) and writes its audit record and its change event in that transaction.
Updates that change nothing record nothing, so re-applying the same data (an import, a sync
call) leaves no trace.
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, Forbidden, NotFound, ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import can, require
from zhengtong.platform.accounts import services as accounts
from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory import feed, webhooks
from zhengtong.platform.directory.models import (
    ChangeEvent,
    ContactUse,
    Department,
    FieldRestriction,
    Group,
    GroupMember,
    Membership,
    Person,
    Post,
    Seal,
    Webhook,
)
from zhengtong.platform.directory.permissions import require_sync
from zhengtong.platform.directory.queries import ancestors
from zhengtong.platform.directory.signals_lifecycle import person_left

logger = logging.getLogger(__name__)

DEPARTMENT_FIELDS = ("kind", "name", "short_name", "parent_id", "order", "code", "external_id", "phone", "is_active")


def _authorise(acting_user: Any) -> None:
    if acting_user is not None:
        require_sync(acting_user)


def _account_actor(acting_user: Any) -> Any:
    """Who the account operations run as: the person if they manage accounts, else the system.

    A ``directory.sync`` holder (an integration) has been authorised by the directory service
    calling this; the directory's own audit record names them.
    """
    return acting_user if acting_user is None or can(acting_user, perms.MANAGE_ACCOUNTS) else None


def _validated(obj: models.Model, message: str, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ServiceError("invalid", message, exc.message_dict) from None


def _blank_to_none(fields: dict[str, Any]) -> dict[str, Any]:
    # Empty identifiers are stored as NULL so that the unique constraints ignore them.
    return {key: (value or None) if key in ("code", "external_id") else value for key, value in fields.items()}


def _external_id(model: type[models.Model], pk: Any) -> str | None:
    return model._default_manager.filter(pk=pk).values_list("external_id", flat=True).first() if pk is not None else None


def _department_data(department: Department) -> dict[str, Any]:
    return {"name": department.name, "short_name": department.short_name, "kind": department.kind,
            "parent": department.parent_id, "parent_external_id": _external_id(Department, department.parent_id),
            "order": department.order, "code": department.code, "phone": department.phone,
            "is_confidential": department.is_confidential, "is_active": department.is_active}


def _membership_data(membership: Membership) -> dict[str, Any]:
    return {"user": membership.user_id, "username": membership.user.username,
            "person_external_id": _external_id(Person, membership.user_id),
            "department": membership.department_id, "department_external_id": membership.department.external_id,
            "post": membership.post_id, "post_external_id": membership.post.external_id if membership.post else None,
            "is_primary": membership.is_primary, "is_leader": membership.is_leader,
            "is_deputy": membership.is_deputy, "order": membership.order, "office_phone": membership.office_phone}


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
        changes_made = audit.diff(before, _snapshot(department))
        if not changes_made:
            return department
        _validated(department, _("The department details are not valid."))
        department.save()
        if moving:
            _move_subtree(department, new_parent)
        audit.record("directory.department_updated", actor=acting_user, obj=department, changes=changes_made)
        feed.emit(ChangeEvent.Entity.DEPARTMENT, department.pk, _department_action(changes_made), _department_data(department),
                  department.external_id)
    return department


def _department_action(changes: dict[str, Any]) -> str:
    """The feed's name for a department change: moved, disabled, enabled or updated."""
    if "parent_id" in changes:
        return "moved"
    if "is_active" in changes:
        return "enabled" if changes["is_active"][1] else "disabled"
    return "updated"


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


POST_FIELDS = ("department_id", "name", "order", "external_id")


def _post_data(post: Post) -> dict[str, Any]:
    return {"name": post.name, "department": post.department_id, "department_external_id": post.department.external_id,
            "order": post.order}


def create_post(*, acting_user: Any, department: Department, name: str, order: int = 0, external_id: str | None = None) -> Post:
    _authorise(acting_user)
    post = Post(department=department, name=name.strip(), order=order, external_id=external_id or None)
    _validated(post, _("The post details are not valid."))
    with transaction.atomic():
        post.save()
        audit.record("directory.post_created", actor=acting_user, obj=post,
                     changes=audit.diff({}, {field: getattr(post, field) for field in POST_FIELDS}))
        feed.emit(ChangeEvent.Entity.POST, post.pk, "created", _post_data(post), post.external_id)
    return post


def update_post(*, acting_user: Any, post: Post, **changes: Any) -> Post:
    """Rename or reorder a post, or move it to another department while no one holds it."""
    _authorise(acting_user)
    unknown = set(changes) - {"department", "name", "order", "external_id"}
    if unknown:
        raise ServiceError("invalid", _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        post = Post.objects.select_for_update().select_related("department").get(pk=post.pk)
        before = {field: getattr(post, field) for field in POST_FIELDS}
        for field, value in _blank_to_none(changes).items():
            setattr(post, field, value.strip() if field == "name" else value)
        changes_made = audit.diff(before, {field: getattr(post, field) for field in POST_FIELDS})
        if not changes_made:
            return post
        moving = "department_id" in changes_made
        if moving and post.memberships.exists():
            raise Conflict("held", _("People hold this post: it cannot move to another department."),
                           {"department": [_("Move the people first.")]})
        _validated(post, _("The post details are not valid."))
        post.save()
        audit.record("directory.post_updated", actor=acting_user, obj=post, changes=changes_made)
        feed.emit(ChangeEvent.Entity.POST, post.pk, "moved" if moving else "updated", _post_data(post), post.external_id)
    return post


def delete_post(*, acting_user: Any, post: Post) -> None:
    """Remove a post no one holds (nor held: memberships are history and keep their post)."""
    _authorise(acting_user)
    with transaction.atomic():
        post = Post.objects.select_for_update().select_related("department").get(pk=post.pk)
        if post.memberships.exists():
            raise Conflict("held", _("People hold this post: it cannot be removed."))
        data, pk = _post_data(post), post.pk
        audit.record("directory.post_deleted", actor=acting_user, obj=post, detail=str(post))
        post.delete()
        feed.emit(ChangeEvent.Entity.POST, pk, "deleted", data, post.external_id)


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
            raise Conflict("duplicate", _("%(user)s already holds this post.") % {"user": user})
        if is_primary is None:
            is_primary = not held.filter(is_primary=True).exists()
        if is_primary:
            _drop_primary(held)
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


MEMBERSHIP_FIELDS = ("is_primary", "is_leader", "is_deputy", "order", "office_phone")


def _drop_primary(held: models.QuerySet[Membership]) -> None:
    """Take the primary flag from a person's memberships before another one gets it."""
    held.filter(is_primary=True).update(is_primary=False)


def update_membership(*, acting_user: Any, membership: Membership, **changes: Any) -> Membership:
    """Change the flags, order or phone of a membership; another department or post is a new membership."""
    _authorise(acting_user)
    unknown = set(changes) - set(MEMBERSHIP_FIELDS)
    if unknown:
        raise ServiceError("invalid", _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        type(membership.user).objects.select_for_update().get(pk=membership.user_id)
        membership = Membership.objects.select_related("user", "department", "post").get(pk=membership.pk)
        before = {field: getattr(membership, field) for field in MEMBERSHIP_FIELDS}
        for field, value in changes.items():
            setattr(membership, field, value)
        changes_made = audit.diff(before, {field: getattr(membership, field) for field in MEMBERSHIP_FIELDS})
        if not changes_made:
            return membership
        if "is_primary" in changes_made and membership.is_primary:
            _drop_primary(Membership.objects.filter(user_id=membership.user_id).exclude(pk=membership.pk))
        _validated(membership, _("The membership details are not valid."))
        membership.save()
        audit.record("directory.membership_updated", actor=acting_user, obj=membership, changes=changes_made)
        feed.emit(ChangeEvent.Entity.MEMBERSHIP, membership.pk, "updated", _membership_data(membership))
    return membership


def remove_membership(*, acting_user: Any, membership: Membership) -> None:
    """Take a person out of a department and post (a move is a removal and an addition)."""
    _authorise(acting_user)
    with transaction.atomic():
        membership = Membership.objects.select_related("user", "department", "post").get(pk=membership.pk)
        data, pk = _membership_data(membership), membership.pk
        audit.record("directory.membership_removed", actor=acting_user, obj=membership, detail=str(membership))
        membership.delete()
        feed.emit(ChangeEvent.Entity.MEMBERSHIP, pk, "deleted", data)


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
            raise Conflict("duplicate", _("%(user)s is already in %(group)s.") % {"user": user, "group": group})
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
            raise NotFound("not_found", _("%(user)s is not in %(group)s.") % {"user": user, "group": group})
        audit.record("directory.group_member_removed", actor=acting_user, obj=group, detail=user.username)
        feed.emit(ChangeEvent.Entity.GROUP, group.pk, "member_removed", {"user": user.pk, "username": user.username},
                  group.external_id)


# --- Visibility, people's profiles, contact use (pages and API) ------------------------------
#
# Who sees what is a security decision (三权分立): the security administrator, who holds
# ``access.manage_grants``, sets field restrictions and marks departments confidential. The
# organisation itself (groups, people's superiors and office phones) stays with holders of
# ``accounts.manage``; a person may set their own status.

PERSON_FIELDS = ("superior", "office_phone", "status", "external_id")
PERSON_ACCOUNT_FIELDS = ("display_name", "email", "mobile")


def _person_snapshot(user: Any, person: Person) -> dict[str, Any]:
    return {**{name: getattr(user, name) for name in PERSON_ACCOUNT_FIELDS},
            **{name: str(getattr(person, name) or "") for name in PERSON_FIELDS}}


def _person_data(user: Any, person: Person) -> dict[str, Any]:
    return {"username": user.username, **{name: getattr(user, name) for name in PERSON_ACCOUNT_FIELDS},
            "superior": person.superior_id, "office_phone": person.office_phone, "status": person.status,
            "is_active": user.is_active}


def authorise_visibility(acting_user: Any) -> None:
    """Raise ``PermissionDenied`` unless ``acting_user`` (None: the system) decides who sees what."""
    if acting_user is not None:
        require(acting_user, perms.MANAGE_GRANTS)


def set_department_confidential(*, acting_user: Any, department: Department, confidential: bool) -> Department:
    """Hide a department and everything below it from everyone outside it, or show it again."""
    authorise_visibility(acting_user)
    with transaction.atomic():
        department = Department.objects.select_for_update().get(pk=department.pk)
        before = department.is_confidential
        department.is_confidential = confidential
        department.save(update_fields=["is_confidential"])
        audit.record("directory.department_confidentiality", actor=acting_user, obj=department,
                     changes=audit.diff({"is_confidential": before}, {"is_confidential": confidential}))
        feed.emit(ChangeEvent.Entity.DEPARTMENT, department.pk, "updated",
                  {**_department_data(department), "is_confidential": confidential}, department.external_id)
    return department


def create_field_restriction(*, acting_user: Any, field: str, subjects: str, audience: str,
                             department: Department | None = None) -> FieldRestriction:
    authorise_visibility(acting_user)
    if subjects == FieldRestriction.Subjects.DEPARTMENT and department is None:
        raise ServiceError("invalid", _("Choose the department whose people the restriction applies to."),
                           {"department": [_("Choose a department.")]})
    restriction = FieldRestriction(field=field, subjects=subjects, audience=audience,
                                   department=department if subjects == FieldRestriction.Subjects.DEPARTMENT else None)
    _validated(restriction, _("The restriction is not valid."))
    with transaction.atomic():
        restriction.save()
        audit.record("directory.field_restriction_created", actor=acting_user, obj=restriction, changes=audit.diff({}, {
            "field": field, "subjects": subjects, "audience": audience,
            "department": restriction.department.name if restriction.department else None,
        }))
    return restriction


def delete_field_restriction(*, acting_user: Any, restriction: FieldRestriction) -> None:
    authorise_visibility(acting_user)
    with transaction.atomic():
        audit.record("directory.field_restriction_deleted", actor=acting_user, obj=restriction, detail=str(restriction))
        restriction.delete()


def update_person(*, acting_user: Any, user: Any, **changes: Any) -> Person:
    """Change what the directory knows of a person: direct superior, office phone, status, external id,
    and (through ``accounts``) their name, e-mail and mobile.

    A person may change their own status; everything else needs ``accounts.manage`` (or
    ``directory.sync``). A call that changes nothing records nothing.
    """
    unknown = set(changes) - set(PERSON_FIELDS) - set(PERSON_ACCOUNT_FIELDS)
    if unknown:
        raise ServiceError("invalid", _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if not (acting_user is not None and acting_user.pk == user.pk and set(changes) <= {"status"}):
        _authorise(acting_user)
    superior = changes.get("superior")
    if superior is not None and superior.pk == user.pk:
        raise ServiceError("invalid", _("A person cannot be their own superior."), {"superior": [_("Choose someone else.")]})
    with transaction.atomic():
        person, _created = Person.objects.select_for_update().get_or_create(user=user)
        before = _person_snapshot(user, person)
        for name, value in _blank_to_none({name: changes[name] for name in PERSON_FIELDS if name in changes}).items():
            setattr(person, name, value)
        if audit.diff(before, _person_snapshot(user, person)):
            # Before the account is touched: a refused change leaves it as it was.
            _validated(person, _("The person's details are not valid."))
        account_changes = {name: changes[name] for name in PERSON_ACCOUNT_FIELDS if name in changes and changes[name] != before[name]}
        if account_changes:
            user = accounts.update_user(acting_user=_account_actor(acting_user), user=user, **account_changes)
        changes_made = audit.diff(before, _person_snapshot(user, person))
        if not changes_made:
            return person
        person.save()
        audit.record("directory.person_updated", actor=acting_user, obj=user, changes=changes_made)
        feed.emit(ChangeEvent.Entity.PERSON, user.pk, "updated", _person_data(user, person), person.external_id)
    return person


def create_person(*, acting_user: Any, username: str, display_name: str, external_id: str | None = None, email: str = "",
                  mobile: str = "", office_phone: str = "", status: str = Person.Status.ON_DUTY) -> Any:
    """Add a person with a new account to the directory.

    The account has no usable password: the person signs in once an administrator has set
    one, and must change it then.
    """
    _authorise(acting_user)
    person = Person(external_id=external_id or None, office_phone=office_phone, status=status)
    # Before the account is made: a refused person leaves no account behind.
    _validated(person, _("The person's details are not valid."), exclude=["user"])
    with transaction.atomic():
        user = accounts.create_user(acting_user=_account_actor(acting_user), username=username, display_name=display_name,
                                    email=email, mobile=mobile, must_change_password=True)
        person.user = user
        person.save()
        audit.record("directory.person_created", actor=acting_user, obj=user, changes=audit.diff({}, _person_snapshot(user, person)))
        feed.emit(ChangeEvent.Entity.PERSON, user.pk, "created", _person_data(user, person), person.external_id)
    return user


def disable_person(*, acting_user: Any, user: Any, reason: str = "") -> Any:
    """A person leaves: disabled, never deleted.

    Their account is disabled through ``accounts`` (sessions and tokens end now), their
    memberships stay as history, and ``signals_lifecycle.person_left`` is sent once the
    change has committed, so their open work can be handed over.
    """
    _authorise(acting_user)
    if acting_user is not None and acting_user.pk == user.pk:
        raise Forbidden("forbidden", _("You cannot disable your own account."))
    with transaction.atomic():
        user = type(user).objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            return user
        user = accounts.disable_user(acting_user=_account_actor(acting_user), user=user, reason=reason)
        person, _created = Person.objects.get_or_create(user=user)
        audit.record("directory.person_disabled", actor=acting_user, obj=user, changes={"is_active": [True, False]}, detail=reason)
        feed.emit(ChangeEvent.Entity.PERSON, user.pk, "disabled", _person_data(user, person), person.external_id)
        transaction.on_commit(partial(_announce_departure, user=user, acting_user=acting_user, reason=reason))
    return user


def _announce_departure(**details: Any) -> None:
    for receiver, outcome in person_left.send_robust(sender=Person, **details):
        if isinstance(outcome, Exception):
            logger.error("person_left receiver %s failed", receiver, exc_info=outcome)


def enable_person(*, acting_user: Any, user: Any) -> Any:
    """A person returns: their account is enabled again, with the memberships it kept."""
    _authorise(acting_user)
    with transaction.atomic():
        user = type(user).objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            return user
        user = accounts.enable_user(acting_user=_account_actor(acting_user), user=user)
        person, _created = Person.objects.get_or_create(user=user)
        audit.record("directory.person_enabled", actor=acting_user, obj=user, changes={"is_active": [False, True]})
        feed.emit(ChangeEvent.Entity.PERSON, user.pk, "enabled", _person_data(user, person), person.external_id)
    return user


def record_contact_use(*, owner: Any, contact: Any) -> None:
    """Count that ``owner`` opened or called ``contact``, for their recent and frequent contacts.

    Not audited: it is the person's own convenience record, like a browser's history, and
    it changes nothing anyone else sees.
    """
    if owner.pk == contact.pk:
        return
    with transaction.atomic():
        use, _created = ContactUse.objects.select_for_update().get_or_create(
            owner=owner, contact=contact, defaults={"last_used_at": timezone.now()})
        ContactUse.objects.filter(pk=use.pk).update(uses=F("uses") + 1, last_used_at=timezone.now())


# --- Webhooks (the system administrator's) ---------------------------------------------------

WEBHOOK_FIELDS = ("name", "url", "entities", "is_active")


def _checked_webhook(webhook: Webhook) -> None:
    unknown = set(webhook.entities) - set(ChangeEvent.Entity.values)
    if unknown:
        raise ServiceError("invalid", _("Unknown kinds of change: %(kinds)s") % {"kinds": ", ".join(sorted(unknown))},
                           {"entities": [_("Choose from the list.")]})
    _validated(webhook, _("The webhook details are not valid."))
    webhooks.check_url(webhook.url)


def create_webhook(*, acting_user: Any, name: str, url: str, secret: str = "", entities: list[str] | None = None) -> Webhook:
    """Register an application to be sent every change (or the kinds in ``entities``); a secret is made if none is given."""
    if acting_user is not None:
        require(acting_user, perms.MANAGE_ACCOUNTS)
    webhook = Webhook(name=name.strip(), url=url.strip(), secret=secret or secrets.token_urlsafe(32), entities=list(entities or []))
    _checked_webhook(webhook)
    with transaction.atomic():
        webhook.save()
        audit.record("directory.webhook_created", actor=acting_user, obj=webhook,
                     changes=audit.diff({}, {field: getattr(webhook, field) for field in WEBHOOK_FIELDS}))
    return webhook


def update_webhook(*, acting_user: Any, webhook: Webhook, **changes: Any) -> Webhook:
    """Change a webhook; ``is_active=False`` stops deliveries (pending ones wait until it is active again)."""
    if acting_user is not None:
        require(acting_user, perms.MANAGE_ACCOUNTS)
    unknown = set(changes) - {*WEBHOOK_FIELDS, "secret"}
    if unknown:
        raise ServiceError("invalid", _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
        before = {field: getattr(webhook, field) for field in (*WEBHOOK_FIELDS, "secret")}
        for field, value in changes.items():
            setattr(webhook, field, value)
        changes_made = audit.diff(before, {field: getattr(webhook, field) for field in (*WEBHOOK_FIELDS, "secret")})
        if not changes_made:
            return webhook
        _checked_webhook(webhook)
        webhook.save()
        audit.record("directory.webhook_updated", actor=acting_user, obj=webhook, changes=changes_made)
    return webhook


SEAL_MAX_BYTES = 2 * 1024 * 1024
SEAL_MIN_PIXELS = 200  # a 42 mm seal below this is visibly blurred in print (≈120 dpi)


def set_seal(*, acting_user: Any, unit: Department, upload: Any) -> Seal:
    """Keep ``upload`` as the unit's seal: a PNG (checked by ``files`` like every upload) with transparency."""
    from PIL import Image

    from zhengtong.platform.files import services as files

    require(acting_user, perms.MANAGE_ACCOUNTS)
    if unit.kind != Department.Kind.UNIT:
        raise ServiceError("not_a_unit", _("A seal belongs to a unit, not to a department."), fields={"unit": [_("Choose a unit.")]})
    files.check(upload=upload, allowed_kinds={"png"}, max_bytes=SEAL_MAX_BYTES)
    upload.seek(0)
    data = upload.read()
    with Image.open(io.BytesIO(data)) as image:
        transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        alpha = image.convert("RGBA").getchannel("A").getextrema() if transparent else (255, 255)
        small = min(image.size) < SEAL_MIN_PIXELS
    if alpha[0] == 255:
        raise ServiceError("seal_not_transparent", _("The seal image has no transparent background; the signature and the "
                                                     "date under it would be hidden. Upload a PNG with transparency."),
                           fields={"file": [_("A PNG with a transparent background is needed.")]})
    if small:
        raise ServiceError("seal_too_small", _("The seal image is smaller than %(pixels)d pixels; it would print blurred.")
                           % {"pixels": SEAL_MIN_PIXELS}, fields={"file": [_("Upload a larger image.")]})
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        seal = Seal.objects.select_for_update().filter(unit=unit).first()
        before = {"sha256": seal.sha256} if seal else {}
        seal = seal or Seal(unit=unit)
        seal.image, seal.sha256, seal.uploaded_by, seal.uploaded_at = data, digest, acting_user, timezone.now()
        seal.save()
        audit.record("directory.seal_set", actor=acting_user, obj=unit, changes=audit.diff(before, {"sha256": digest}))
    return seal


def seal_image(unit_id: int) -> bytes:
    """The unit's seal image, or b"" when it has none."""
    image = Seal.objects.filter(unit_id=unit_id).values_list("image", flat=True).first()
    return bytes(image) if image else b""
