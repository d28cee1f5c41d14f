"""What a person does with a message beyond sending it: voice, forward, pin (置顶), star (收藏), urgent (加急).

Each is a service as in services.py: checked through the chat rules, one ``batch.atomic``, an
audit record, and a device event so the person's other devices (and, for pins and 加急, the
other members) update. Urgent reminders are sent by the worker (reminders.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.apps.chat import services
from zhengtong.apps.chat.models import Conversation, Member, Message, Pin, Reminder, Star
from zhengtong.apps.chat.rules import PIN, POST, uses_chat
from zhengtong.errors import Forbidden, NotFound, ServiceError
from zhengtong.platform import batch
from zhengtong.platform.audit import services as audit
from zhengtong.platform.files import services as files
from zhengtong.platform.notices import services as notices
from zhengtong.platform.notices import stream
from zhengtong.platform.notices.models import Notice

# Voice messages: as browsers record them (platform/files tells the kind by content), up to a minute.
VOICE_KINDS = ("webm", "ogg", "m4a")
VOICE_MAX_MS = 60_000
VOICE_MAX_MB = 2
MAX_FORWARD = 20  # conversations one forward reaches
MAX_PINS = 10
URGENT_PER_DAY = 10  # settings.CHAT_URGENT_PER_DAY
REMIND_MINUTES = 5  # settings.CHAT_URGENT_REMIND_MINUTES
REMINDERS = 3  # settings.CHAT_URGENT_REMINDERS: reminders after the first notice
EVENT_PINS = "chat.pins"
EVENT_STARRED = "chat.starred"
EVENT_URGENT = "chat.urgent"


def urgent_per_day() -> int:
    return int(getattr(settings, "CHAT_URGENT_PER_DAY", URGENT_PER_DAY))


def remind_after() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "CHAT_URGENT_REMIND_MINUTES", REMIND_MINUTES)))


def reminders_max() -> int:
    return int(getattr(settings, "CHAT_URGENT_REMINDERS", REMINDERS))


def _label(message: Message) -> str:
    return f"{message.conversation_id}#{message.seq}"


# --- voice ---------------------------------------------------------------------------------------


def voice_text(duration_ms: int) -> str:
    """What a voice message says in the conversation list and in notices: [语音] 12″."""
    return _("[Voice] %(seconds)d″") % {"seconds": max(1, round(duration_ms / 1000))}


def send_voice(*, acting_user: Any, conversation_id: int, client_msg_id: str, upload: Any, duration_ms: int) -> Message:
    """A voice message recorded in the browser: stored through platform/files (audio, told by its content),
    with the length the recording device measured (1 ms to a minute)."""
    client_msg_id = services._client_id(client_msg_id)
    existing = services._retried(acting_user, client_msg_id, conversation_id)
    if existing is not None:
        return existing
    if not 1 <= duration_ms <= VOICE_MAX_MS:
        raise ServiceError("invalid", _("A voice message lasts at most %(n)d seconds.") % {"n": VOICE_MAX_MS // 1000},
                           {"duration_ms": [_("Between 1 and %(n)d milliseconds.") % {"n": VOICE_MAX_MS}]})
    conversation = services.conversation_of(acting_user, conversation_id, POST)
    with batch.atomic():
        stored = files.store(acting_user=acting_user, upload=upload, owner=f"chat.conversation:{conversation.pk}",
                             allowed_kinds=VOICE_KINDS, max_bytes=VOICE_MAX_MB * 1024 * 1024)
        return services._store(acting_user, conversation, client_msg_id, text=voice_text(duration_ms), kind=Message.Kind.VOICE,
                               stored=stored, mentions=[], duration_ms=duration_ms)


def message_thumbnail(user: Any, message_id: int) -> Any:
    """The thumbnail of an image message ``user`` may see, unless it was recalled."""
    message = services.message_of(user, message_id)
    if message.thumbnail_id is None or message.recalled_at is not None:
        raise NotFound("not_found", _("This message has no thumbnail."))
    return message.thumbnail


# --- forward -------------------------------------------------------------------------------------


def forward(*, acting_user: Any, message_id: int, targets: Sequence[tuple[int, str]]) -> list[Message]:
    """Copy a message I can see into conversations where I may post, one client id per target (a retry
    returns the copies already made). The copy says 转发 and who first sent it; a recalled message stays recalled."""
    original = services.message_of(acting_user, message_id)
    if original.recalled_at is not None:
        raise ServiceError("recalled", _("A recalled message cannot be forwarded."))
    if not targets or len(targets) > MAX_FORWARD or len({pk for pk, _client in targets}) != len(targets):
        raise ServiceError("invalid", _("Choose up to %(n)d conversations, each once.") % {"n": MAX_FORWARD},
                           {"targets": [_("Choose the conversations to forward to.")]})
    plan: list[tuple[Message | None, Conversation, str]] = []
    for conversation_id, client_msg_id in targets:  # every target checked before anything is stored
        client_msg_id = services._client_id(client_msg_id)
        existing = services._retried(acting_user, client_msg_id, conversation_id)
        plan.append((existing, existing.conversation if existing else services.conversation_of(acting_user, conversation_id, POST),
                     client_msg_id))
    first_sender = original.forwarded_sender_id or original.sender_id
    with batch.atomic():
        made = {client_msg_id: services._store(acting_user, conversation, client_msg_id, text=original.text, kind=original.kind,
                                               stored=original.file, mentions=[], thumbnail=original.thumbnail,
                                               duration_ms=original.duration_ms, forwarded_from=original,
                                               forwarded_sender_id=first_sender)
                for existing, conversation, client_msg_id in plan if existing is None}
        if made:  # a retry of a forward already made changes nothing
            audit.record("chat.forwarded", actor=acting_user, obj=original, object_repr=_label(original),
                         detail="to " + ", ".join(_label(copy) for copy in made.values()))
    return [existing or made[client_msg_id] for existing, _conversation, client_msg_id in plan]


def post_targets(user: Any) -> list[dict[str, Any]]:
    """The conversations ``user`` may forward into (an active member), latest activity first."""
    return [{"id": item["conversation"].pk, "title": item["title"]} for item in services.my_conversations(user)
            if item["member"].active]


# --- pin -----------------------------------------------------------------------------------------


def pins_of(user: Any, conversation: Conversation) -> list[Message]:
    """The pinned messages of ``conversation`` that ``user`` may see, latest pinned first (recalled ones drop out)."""
    member = services.member_of(user, conversation)
    pinned = (Pin.objects.filter(conversation=conversation, message__recalled_at__isnull=True)
              .select_related("message__sender", "message__file", "message__quote", "message__forwarded_sender").order_by("-pinned_at"))
    return [pin.message for pin in pinned if member.sees(conversation, pin.message.seq)]


def pin(*, acting_user: Any, message_id: int, pinned: bool) -> list[Message]:
    """置顶 / 取消置顶: a group's owner and administrators, either person of a 1:1; at most MAX_PINS per conversation."""
    message = services.message_of(acting_user, message_id)
    conversation = services.conversation_of(acting_user, message.conversation_id, PIN)
    if pinned and message.recalled_at is not None:
        raise ServiceError("recalled", _("A recalled message cannot be pinned."))
    with batch.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)  # one pin count at a time
        present = Pin.objects.filter(message=message).exists()
        if pinned and not present:
            if Pin.objects.filter(conversation=conversation).count() >= MAX_PINS:
                raise ServiceError("too_many_pins", _("A conversation has at most %(n)d pinned messages; unpin one first.")
                                   % {"n": MAX_PINS})
            Pin.objects.create(conversation=conversation, message=message, pinned_by=acting_user)
        elif not pinned and present:
            Pin.objects.filter(message=message).delete()
        else:
            return pins_of(acting_user, conversation)
        audit.record("chat.pinned" if pinned else "chat.unpinned", actor=acting_user, obj=message, object_repr=_label(message))
        ids = list(Member.objects.filter(conversation=conversation, left_at__isnull=True).values_list("person_id", flat=True))
        stream.publish(ids, EVENT_PINS, {"conversation": conversation.pk, "message": message.pk, "pinned": pinned})
    return pins_of(acting_user, conversation)


