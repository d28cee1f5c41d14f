"""The chat's operations, the only code that changes its state.

Each runs in one service transaction (``batch.atomic``): the access check, the rows, the audit
record and the device events (``stream.publish``: stored with the change, pushed after the
commit by each server process's reader). A message is stored before it is pushed, so a device
that was away replays it from its cursor.

Sending takes the conversation's row lock (``select_for_update``; on SQLite the IMMEDIATE
transaction is the lock), so positions are handed out one at a time in commit order, and it is
idempotent by the sender's ``client_msg_id``: a retry returns the stored message and publishes
nothing again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.apps.chat import search as chat_search
from zhengtong.apps.chat import thumbnails
from zhengtong.apps.chat.models import Conversation, Member, Message
from zhengtong.apps.chat.rules import MANAGE, MENTION_ALL, POST, VIEW, membership, mine, uses_chat
from zhengtong.errors import Forbidden, NotFound, ServiceError
from zhengtong.platform import batch, prepared
from zhengtong.platform.access.policy import can
from zhengtong.platform.audit import services as audit
from zhengtong.platform.files import services as files
from zhengtong.platform.notices import realtime, stream
from zhengtong.platform.notices import services as notices
from zhengtong.platform.prepared import Prepared

NOTICE_CATEGORY = "chat"
RECALL_WINDOW = timedelta(minutes=2)
MAX_TEXT = 5000
MAX_GROUP = 500
# Groups up to this size show the sender who has and who has not read a message; above it, counts.
READ_LIST_MAX = 100
# Files people may send, checked by content (platform/files), and the most a file may weigh.
FILE_KINDS = ("pdf", "ofd", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "png", "jpeg", "gif", "txt", "zip")
IMAGE_KINDS = ("png", "jpeg", "gif")
FILE_MAX_MB = 20
EVENT_MESSAGE = "chat.message"
EVENT_RECALLED = "chat.recalled"
EVENT_READ = "chat.read"
EVENT_MEMBERS = "chat.members"
ALL = "所有人"


def _now() -> datetime:
    return timezone.now()


def read_list_max() -> int:
    return int(getattr(settings, "CHAT_READ_LIST_MAX", READ_LIST_MAX))


# --- looking things up --------------------------------------------------------------------------


# The queries of every send, compiled once per connection (zhengtong/platform/prepared.py): the ORM
# spent more building them (select_related, joins) than the database spent running them.
_mine_by_id: Prepared[Conversation] = Prepared(lambda person, pk: mine(person).filter(pk=pk), ("int", "int"))
_locked: Prepared[Conversation] = Prepared(lambda pk: Conversation.objects.select_for_update().filter(pk=pk))
_locked_member: Prepared[Member] = Prepared(lambda pk: Member.objects.select_for_update().filter(pk=pk))
_active_members: Prepared[Member] = Prepared(
    lambda pk: Member.objects.filter(conversation_id=pk, left_at__isnull=True).select_related("person"))
# (sender, client_msg_id) is unique: at most one row.
_sent_before: Prepared[Message] = Prepared(
    lambda sender, client_msg_id: Message.objects.select_related("sender", "quote", "file", "forwarded_sender")
    .filter(sender_id=sender, client_msg_id=client_msg_id),
    ("int", "str"))


def conversation_of(user: Any, conversation_id: int, action: str = VIEW) -> Conversation:
    """One of ``user``'s conversations: 404 for anyone who never belonged to it, 403 for a refused act."""
    conversation = next(iter(_mine_by_id(user.pk, conversation_id)), None) if uses_chat(user) else None
    if conversation is None:
        raise NotFound("not_found", _("No such conversation."))
    if not can(user, action, conversation):
        raise Forbidden("forbidden", _("You are no longer a member of this conversation.") if action == POST
                        else _("Only the group's owner and administrators may do this."))
    return conversation


def member_of(user: Any, conversation: Conversation) -> Member:
    member = membership(user, conversation)
    if member is None:
        raise NotFound("not_found", _("No such conversation."))
    return member


