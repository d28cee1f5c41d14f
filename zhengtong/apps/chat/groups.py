"""Managing a group: its members and their roles, its name, leaving it.

One owner per group (``Conversation.owner`` and the member row with the owner's role say the same);
the owner names and unnames administrators and may hand the group to another member, after which
they stay on as an administrator. Owners and administrators rename the group. Anyone leaves a
group, except its owner, who hands it over first (a group is never left without one). Someone
who leaves keeps what they could see until then, as a removed member does.

Department groups (departments.py) follow the directory: their members are not added, removed
or promoted by hand, and nobody leaves them but by leaving the department.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhengtong.apps.chat.models import Bot, Conversation, Member
from zhengtong.apps.chat.rules import MANAGE, VIEW
from zhengtong.apps.chat.services import (
    EVENT_MEMBERS,
    _now,
    _publish_members,
    conversation_of,
    managed_group,
    member_of,
)
from zhengtong.errors import Forbidden, NotFound, ServiceError
from zhengtong.platform import batch
from zhengtong.platform.audit import services as audit
from zhengtong.platform.notices import stream

EVENT_RENAMED = "chat.renamed"


def members(conversation: Conversation) -> list[dict[str, Any]]:
    """The current members, the owner first, then administrators, then the others (bots marked)."""
    rows = list(Member.objects.filter(conversation=conversation, left_at__isnull=True).select_related("person").order_by("pk"))
    bots = dict(Bot.objects.filter(account_id__in=[m.person_id for m in rows]).values_list("account_id", "pk"))
    order: dict[str, int] = {Member.Role.OWNER: 0, Member.Role.ADMIN: 1, Member.Role.MEMBER: 2}
    rows.sort(key=lambda m: (order[m.role], m.pk))
    return [{"member": m, "id": m.person_id, "name": m.person.get_full_name(), "role": m.role, "role_label": m.get_role_display(),
             "bot": m.person_id in bots, "joined_at": m.joined_at, "read_seq": m.read_seq} for m in rows]


def _owned(acting_user: Any, conversation_id: int) -> tuple[Conversation, Member]:
    """The group, locked, with my member row, when I am its owner."""
    conversation = Conversation.objects.select_for_update().get(pk=managed_group(acting_user, conversation_id).pk)
    me = Member.objects.get(conversation=conversation, person=acting_user)
    if me.role != Member.Role.OWNER:
        raise Forbidden("forbidden", _("Only the group's owner may do this."))
    return conversation, me


def _active_member(conversation: Conversation, person_id: int) -> Member:
    member = Member.objects.filter(conversation=conversation, person_id=person_id, left_at__isnull=True).first()
    if member is None or Bot.objects.filter(account_id=person_id).exists():
        raise NotFound("not_found", _("This person is not a member."))
    return member


def set_admin(*, acting_user: Any, conversation_id: int, person_id: int, admin: bool) -> Member:
    """The owner makes a member an administrator, or an administrator a member again."""
    with batch.atomic():
        conversation, _me = _owned(acting_user, conversation_id)
        member = _active_member(conversation, person_id)
        if member.role == Member.Role.OWNER:
            raise ServiceError("invalid", _("The owner is not made an administrator; hand the group over instead."),
                               {"person": [_("That is the owner.")]})
        role = Member.Role.ADMIN if admin else Member.Role.MEMBER
        if member.role != role:
            audit.record("chat.role_changed", actor=acting_user, obj=conversation,
                         changes={"member": [None, person_id], "role": [member.role, role]})
            member.role = role
            member.save(update_fields=["role"])
            _publish_members(conversation)
    return member


def transfer(*, acting_user: Any, conversation_id: int, person_id: int) -> Member:
    """The owner hands the group to another member and stays on as an administrator."""
    with batch.atomic():
        conversation, me = _owned(acting_user, conversation_id)
        if person_id == acting_user.pk:
            raise ServiceError("invalid", _("You already own this group."), {"person": [_("That is you.")]})
        heir = _active_member(conversation, person_id)
        me.role, heir.role = Member.Role.ADMIN, Member.Role.OWNER
        me.save(update_fields=["role"])
        heir.save(update_fields=["role"])
        Conversation.objects.filter(pk=conversation.pk).update(owner_id=person_id)
        audit.record("chat.owner_changed", actor=acting_user, obj=conversation, changes={"owner": [acting_user.pk, person_id]})
        _publish_members(conversation)
    return heir


def leave(*, acting_user: Any, conversation_id: int) -> Member:
    """I leave a group: I keep what I could see until now and post no more. The owner hands it over first."""
    conversation = conversation_of(acting_user, conversation_id, VIEW)
    if conversation.kind != Conversation.Kind.GROUP:
        raise ServiceError("invalid", _("A conversation between two people cannot be left."))
    if conversation.department_id is not None:
        raise Forbidden("department_group", _("This is a department group: you leave it by leaving the department."))
    with batch.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        me = member_of(acting_user, conversation)
        me.refresh_from_db()
        if not me.active:
            return me
        if me.role == Member.Role.OWNER:
            raise ServiceError("owner_leaving", _("You own this group: hand it over to another member before you leave."))
        me.left_at, me.left_seq = _now(), conversation.last_seq
        me.save(update_fields=["left_at", "left_seq"])
        audit.record("chat.left", actor=acting_user, obj=conversation)
        _publish_members(conversation)
        stream.publish([acting_user.pk], EVENT_MEMBERS, {"conversation": conversation.pk, "removed": True})
    return me


def rename(*, acting_user: Any, conversation_id: int, title: str) -> Conversation:
    """Owners and administrators rename a group; every member's devices show the new name."""
    title = title.strip()
    if not title or len(title) > 100:
        raise ServiceError("invalid", _("The group needs a name of at most 100 characters."), {"title": [_("Give the group a name.")]})
    seen = conversation_of(acting_user, conversation_id, VIEW)
    if seen.department_id is not None:
        raise Forbidden("department_group", _("This is a department group: it is named after its department."))
    if seen.subject is not None:  # discussions.follow_record_title
        raise Forbidden("discussion_group", _("This group discusses a record: it bears the record's title."))
    conversation = conversation_of(acting_user, conversation_id, MANAGE)
    with batch.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if conversation.title != title:
            apply_rename(conversation, title, actor=acting_user)
    return conversation


def apply_rename(conversation: Conversation, title: str, *, actor: Any) -> None:
    """Store a new name, audited, and tell the members' devices (inside the caller's transaction)."""
    audit.record("chat.renamed", actor=actor, obj=conversation, changes={"title": [conversation.title, title]})
    conversation.title = title
    conversation.save(update_fields=["title"])
    ids = Member.objects.filter(conversation=conversation, left_at__isnull=True).values_list("person_id", flat=True)
    stream.publish(list(ids), EVENT_RENAMED, {"conversation": conversation.pk, "title": title})
