"""事务群: a group discussing one record of another app (a 公文, a work order), one per record.

Chat imports no other app: the record's owner describes it through the manifest's ``records``
(``registry.record(user, "<app>.<kind>:<id>")``: its title, page and participants, or None for
someone who may not see it), and chat offers the group on any record page through its
``record_links`` entry (``offer``). Whoever may see the record starts the group from its page, with
the record's participants as members and themselves as owner, or opens it if it exists (joining
it if they never were in it; someone who left or was removed is not brought back). Each opening
also brings in participants the record has gained since (a later step's holder). The group links
back to the record's page (``subject_links``).

Its name is its record's title, kept in step through the same seam: each time a member who may
see the record opens the group, its members page or their conversation list, the record is asked
for its title and a renamed 公文 renames its group (audited as a rename by nobody, and the
members' open pages follow live). A 事务群 is therefore not renamed by hand (``groups.rename``).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.apps.chat.groups import apply_rename
from zhengtong.apps.chat.models import Conversation, Member
from zhengtong.apps.chat.rules import uses_chat
from zhengtong.apps.chat.services import _publish_members, _unread_rows
from zhengtong.errors import Forbidden, NotFound
from zhengtong.platform import batch, registry
from zhengtong.platform.audit import services as audit
from zhengtong.platform.registry import RecordLink


def offer(user: Any, kind: str, object_id: str) -> RecordLink | None:
    """The 事务群 link on a record's page: to the group with my unread count, else a button that starts or opens it."""
    if not uses_chat(user) or kind not in registry.current().records:
        return None
    conversation = Conversation.objects.filter(subject=f"{kind}:{object_id}").first()
    if conversation is not None and Member.objects.filter(conversation=conversation, person=user).exists():
        unread = _unread_rows(user).filter(conversation=conversation).count()
        return RecordLink(gettext_lazy("Discussion group"), reverse("chat:conversation", args=[conversation.pk]), count=unread)
    return RecordLink(gettext_lazy("Discussion group"), reverse("chat:discuss") + f"?subject={kind}:{object_id}", post=True)


def record_link(conversation: Conversation) -> str | None:
    """The page of the record a 事务群 discusses."""
    return registry.current().subject_link(conversation.subject) if conversation.subject else None


def open_discussion(*, acting_user: Any, subject: str) -> Conversation:
    """The record's group: started (participants as members) or opened (joining it, with newly arrived participants)."""
    if not uses_chat(acting_user):
        raise Forbidden("forbidden", _("You cannot use chat."))
    record = registry.current().record(acting_user, subject)
    if record is None:
        raise NotFound("not_found", _("No such record."))
    people = {person.pk: person for person in record.participants if uses_chat(person)}
    people.pop(acting_user.pk, None)
    with batch.atomic():
        conversation, created = Conversation.objects.get_or_create(
            subject=subject, defaults={"kind": Conversation.Kind.GROUP, "title": record.title[:100], "owner": acting_user})
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        known = set(Member.objects.filter(conversation=conversation).values_list("person_id", flat=True))
        joining = [Member(conversation=conversation, person=acting_user, role=Member.Role.OWNER if created else Member.Role.MEMBER,
                          joined_seq=conversation.last_seq, read_seq=conversation.last_seq)] if acting_user.pk not in known else []
        joining += [Member(conversation=conversation, person_id=pk, joined_seq=conversation.last_seq, read_seq=conversation.last_seq)
                    for pk in people if pk not in known]
        if joining:
            Member.objects.bulk_create(joining)
            audit.record("chat.discussion_opened" if created else "chat.discussion_joined", actor=acting_user, obj=conversation,
                         changes={"subject": [None, subject], "members": [None, sorted(m.person_id for m in joining)]})
            _publish_members(conversation)
    return conversation


def follow_record_title(user: Any, conversations: list[Conversation]) -> None:
    """Give each 事务群 among ``conversations`` its record's title as ``user`` sees the record (renamed if it changed)."""
    for conversation in conversations:
        record = registry.current().record(user, conversation.subject) if conversation.subject else None
        title = record.title[:100] if record is not None else conversation.title
        if title == conversation.title:
            continue
        with batch.atomic():
            locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
            if locked.title != title:
                apply_rename(locked, title, actor=None)
        conversation.title = title


def follow_titles_in_list(user: Any, items: list[dict[str, Any]]) -> None:
    """The same for the 事务群 of a conversation list (``services.my_conversations``) where ``user`` is still a member."""
    follow_record_title(user, [item["conversation"] for item in items if item["conversation"].subject and item["member"].active])
    for item in items:
        if item["conversation"].subject:
            item["title"] = item["conversation"].title