# --- star ----------------------------------------------------------------------------------------


def star(*, acting_user: Any, message_id: int, starred: bool) -> bool:
    """收藏 / 取消收藏 a message I can see (a removed member still can, for what was sent before the removal)."""
    message = services.message_of(acting_user, message_id)
    with batch.atomic():
        if starred:
            changed = Star.objects.get_or_create(person=acting_user, message=message)[1]
        else:
            changed = Star.objects.filter(person=acting_user, message=message).delete()[0] > 0
        if changed:
            audit.record("chat.starred" if starred else "chat.unstarred", actor=acting_user, obj=message, object_repr=_label(message))
            stream.publish([acting_user.pk], EVENT_STARRED,
                           {"conversation": message.conversation_id, "message": message.pk, "starred": starred})
    return starred


def starred_ids(user: Any, messages: Sequence[Message]) -> set[int]:
    return set(Star.objects.filter(person=user, message__in=messages).values_list("message_id", flat=True))


STARRED_PAGE = 20


def starred_messages(user: Any, limit: int = STARRED_PAGE, *, before: int = 0) -> list[Message]:
    """My starred messages, the latest starred first, only those I can still see."""
    return starred_page(user, limit=limit, before=before)[0]


def starred_page(user: Any, *, limit: int = STARRED_PAGE, before: int = 0) -> tuple[list[Message], int | None]:
    """A page of my starred messages, the latest starred first, only those I can still see: the messages, and
    the cursor of the next (older) page (the last star's number: stars before it come next), None at the end."""
    if not uses_chat(user):
        return [], None
    members = {m.conversation_id: m for m in Member.objects.filter(person=user).select_related("conversation")}
    rows: QuerySet[Star] = (Star.objects.filter(person=user, message__conversation__in=list(members))
                            .select_related("message__conversation", "message__sender", "message__file", "message__quote",
                                            "message__forwarded_sender")
                            .order_by("-pk"))
    if before:
        rows = rows.filter(pk__lt=before)
    seen: list[Message] = []
    last = 0
    for row in rows.iterator():
        member = members[row.message.conversation_id]
        if member.sees(member.conversation, row.message.seq):
            if len(seen) == limit:  # one more is there: the page has a next one
                return seen, last
            seen.append(row.message)
            last = row.pk
    return seen, None