def visible_messages(user: Any, conversation: Conversation) -> QuerySet[Message]:
    """The messages of ``conversation`` that ``user`` may see: from joining (when the group says so) until removal."""
    member = member_of(user, conversation)
    rows = Message.objects.filter(conversation=conversation, seq__gte=member.first_visible(conversation))
    if member.left_seq is not None:
        rows = rows.filter(seq__lte=member.left_seq)
    return rows


def message_of(user: Any, message_id: int) -> Message:
    message = Message.objects.select_related("conversation").filter(pk=message_id).first()
    if message is None or not uses_chat(user):
        raise NotFound("not_found", _("No such message."))
    member = membership(user, message.conversation)
    if member is None or not member.sees(message.conversation, message.seq):
        raise NotFound("not_found", _("No such message."))
    return message


def page_of_messages(user: Any, conversation: Conversation, *, before: int = 0, after: int = 0,
                     limit: int = 50) -> tuple[list[Message], bool]:
    """Up to ``limit`` visible messages, oldest first: after position ``after``, else before ``before``
    (else the newest). The flag says whether more lie further in that direction."""
    rows = visible_messages(user, conversation).select_related("sender", "quote", "file", "forwarded_sender")
    if after:
        window = list(rows.filter(seq__gt=after).order_by("seq")[:limit + 1])
        return window[:limit], len(window) > limit
    if before:
        rows = rows.filter(seq__lt=before)
    window = list(rows.order_by("-seq")[:limit + 1])
    return list(reversed(window[:limit])), len(window) > limit


def shown_text(message: Message) -> str:
    return _("recalled a message") if message.recalled_at else message.text


def message_payload(message: Message) -> dict[str, Any]:
    """A message as devices and the API see it; a recalled one keeps its place but not its text."""
    quote, stored = message.quote, message.file if message.file_id and not message.recalled_at else None
    return {
        "id": message.pk, "conversation": message.conversation_id, "seq": message.seq, "client_msg_id": message.client_msg_id,
        "sender": message.sender_id, "sender_name": message.sender.get_full_name(), "kind": message.kind,
        "text": "" if message.recalled_at else message.text, "recalled": message.recalled_at is not None,
        "mentions": [] if message.recalled_at else list(message.mentions), "mention_all": message.mention_all,
        "quote": None if quote is None else {"id": quote.pk, "seq": quote.seq, "text": shown_text(quote)[:100]},
        "file": None if stored is None else {"name": stored.name, "kind": stored.kind, "size": stored.size,
                                             "url": f"/api/chat/messages/{message.pk}/file"},
        "created_at": message.created_at.isoformat(),
        "bot": message.bot_id is not None,  # posted by an integrated system (bots.py): shown with 机器人
        **_feature_payload(message),
    }


def _feature_payload(message: Message) -> dict[str, Any]:
    """Thumbnail, voice length, who first sent a forwarded copy, 加急 (features.py)."""
    shown = message.recalled_at is None
    forwarded = message.forwarded_sender if message.forwarded_sender_id and shown else None
    return {
        "thumbnail_url": f"/api/chat/messages/{message.pk}/thumbnail" if message.thumbnail_id and shown else None,
        "duration_ms": message.duration_ms if shown else None,
        "forwarded_from": None if forwarded is None else {"sender": forwarded.pk, "sender_name": forwarded.get_full_name()},
        "urgent": message.urgent_at is not None and shown,
    }


def title_for(user: Any, conversation: Conversation) -> str:
    """A group's title; for a 1:1 conversation, the other person's name."""
    if conversation.kind == Conversation.Kind.GROUP:
        return conversation.title
    other = (Member.objects.filter(conversation=conversation).exclude(person=user).select_related("person").first())
    return other.person.get_full_name() if other else user.get_full_name()


def _unread_rows(user: Any) -> QuerySet[Any]:
    # One join of the person's member rows with the messages after their watermark, inside what they may see.
    return (Message.objects.filter(
        Q(conversation__members__left_seq__isnull=True) | Q(seq__lte=F("conversation__members__left_seq")),
        conversation__members__person=user, seq__gt=F("conversation__members__read_seq"), recalled_at__isnull=True)
        .exclude(sender=user))


