"""Message retention: one system-wide policy, applied by the worker.

The system administrator sets how many days messages are kept (0: forever) in the back office
(``set_policy``, audited), and a second figure for 事务群 (groups linked to a record,
``Conversation.subject``): a bureau keeps a record's discussion as long as the record, often longer
than everyday chat; left empty it is the general figure. The worker's job (``purge_expired``,
declared in the manifest) deletes the messages sent before that many days ago, with their files and their search entries, for
everyone, a bounded batch per transaction, each batch audited (how many, sent before when), and
the readers' open devices told (``chat.purged``), so a page left open drops them at once.

Two workers at once: each batch takes its rows in one transaction (row locks skipping what the
other holds, on SQLite the IMMEDIATE transaction) and counts only what it deleted itself, so a
message is purged and counted once. A conversation's order stays valid: positions (``seq``) are
never reused or renumbered (``last_seq`` stays), so cursors keep working and the gap is simply empty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.apps.chat import search
from zhengtong.apps.chat.models import Member, Message, RetentionPolicy
from zhengtong.errors import ServiceError
from zhengtong.platform import batch
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.files import services as files
from zhengtong.platform.notices import stream

POLICY = 1  # the primary key of the one policy row
BATCH = 500
# At most this many batches a round, so one round of the worker stays short; the rest comes next round.
ROUND = 20
MAX_DAYS = 36500
# Open devices drop what was purged: the conversation and the positions gone.
EVENT_PURGED = "chat.purged"


def policy() -> RetentionPolicy:
    """The policy in force: the stored one, else "keep forever"."""
    return RetentionPolicy.objects.filter(pk=POLICY).first() or RetentionPolicy(pk=POLICY, days=0)


def set_policy(*, acting_user: Any, days: int, subject_days: int | None = None) -> RetentionPolicy:
    """Keep messages ``days`` days (0: forever), and those of 事务群 ``subject_days`` (None: as the others; 0:
    forever): the system administrator's setting."""
    require(acting_user, perms.MANAGE_SETTINGS)
    for field, value in (("days", days), ("subject_days", subject_days)):
        if value is not None and not 0 <= value <= MAX_DAYS:
            raise ServiceError("invalid", _("Between 0 (forever) and %(n)d days.") % {"n": MAX_DAYS}, {field: [_("Out of range.")]})
    with batch.atomic():
        current = RetentionPolicy.objects.select_for_update().filter(pk=POLICY).first()
        before = {"days": current.days if current else 0, "subject_days": current.subject_days if current else None}
        kept, _created = RetentionPolicy.objects.update_or_create(
            pk=POLICY, defaults={"days": days, "subject_days": subject_days, "changed_at": timezone.now(), "changed_by": acting_user})
        audit.record("chat.retention_set", actor=acting_user, obj=kept,
                     changes=audit.diff(before, {"days": days, "subject_days": subject_days}))
    return kept


def _before(now: datetime, days: int) -> datetime | None:
    return now - timedelta(days=days) if days else None


def cutoff(now: datetime) -> datetime | None:
    """Messages of ordinary conversations sent before this moment are due for purging; None while kept forever."""
    return _before(now, policy().days)


def subject_cutoff(now: datetime) -> datetime | None:
    """The same for the messages of 事务群 (groups linked to a record)."""
    return _before(now, policy().subject_days_in_force)


def _purge_batch(before: datetime, *, subjects: bool) -> int:
    """Delete up to ``BATCH`` of the oldest messages sent before ``before``, in 事务群 when ``subjects`` else in
    the other conversations (found through the index on the sending time: the worker asks every round, and a
    round with nothing due reads a few index entries); how many this call deleted."""
    with batch.atomic():
        due = Message.objects.filter(created_at__lt=before, conversation__subject__isnull=not subjects).order_by("created_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            # Only the messages' rows: not the conversations' the 事务群 test joins (where the database can say so).
            due = due.select_for_update(skip_locked=True, of=("self",) if connection.features.has_select_for_update_of else ())
        picked = list(due.values_list("pk", "file_id", "conversation_id", "seq")[:BATCH])
        if not picked:
            return 0
        ids = [pk for pk, _file, _conversation, _seq in picked]
        _total, by_model = Message.objects.filter(pk__in=ids).delete()
        deleted = by_model.get(Message._meta.label, 0)
        for pk in ids:
            search.unindex_message(pk)
        # A file goes with the last message that carried it (a forwarded copy may still).
        carried = {file_id for _pk, file_id, _conversation, _seq in picked if file_id is not None}
        carried -= set(Message.objects.filter(file_id__in=carried).values_list("file_id", flat=True))
        files.discard(carried)
        _tell_devices(picked)
        audit.record("chat.purged", detail=f"{deleted} messages sent before {before.isoformat()}" + (" in 事务群" if subjects else ""))
        return int(deleted)


def _tell_devices(picked: Sequence[tuple[Any, ...]]) -> None:
    """Every device of everyone who may read a conversation (members, and those removed) drops its purged messages."""
    gone: dict[int, list[int]] = defaultdict(list)
    for _pk, _file, conversation_id, seq in picked:
        gone[conversation_id].append(seq)
    readers: dict[int, list[int]] = defaultdict(list)
    for conversation_id, person_id in Member.objects.filter(conversation_id__in=gone).values_list("conversation_id", "person_id"):
        readers[conversation_id].append(person_id)
    for conversation_id, seqs in gone.items():
        stream.publish(readers[conversation_id], EVENT_PURGED, {"conversation": conversation_id, "seqs": sorted(seqs)})


def _purge(before: datetime | None, *, subjects: bool) -> int:
    if before is None:
        return 0
    purged = 0
    for _round in range(ROUND):
        done = _purge_batch(before, subjects=subjects)
        purged += done
        if done < BATCH:
            break
    return purged


def purge_expired(now: datetime) -> int:
    """The worker's job: purge what the policy no longer keeps, ``BATCH`` messages a transaction (the other
    conversations' and the 事务群's, each by its own figure)."""
    return _purge(cutoff(now), subjects=False) + _purge(subject_cutoff(now), subjects=True)