# --- 加急 ----------------------------------------------------------------------------------------


def _day_start(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def mark_urgent(*, acting_user: Any, message_id: int) -> Message:
    """加急: the sender of a message, in a conversation where they may post, has its unread recipients
    told now in the message center (urgent), and again every few minutes until they read it (reminders.py)."""
    message = services.message_of(acting_user, message_id)
    if message.sender_id != acting_user.pk:
        raise Forbidden("forbidden", _("Only the sender may mark a message urgent."))
    if message.recalled_at is not None:
        raise ServiceError("recalled", _("A recalled message cannot be marked urgent."))
    conversation = services.conversation_of(acting_user, message.conversation_id, POST)
    now = timezone.now()
    with batch.atomic():
        if not Message.objects.select_for_update().filter(pk=message.pk, urgent_at__isnull=True).exists():
            return message  # already urgent
        # The sender's row lock: two marks at once are counted one after the other against the daily limit.
        get_user_model().objects.select_for_update().filter(pk=acting_user.pk).exists()
        if Message.objects.filter(sender=acting_user, urgent_at__gte=_day_start(now)).count() >= urgent_per_day():
            raise ServiceError("too_many_urgent", _("You can mark at most %(n)d messages urgent a day.") % {"n": urgent_per_day()})
        Message.objects.filter(pk=message.pk).update(urgent_at=now)
        message.urgent_at = now
        active = Member.objects.filter(conversation=conversation, left_at__isnull=True).select_related("person")
        unread = [m for m in active if m.person_id != acting_user.pk and m.sees(conversation, message.seq) and m.read_seq < message.seq]
        Reminder.objects.bulk_create([Reminder(message=message, person_id=m.person_id, due_at=now + remind_after()) for m in unread])
        if unread:
            notify_urgent(message, [m.person for m in unread])
        audit.record("chat.urgent", actor=acting_user, obj=message, object_repr=_label(message), detail=f"{len(unread)} unread")
        stream.publish([m.person_id for m in active], EVENT_URGENT,
                       {"conversation": conversation.pk, "message": message.pk, "seq": message.seq})
    return message


def notify_urgent(message: Message, people: Sequence[Any]) -> None:
    """The urgent notice in the message center (category chat), from the message's sender."""
    sender = message.sender
    notices.notify(sender=sender, to=people, priority=Notice.Priority.URGENT, category=services.NOTICE_CATEGORY, app="chat",
                   title=_("[Urgent] %(name)s: %(text)s") % {"name": sender.get_full_name(), "text": message.text[:60]},
                   link=reverse("chat:conversation", args=[message.conversation_id]) + f"#m{message.seq}",
                   target=f"chat.conversation:{message.conversation_id}")


def urgent_state(user: Any, message_id: int) -> dict[str, Any]:
    """For the sender of an urgent message: who has confirmed (read) it and who not yet, with the reminders sent."""
    message = services.message_of(user, message_id)
    if message.sender_id != user.pk:
        raise Forbidden("forbidden", _("Only the sender sees who has confirmed an urgent message."))
    reminders = Reminder.objects.filter(message=message).select_related("person").order_by("pk")
    read = {m.person_id: m.read_seq >= message.seq
            for m in Member.objects.filter(conversation_id=message.conversation_id, person__in=[r.person_id for r in reminders])}
    people = [{"id": r.person_id, "name": r.person.get_full_name(), "confirmed": read.get(r.person_id, False), "reminded": r.sent}
              for r in reminders]
    return {"message": message.pk, "urgent": message.urgent_at is not None, "people": people,
            "unconfirmed": sum(1 for p in people if not p["confirmed"])}


def unconfirmed_counts(messages: Sequence[Message]) -> dict[int, int]:
    """For urgent messages shown to their sender: how many recipients have not yet read each, in one query."""
    confirmed = Member.objects.filter(conversation_id=OuterRef("message__conversation_id"), person_id=OuterRef("person_id"),
                                      read_seq__gte=OuterRef("message__seq"))
    rows = (Reminder.objects.filter(message__in=messages).exclude(Exists(confirmed)).values("message_id")
            .annotate(n=Count("id")).order_by())
    counts = {row["message_id"]: row["n"] for row in rows}
    return {message.pk: counts.get(message.pk, 0) for message in messages}