def unread_counts(user: Any) -> dict[int, int]:
    """Unread messages per conversation (only those with any)."""
    if not uses_chat(user):
        return {}
    rows = _unread_rows(user).values("conversation_id").annotate(n=Count("id")).order_by()
    return {row["conversation_id"]: row["n"] for row in rows}


def unread_total(user: Any) -> int:
    return sum(unread_counts(user).values())


def my_conversations(user: Any) -> list[dict[str, Any]]:
    """The person's conversations, the latest activity first, each with its unread count and last visible message."""
    if not uses_chat(user):
        return []
    members = list(Member.objects.filter(person=user).select_related("conversation"))
    counts = unread_counts(user)
    last_seq = {m.conversation_id: min(m.conversation.last_seq, m.left_seq if m.left_seq is not None else m.conversation.last_seq)
                for m in members}
    wanted = Q()
    for conversation_id, seq in last_seq.items():
        if seq:
            wanted |= Q(conversation_id=conversation_id, seq=seq)
    last = ({m.conversation_id: m for m in Message.objects.filter(wanted).select_related("sender", "file", "forwarded_sender")}
            if wanted else {})
    directs = [m.conversation_id for m in members if m.conversation.kind == Conversation.Kind.DIRECT]
    others = {row.conversation_id: row.person.get_full_name()
              for row in Member.objects.filter(conversation_id__in=directs).exclude(person=user).select_related("person")}
    items: list[dict[str, Any]] = []
    for member in members:
        conversation = member.conversation
        message = last.get(conversation.pk)
        if message is not None and not member.sees(conversation, message.seq):
            message = None
        title = conversation.title if conversation.kind == Conversation.Kind.GROUP else others.get(conversation.pk, user.get_full_name())
        items.append({"conversation": conversation, "member": member, "title": title, "unread": counts.get(conversation.pk, 0),
                      "last": message, "at": message.created_at if message else conversation.created_at})
    items.sort(key=lambda item: (item["at"], item["conversation"].pk), reverse=True)
    return items


def read_state(user: Any, message_id: int) -> dict[str, Any]:
    """Who has and who has not read one of my messages: names up to ``read_list_max`` members, counts above."""
    message = message_of(user, message_id)
    if message.sender_id != user.pk:
        raise Forbidden("forbidden", _("Only the sender sees who has read a message."))
    conversation = message.conversation
    readers = [m for m in Member.objects.filter(conversation=conversation, left_at__isnull=True).exclude(person=user)
               .select_related("person").order_by("pk") if m.sees(conversation, message.seq) and m.person.is_active]  # not bots
    read = [m for m in readers if m.read_seq >= message.seq]
    unread = [m for m in readers if m.read_seq < message.seq]
    listed = len(readers) <= read_list_max()

    def people(rows: list[Member]) -> list[dict[str, Any]] | None:
        return [{"id": m.person_id, "name": m.person.get_full_name()} for m in rows] if listed else None

    return {"message": message.pk, "seq": message.seq, "read_count": len(read), "unread_count": len(unread),
            "read": people(read), "unread": people(unread)}


# --- changing things ----------------------------------------------------------------------------


def _chat_people(ids: Iterable[int]) -> list[Any]:
    """Active staff among ``ids``; anyone else is refused, naming nobody."""
    wanted = set(ids)
    people = list(get_user_model().objects.filter(pk__in=wanted, is_active=True))
    if len(people) != len(wanted) or not all(uses_chat(person) for person in people):
        raise ServiceError("invalid", _("Only active staff can take part in a conversation."),
                           {"members": [_("Someone chosen cannot take part in conversations.")]})
    return people


def _publish_members(conversation: Conversation) -> None:
    ids = list(Member.objects.filter(conversation=conversation, left_at__isnull=True).values_list("person_id", flat=True))
    stream.publish(ids, EVENT_MEMBERS, {"conversation": conversation.pk})


