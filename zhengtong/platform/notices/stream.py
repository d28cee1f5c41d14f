"""Publishing to people's devices: store the event, then push it.

``publish`` is called inside the service's transaction; the rows commit with the change they
describe, and only after the commit are the sockets woken. If the push fails (the broker is
down), nothing is lost: clients replay from their cursor when they reconnect or poll.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from zhengtong.platform.notices.models import Event
from zhengtong.ui.consumers import person_group

logger = logging.getLogger(__name__)
REPLAY_LIMIT = 500


def frame(event: Event) -> dict[str, Any]:
    """What a device receives: the cursor id, the kind, and the payload."""
    return {"id": event.pk, "kind": event.kind, "at": event.created_at.isoformat(), **event.payload}


def publish(user_ids: Iterable[int], kind: str, payload: dict[str, Any]) -> list[Event]:
    events = Event.objects.bulk_create(Event(user_id=user_id, kind=kind, payload=payload) for user_id in dict.fromkeys(user_ids))
    transaction.on_commit(lambda: push(events))
    return events


def push(events: list[Event]) -> None:
    """Wake the devices of each person. At most once: a lost frame is replayed from the log."""
    layer = get_channel_layer()
    if layer is None:
        return
    for event in events:
        try:
            async_to_sync(layer.group_send)(person_group(event.user_id), {"type": "push", "payload": frame(event)})
        except Exception:  # noqa: BLE001  (a broker outage must not fail the request; devices catch up by cursor)
            logger.warning("push to person %s failed; devices will catch up from the log", event.user_id, exc_info=True)


def since(user: Any, cursor: int, limit: int = REPLAY_LIMIT) -> list[Event]:
    """The events of ``user`` after ``cursor``, oldest first."""
    return list(Event.objects.filter(user=user, id__gt=cursor).order_by("id")[:limit])
