"""Department groups: one group per directory department, kept in step with the directory.

A system administrator (or whoever manages the directory: ``directory.sync`` or
``accounts.manage``) turns a department's group on, or every department's at once
(``manage.py chat_department_groups``), and turns it off again (``disable``: it becomes an
ordinary group). The group has no owner: its members are the active
staff holding a post in the department (directly, not in the departments below it), and it
bears the department's name. Nobody adds, removes or promotes its members by hand
(``services.managed_group`` refuses it with a plain message).

How it keeps in step: by following the directory's change feed (platform/directory/feed.py)
from a manifest job, not by the directory's model signals. The feed is written by the
directory's services (and so by its imports and its sync API) in the same transaction as the
change, numbered in commit order, and read from a cursor chat stores for itself (``FeedCursor``).
That makes it robust where signals are not: a change is followed even if it was made while no
worker ran or the job failed halfway (the cursor only moves with the work, in one transaction);
a failure in chat never rolls back a change to the organisation; and bulk changes that send no
signals still reach the feed. Two workers at once: each reads the feed from the cursor it saw,
then locks the cursor row; the second finds it moved and does nothing. Each change is applied
by reconciling the whole department (who should be in it against who is), so applying one twice,
or a whole stretch again after a crash, changes nothing.

Someone who leaves the department is removed as a member is (they keep what they could see
until then); someone who comes back rejoins from then on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from zhengtong.apps.chat.groups import apply_rename
from zhengtong.apps.chat.models import Bot, Conversation, FeedCursor, Member
from zhengtong.apps.chat.rules import uses_chat
from zhengtong.apps.chat.services import _now, _publish_members
from zhengtong.errors import NotFound, ServiceError
from zhengtong.platform import batch
from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory import feed
from zhengtong.platform.directory.models import ChangeEvent, Department, Membership
from zhengtong.platform.directory.permissions import require_sync
from zhengtong.platform.notices import stream

CURSOR = "directory"
# Feed events applied per job run (the job runs again next round for the rest).
BATCH = 500


def group_of(department: Department) -> Conversation | None:
    return Conversation.objects.filter(department=department).first()


def enable(*, acting_user: Any, department_id: int) -> Conversation:
    """Turn a department's group on (or bring it in step again if it is on): its people become its members."""
    if acting_user is not None:
        require_sync(acting_user)
    department = Department.objects.filter(pk=department_id, is_active=True).first()
    if department is None:
        raise NotFound("not_found", _("No such department."))
    with batch.atomic():
        conversation, created = Conversation.objects.get_or_create(
            department=department, defaults={"kind": Conversation.Kind.GROUP, "title": department.display_name})
        if created:
            audit.record("chat.department_group_enabled", actor=acting_user, obj=conversation,
                         changes={"department": [None, department.pk]})
        reconcile(Conversation.objects.select_for_update().get(pk=conversation.pk), department, actor=acting_user)
    return conversation


def enable_all(*, acting_user: Any) -> list[Conversation]:
    if acting_user is not None:
        require_sync(acting_user)
    return [enable(acting_user=acting_user, department_id=pk)
            for pk in Department.objects.filter(is_active=True).exclude(kind=Department.Kind.UNIT).values_list("pk", flat=True)]


def disable(*, acting_user: Any, department_id: int, owner_id: int | None = None) -> Conversation:
    """Turn a department's group off: whoever may turn it on (``require_sync``).

    What a bureau expects when it stops a department's group is that the conversation and what
    was said in it stay with the people in it, and that the group stops changing by itself. So
    the members stay (none is removed, nobody is told they left), the messages stay, and the group
    stops following the directory: it becomes an ordinary group (``department`` cleared), its
    title kept. An ordinary group needs someone answerable for it, so the one turning it off may
    name one of its active members as its owner, who manages it from then on like any owner;
    named nobody, it has no owner and no administrators: its members go on talking or leave, and
    nobody adds or removes members (chat never picks an owner itself: the directory's head of a
    department is not necessarily who should run its chat). Turning the department's group on
    again makes a new group. Audited; the members' devices are told (their pages refresh the group)."""
    if acting_user is not None:
        require_sync(acting_user)
    conversation = Conversation.objects.filter(department_id=department_id).first()
    if conversation is None:
        raise NotFound("not_found", _("This department has no group."))
    with batch.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        owner = None
        if owner_id is not None:
            owner = Member.objects.filter(conversation=conversation, person_id=owner_id, left_at__isnull=True).exclude(
                person_id__in=Bot.objects.values("account_id")).first()
            if owner is None:
                raise ServiceError("invalid", _("Choose the new owner among the group's members."),
                                   {"owner": [_("Not a member of this group.")]})
            owner.role = Member.Role.OWNER
            owner.save(update_fields=["role"])
        conversation.department, conversation.owner_id = None, owner_id
        conversation.save(update_fields=["department", "owner"])
        audit.record("chat.department_group_disabled", actor=acting_user, obj=conversation,
                     changes={"department": [department_id, None], "owner": [None, owner_id]})
        _publish_members(conversation)
    return conversation