def open_direct(*, acting_user: Any, other_id: int) -> Conversation:
    """The one 1:1 conversation between two people, opened the first time it is asked for."""
    if not uses_chat(acting_user):
        raise Forbidden("forbidden", _("You cannot use chat."))
    if other_id == acting_user.pk:
        raise ServiceError("invalid", _("Choose someone else to talk to."), {"person": [_("That is you.")]})
    (other,) = _chat_people([other_id])
    low, high = sorted((acting_user.pk, other.pk))
    key = f"{low}:{high}"
    with batch.atomic():
        conversation, created = Conversation.objects.select_for_update().get_or_create(
            direct_key=key, defaults={"kind": Conversation.Kind.DIRECT})
        if created:
            Member.objects.bulk_create([Member(conversation=conversation, person_id=pk) for pk in (low, high)])
            audit.record("chat.direct_opened", actor=acting_user, obj=conversation, detail=f"{acting_user.pk} ↔ {other.pk}")
    return conversation


def create_group(*, acting_user: Any, title: str, member_ids: Sequence[int], history_from_join: bool = False) -> Conversation:
    if not uses_chat(acting_user):
        raise Forbidden("forbidden", _("You cannot use chat."))
    title = title.strip()
    if not title or len(title) > 100:
        raise ServiceError("invalid", _("The group needs a name of at most 100 characters."), {"title": [_("Give the group a name.")]})
    ids = [pk for pk in dict.fromkeys(member_ids) if pk != acting_user.pk]
    if len(ids) + 1 > MAX_GROUP:
        raise ServiceError("invalid", _("A group has at most %(n)d members.") % {"n": MAX_GROUP}, {"members": [_("Too many.")]})
    people = _chat_people(ids)
    with batch.atomic():
        conversation = Conversation.objects.create(kind=Conversation.Kind.GROUP, title=title, owner=acting_user,
                                                   history_from_join=history_from_join)
        Member.objects.bulk_create([Member(conversation=conversation, person=acting_user, role=Member.Role.OWNER)]
                                   + [Member(conversation=conversation, person=person) for person in people])
        audit.record("chat.group_created", actor=acting_user, obj=conversation,
                     changes=audit.diff({}, {"title": title, "members": sorted([acting_user.pk, *ids])}))
        _publish_members(conversation)
    return conversation


# --- groups: a department group's members follow the directory (groups.py, departments.py) ---


def refuse_department_group(conversation: Conversation) -> None:
    if conversation.department_id is not None:
        raise Forbidden("department_group", _("This is a department group: its members follow the directory's department, "
                                              "so nobody adds or removes them here."))


def managed_group(acting_user: Any, conversation_id: int) -> Conversation:
    """A group ``acting_user`` manages, for changing its members: refused plainly for a department group."""
    refuse_department_group(conversation_of(acting_user, conversation_id, VIEW))
    return conversation_of(acting_user, conversation_id, MANAGE)


def add_members(*, acting_user: Any, conversation_id: int, member_ids: Sequence[int]) -> list[Member]:
    """Owners and administrators add people; someone removed before comes back from now on."""
    conversation = managed_group(acting_user, conversation_id)
    people = _chat_people(member_ids)
    with batch.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        existing = {m.person_id: m for m in Member.objects.filter(conversation=conversation, person__in=people)}
        if Member.objects.filter(conversation=conversation, left_at__isnull=True).count() + len(
                [p for p in people if p.pk not in existing or not existing[p.pk].active]) > MAX_GROUP:
            raise ServiceError("invalid", _("A group has at most %(n)d members.") % {"n": MAX_GROUP}, {"members": [_("Too many.")]})
        now, changed = _now(), []
        for person in people:
            member = existing.get(person.pk)
            if member is not None and member.active:
                continue
            if member is None:
                member = Member(conversation=conversation, person=person)
            member.joined_at, member.left_at, member.left_seq = now, None, None
            member.joined_seq = member.read_seq = conversation.last_seq
            member.role = Member.Role.MEMBER
            member.save()
            changed.append(member)
        if changed:
            audit.record("chat.members_added", actor=acting_user, obj=conversation,
                         changes=audit.diff({}, {"members": [m.person_id for m in changed]}))
            _publish_members(conversation)
    return changed


