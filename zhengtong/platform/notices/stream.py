"""Publishing to people's devices: store the event, then push it.

``publish`` is called inside the service's transaction; the rows commit with the change they
describe, and only after the commit are the sockets woken (realtime.wake). If the push fails
(the broker is down), nothing is lost: each server process's reader finds the rows on its next
read of the log, and clients replay from their cursor when they reconnect or poll.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from zhengtong.platform.audit import services as audit
from zhengtong.platform.notices import realtime
from zhengtong.platform.notices.models import Event

REPLAY_LIMIT = 500


def frame(event: Event) -> dict[str, Any]:
    """What a device receives: the cursor id, the kind, and the payload."""
    return {"id": event.pk, "kind": event.kind, "at": event.created_at.isoformat(), **event.payload}


def publish(user_ids: Iterable[int], kind: str, payload: dict[str, Any]) -> list[Event]:
    with transaction.atomic():
        # Ids in commit order: a device that has seen id N never misses a row committed later below N.
        audit.hold_chain_lock()
        events = Event.objects.bulk_create(Event(user_id=user_id, kind=kind, payload=payload) for user_id in dict.fromkeys(user_ids))
    if events:
        newest = max(event.pk for event in events)
        transaction.on_commit(lambda: realtime.wake(newest))
    return events


def since(user: Any, cursor: int, limit: int = REPLAY_LIMIT) -> list[Event]:
    """The events of ``user`` after ``cursor``, oldest first."""
    return list(Event.objects.filter(user=user, id__gt=cursor).order_by("id")[:limit])