def wanted_members(department: Department) -> set[int]:
    """The people the department's group should hold: its active staff."""
    if not department.is_active:
        return set()
    ids = set(Membership.objects.filter(department=department, user__is_active=True).values_list("user_id", flat=True))
    return {person.pk for person in get_user_model().objects.filter(pk__in=ids) if uses_chat(person)}


def reconcile(conversation: Conversation, department: Department, *, actor: Any = None) -> tuple[list[int], list[int]]:
    """Bring a (locked) department group in step with its department: who joins, who leaves, its name.

    Returns the people added and removed; applying it again changes nothing."""
    wanted = wanted_members(department)
    rows = {m.person_id: m for m in Member.objects.filter(conversation=conversation)
            .exclude(person_id__in=Bot.objects.values("account_id"))}
    now = _now()
    added = sorted(pk for pk in wanted if pk not in rows or not rows[pk].active)
    removed = sorted(pk for pk, m in rows.items() if m.active and pk not in wanted)
    for pk in added:
        member = rows.get(pk) or Member(conversation=conversation, person_id=pk)
        member.joined_at, member.left_at, member.left_seq = now, None, None
        member.joined_seq = member.read_seq = conversation.last_seq
        member.role = Member.Role.MEMBER
        member.save()
    if removed:
        Member.objects.filter(conversation=conversation, person_id__in=removed).update(left_at=now, left_seq=conversation.last_seq)
    if added or removed:
        audit.record("chat.department_members", actor=actor, obj=conversation,
                     changes={"added": [None, added], "removed": [removed, None]})
        _publish_members(conversation)
        if removed:
            stream.publish(removed, "chat.members", {"conversation": conversation.pk, "removed": True})
    if conversation.title != department.display_name:
        apply_rename(conversation, department.display_name, actor=actor)
    return added, removed


def _departments_touched(events: Iterable[ChangeEvent]) -> set[int]:
    touched: set[int] = set()
    people: set[int] = set()
    for event in events:
        if event.entity == ChangeEvent.Entity.DEPARTMENT:
            touched.add(int(event.entity_id))
        elif event.entity == ChangeEvent.Entity.MEMBERSHIP and event.data.get("department"):
            touched.add(int(event.data["department"]))
        elif event.entity == ChangeEvent.Entity.PERSON:  # disabled, enabled: in every department they hold a post in
            people.add(int(event.entity_id))
    if people:
        touched |= set(Membership.objects.filter(user_id__in=people).values_list("department_id", flat=True))
        touched |= set(Conversation.objects.filter(department__isnull=False, members__person_id__in=people, members__left_at__isnull=True)
                       .values_list("department_id", flat=True))
    return touched


def follow_directory(now: datetime) -> int:
    """The worker's job: apply the directory's changes since chat's cursor to the department groups.

    Returns how many feed events it went past."""
    FeedCursor.objects.get_or_create(name=CURSOR)
    seen = FeedCursor.objects.get(name=CURSOR).position
    events = feed.changes(seen, BATCH)
    if not events:
        return 0
    with batch.atomic():
        cursor = FeedCursor.objects.select_for_update().get(name=CURSOR)
        if cursor.position != seen:  # another worker took this stretch
            return 0
        touched = _departments_touched(events)
        found = {d.pk: d for d in Department.objects.filter(pk__in=touched)}
        for conversation in Conversation.objects.select_for_update().filter(department_id__in=touched).order_by("pk"):
            reconcile(conversation, found[cast(int, conversation.department_id)])  # filtered on it
        cursor.position = events[-1].seq
        cursor.save(update_fields=["position"])
    return len(events)
