"""加急 reminders, sent by the worker (the chat manifest's job): each recipient of an urgent message who
has not read it gets the urgent notice again every CHAT_URGENT_REMIND_MINUTES, up to CHAT_URGENT_REMINDERS
times; reading it (or leaving the conversation, or its recall) stops them.

Safe in several workers at once: a reminder is claimed by a conditional UPDATE on its count, so
only the worker whose UPDATE changed the row sends that reminder.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from zhengtong.apps.chat import features
from zhengtong.apps.chat.models import Member, Reminder
from zhengtong.platform import batch
from zhengtong.platform.audit import services as audit

BATCH = 200


def remind_due(now: datetime | None = None) -> int:
    """Send the reminders that have come due; how many were sent."""
    now = now or timezone.now()
    due = (Reminder.objects.filter(done_at__isnull=True, due_at__lte=now)
           .select_related("message__sender", "person").order_by("due_at", "pk")[:BATCH])
    return sum(1 for reminder in due if remind(reminder, now))


def remind(reminder: Reminder, now: datetime) -> bool:
    """Claim ``reminder`` (as read when it was due) and send it; False when another worker claimed it first
    or it is over (read, removed, recalled)."""
    message, limit = reminder.message, features.reminders_max()
    member = Member.objects.filter(conversation_id=message.conversation_id, person_id=reminder.person_id).first()
    stop = member is None or not member.active or member.read_seq >= message.seq or message.recalled_at is not None
    count = reminder.sent + (0 if stop else 1)
    with batch.atomic():
        claimed = Reminder.objects.filter(pk=reminder.pk, sent=reminder.sent, done_at__isnull=True).update(
            sent=count, due_at=now + features.remind_after(), done_at=now if stop or count >= limit else None)
        if not claimed or stop:
            return False
        features.notify_urgent(message, [reminder.person])
        audit.record("chat.urgent_reminded", obj=message, object_repr=f"{message.conversation_id}#{message.seq}",
                     detail=f"person {reminder.person_id}, reminder {count} of {limit}")
    return True