def remove_member(*, acting_user: Any, conversation_id: int, person_id: int) -> Member:
    """Owners and administrators remove a member, who then sees nothing sent after this moment.
    The owner cannot be removed; an administrator cannot remove another administrator."""
    conversation = managed_group(acting_user, conversation_id)
    with batch.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        member = Member.objects.filter(conversation=conversation, person_id=person_id, left_at__isnull=True).first()
        if member is None:
            raise NotFound("not_found", _("This person is not a member."))
        acting = member_of(acting_user, conversation)
        if member.role == Member.Role.OWNER or (member.role == Member.Role.ADMIN and acting.role != Member.Role.OWNER):
            raise Forbidden("forbidden", _("Only the owner removes administrators, and nobody removes the owner."))
        member.left_at, member.left_seq = _now(), conversation.last_seq
        member.save(update_fields=["left_at", "left_seq"])
        audit.record("chat.member_removed", actor=acting_user, obj=conversation, changes=audit.diff({"member": person_id}, {}))
        _publish_members(conversation)
        stream.publish([person_id], EVENT_MEMBERS, {"conversation": conversation.pk, "removed": True})
    return member


MENTION = re.compile(r"@(\S{1,30})")


def _mentions(text: str, active: list[Member], explicit: Sequence[int] | None) -> tuple[list[int], bool]:
    """Who ``text`` @-mentions among the active members (by name), or the ids given; and whether it says @所有人."""
    named = set(MENTION.findall(text))
    mention_all = ALL in named
    if explicit is not None:
        ids = {m.person_id for m in active}
        return sorted(pk for pk in set(explicit) if pk in ids), mention_all
    names = {m.person.get_full_name(): m.person_id for m in active}
    found = {names[token] for token in named if token in names}
    # "@王小明，请看" : the name runs into the punctuation after it.
    for name, pk in names.items():
        if name and f"@{name}" in text:
            found.add(pk)
    return sorted(found), mention_all


def send(*, acting_user: Any, conversation_id: int, client_msg_id: str, text: str, quote_id: int | None = None,
         mentions: Sequence[int] | None = None) -> Message:
    """Store a text message at the conversation's next position and push it to its members' devices."""
    client_msg_id = _client_id(client_msg_id)
    existing = _retried(acting_user, client_msg_id, conversation_id)
    if existing is not None:
        return existing
    text = text.strip()
    if not text:
        raise ServiceError("invalid", _("Write something to send."), {"text": [_("The message is empty.")]})
    if len(text) > MAX_TEXT:
        raise ServiceError("invalid", _("A message has at most %(n)d characters.") % {"n": MAX_TEXT}, {"text": [_("Too long.")]})
    conversation = conversation_of(acting_user, conversation_id, POST)
    with batch.atomic():
        return _store(acting_user, conversation, client_msg_id, text=text, quote_id=quote_id, mentions=mentions)


def send_file(*, acting_user: Any, conversation_id: int, client_msg_id: str, upload: Any) -> Message:
    """Store a file (an image shows inline) after platform/files has checked its type, content and size."""
    client_msg_id = _client_id(client_msg_id)
    existing = _retried(acting_user, client_msg_id, conversation_id)
    if existing is not None:
        return existing
    conversation = conversation_of(acting_user, conversation_id, POST)
    with batch.atomic():
        stored = files.store(acting_user=acting_user, upload=upload, owner=f"chat.conversation:{conversation.pk}",
                             allowed_kinds=FILE_KINDS, max_bytes=FILE_MAX_MB * 1024 * 1024)
        kind = Message.Kind.IMAGE if stored.kind in IMAGE_KINDS else Message.Kind.FILE
        thumbnail = None if kind == Message.Kind.FILE else thumbnails.make(stored=stored, data=files.read_bytes(stored),
                                                                           kept_for=acting_user)
        return _store(acting_user, conversation, client_msg_id, text=stored.name, kind=kind, stored=stored, mentions=[],
                      thumbnail=thumbnail)


