"""Publishing to people's devices: store the event, then push it.

``publish`` is called inside the service's transaction and costs one INSERT: the rows commit with
the change they describe, without a position and without any lock. After the commit the sockets
are woken (realtime.wake); readers give committed rows their positions (the sequencer,
ledger/sequence.py) just before they read. If the push fails (the broker is down), nothing is lost:
each server process's reader finds the rows on its next read of the log, and clients replay from
their cursor when they reconnect or poll.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction

from zhengtong.platform import prepared
from zhengtong.platform.ledger import sequence
from zhengtong.platform.notices import realtime
from zhengtong.platform.notices.models import Event

REPLAY_LIMIT = 500


def frame(event: Event) -> dict[str, Any]:
    """What a device receives: its cursor (the event's position), the kind, and the payload."""
    return _frame(event.seq, event.kind, event.created_at, event.payload)


def _frame(seq: int | None, kind: str, at: datetime, payload: dict[str, Any]) -> dict[str, Any]:
    return {"id": seq, "kind": kind, "at": at.isoformat(), **payload}


def publish(user_ids: Iterable[int], kind: str, payload: dict[str, Any]) -> list[Event]:
    events = prepared.insert([Event(user_id=user_id, kind=kind, payload=payload) for user_id in dict.fromkeys(user_ids)])
    if events:
        transaction.on_commit(realtime.wake)
    return events


def since(user: Any, cursor: int, limit: int = REPLAY_LIMIT) -> list[Event]:
    """The events of ``user`` after position ``cursor``, oldest first."""
    sequence.sequence(Event)
    return list(Event.objects.filter(user=user, seq__gt=cursor).order_by("seq")[:limit])


def tail(cursor: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """Everyone's events after position ``cursor``, oldest first, as (person, frame): what a server
    process's reader fans out. Plain values, not model instances: every process reads every event,
    and building a thousand models per event cost as much as the query."""
    sequence.sequence(Event)
    rows = Event.objects.filter(seq__gt=cursor).order_by("seq").values_list("user_id", "seq", "kind", "created_at", "payload")
    return [(user_id, _frame(seq, kind, at, payload)) for user_id, seq, kind, at, payload in rows[:limit]]


def latest() -> int:
    """Where the whole log stands: a new tab's cursor, and where a reader starts."""
    sequence.sequence(Event)
    return sequence.latest(Event)