def _client_id(client_msg_id: str) -> str:
    client_msg_id = (client_msg_id or "").strip()
    if not client_msg_id or len(client_msg_id) > 64:
        raise ServiceError("invalid", _("The message needs a client id of at most 64 characters."), {"client_msg_id": [_("Required.")]})
    return client_msg_id


def _retried(acting_user: Any, client_msg_id: str, conversation_id: int) -> Message | None:
    existing = next(iter(_sent_before(acting_user.pk, client_msg_id)), None)
    return None if existing is None else _same_retry(acting_user, existing, conversation_id)


def _store(acting_user: Any, conversation: Conversation, client_msg_id: str, *, text: str, kind: str = Message.Kind.TEXT,
           stored: Any = None, quote_id: int | None = None, mentions: Sequence[int] | None = None, **features: Any) -> Message:
    # ``features``: more fields of the message (thumbnail, duration_ms, forwarded_from, forwarded_sender: features.py;
    # bot: bots.py).
    # The conversation's row lock: positions are taken one sender at a time.
    (conversation,) = _locked(conversation.pk)
    existing = _retried(acting_user, client_msg_id, conversation.pk)
    if existing is not None:  # the same retry, committed while this one waited for the lock
        if stored is not None:
            raise ServiceError("conflict", _("This message was already sent."), {"client_msg_id": [_("Already used.")]})
        return existing
    active = _active_members(conversation.pk)
    sender = next((m for m in active if m.person_id == acting_user.pk), None)
    if sender is None:
        raise Forbidden("forbidden", _("You are no longer a member of this conversation."))
    quote = None
    if quote_id is not None:
        quote = Message.objects.filter(pk=quote_id, conversation=conversation).first()
        if quote is None or not sender.sees(conversation, quote.seq):
            raise ServiceError("invalid", _("The quoted message is not in this conversation."), {"quote": [_("Not found.")]})
    # A forwarded copy mentions nobody: its @names were meant for the first conversation.
    mentioned, mention_all = ([], False) if "forwarded_from" in features else _mentions(text, active, mentions)
    if mention_all and not can(acting_user, MENTION_ALL, conversation):
        raise Forbidden("forbidden", _("Only the group's owner and administrators may mention everyone (@所有人)."))
    seq = conversation.last_seq + 1
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=seq)
    message = Message.objects.create(conversation=conversation, sender=acting_user, client_msg_id=client_msg_id, seq=seq, kind=kind,
                                     text=text, file=stored, mentions=mentioned, mention_all=mention_all, quote=quote, created_at=_now(),
                                     **features)
    chat_search.index_message(message)
    # The sender has read what they sent.
    Member.objects.filter(pk=sender.pk, read_seq__lt=seq).update(read_seq=seq)
    audit.record("chat.sent", actor=acting_user, obj=message, object_repr=f"{conversation.pk}#{seq}")
    stream.publish([m.person_id for m in active], EVENT_MESSAGE, {"conversation": conversation.pk, "message": message_payload(message)})
    _notify_offline(acting_user, conversation, message, active)
    return message


def message_file(user: Any, message_id: int) -> Any:
    """The file of a message ``user`` may see, unless it was recalled."""
    message = message_of(user, message_id)
    if message.file_id is None or message.recalled_at is not None:
        raise NotFound("not_found", _("This message has no file."))
    return message.file


def _same_retry(acting_user: Any, existing: Message, conversation_id: int) -> Message:
    if existing.conversation_id != conversation_id:
        raise ServiceError("conflict", _("This client id was already used for another conversation."),
                           {"client_msg_id": [_("Already used.")]})
    return existing


def _notify_offline(acting_user: Any, conversation: Conversation, message: Message, active: list[Member]) -> None:
    """A notice in the message center for members with no device connected: the other person of a 1:1
    conversation (unless they muted it), and the people mentioned (even if they muted it)."""
    others = [m for m in active if m.person_id != acting_user.pk]
    if conversation.kind == Conversation.Kind.DIRECT:
        targets = [m.person for m in others if not m.muted]
        title = _("%(name)s: %(text)s") % {"name": acting_user.get_full_name(), "text": message.text[:60]}
    else:
        targets = [m.person for m in others if message.mention_all or m.person_id in message.mentions]
        title = _("%(name)s mentioned you in %(group)s: %(text)s") % {
            "name": acting_user.get_full_name(), "group": conversation.title, "text": message.text[:40]}
    # Connected in any server process: they see it live. Asked only when someone would get a notice.
    online = realtime.online(person.pk for person in targets) if targets else set()
    targets = [person for person in targets if person.pk not in online]
    if targets:
        notices.notify(sender=acting_user, to=targets, title=title, link=reverse("chat:conversation", args=[conversation.pk]),
                       category=NOTICE_CATEGORY, app="chat", target=f"chat.conversation:{conversation.pk}")


def recall(*, acting_user: Any, message_id: int) -> Message:
    """The sender takes a message back within two minutes; the others then see 撤回了一条消息."""
    message = message_of(acting_user, message_id)
    if message.sender_id != acting_user.pk:
        raise Forbidden("forbidden", _("Only the sender may recall a message."))
    if message.recalled_at is not None:
        return message
    if _now() - message.created_at > RECALL_WINDOW:
        raise ServiceError("too_late", _("A message can be recalled only within 2 minutes of sending it."))
    conversation_of(acting_user, message.conversation_id, POST)
    with batch.atomic():
        message.recalled_at = _now()
        message.save(update_fields=["recalled_at"])
        chat_search.unindex_message(message.pk)
        audit.record("chat.recalled", actor=acting_user, obj=message, object_repr=f"{message.conversation_id}#{message.seq}")
        ids = Member.objects.filter(conversation_id=message.conversation_id, left_at__isnull=True).values_list("person_id", flat=True)
        stream.publish(list(ids), EVENT_RECALLED, {"conversation": message.conversation_id, "message": message.pk, "seq": message.seq,
                                                   "text": _("recalled a message")})
    return message


def mark_read(*, acting_user: Any, conversation_id: int, seq: int) -> int:
    """Move my watermark forward to ``seq`` (never back, never past what I may see); returns where it stands."""
    conversation = conversation_of(acting_user, conversation_id, VIEW)
    member = member_of(acting_user, conversation)
    ceiling = conversation.last_seq if member.left_seq is None else member.left_seq
    seq = min(max(seq, 0), ceiling)
    with batch.atomic():
        (locked,) = _locked_member(member.pk)
        before = locked.read_seq
        if before >= seq:
            return int(before)
        prepared.update(Member, member.pk, {"read_seq": seq})
        # My other devices (the badge clears) and the senders of what I just read (their 已读 marks change).
        senders = (Message.objects.filter(conversation=conversation, seq__gt=before, seq__lte=seq)
                   .values_list("sender_id", flat=True).distinct().order_by())
        stream.publish([acting_user.pk, *senders], EVENT_READ,
                       {"conversation": conversation.pk, "person": acting_user.pk, "read_seq": seq})
    return seq


def set_muted(*, acting_user: Any, conversation_id: int, muted: bool) -> Member:
    """免打扰: no notice in the message center for this conversation's messages (mentions still come)."""
    conversation = conversation_of(acting_user, conversation_id, VIEW)
    member = member_of(acting_user, conversation)
    with batch.atomic():
        member.muted = muted
        member.save(update_fields=["muted"])
        audit.record("chat.muted" if muted else "chat.unmuted", actor=acting_user, obj=conversation)
    return member


# --- opening a conversation at a message (search results) -------------------------------------


def page_around(user: Any, conversation: Conversation, seq: int, *, limit: int = 50) -> tuple[list[Message], bool, bool]:
    """Up to ``limit`` visible messages around position ``seq`` (it among them, if visible), oldest first,
    and whether more lie before and after them."""
    rows = visible_messages(user, conversation).select_related("sender", "quote", "file")
    half = limit // 2
    older = list(rows.filter(seq__lt=seq).order_by("-seq")[:half + 1])
    newer = list(rows.filter(seq__gte=seq).order_by("seq")[:limit - half + 1])
    return [*reversed(older[:half]), *newer[:limit - half]], len(older) > half, len(newer) > limit - half
