"""Waking the sockets after an event is stored, and the badge counts the shell shows.

Delivery is at most once (the channel layer's own guarantee); the event log is what makes it
exactly once on screen. Two things here exist because of how the layers behave:

- With Redis (``ZT_REDIS_URL``) every process's sockets hear every publish. The in-memory
  layer reaches only the process that published, and ``manage.py serve`` always publishes
  from two: the server and its background worker. So while sockets are open in a process on
  the in-memory layer, a tailer reads new rows from the log every ``TAIL_SECONDS`` and wakes
  the local sockets of the people they are for; consumers drop ids they already sent.
- Without Redis the frames go straight to this process's consumers, not through the in-memory
  layer: that layer sweeps every channel and group on each send and receive, which made one
  event to 1,000 sockets cost over a second of CPU (BENCHMARKS.md).
- The in-memory layer's queues belong to the server's event loop, and a request publishes from
  a worker thread; its frames are therefore handed to that loop rather than sent from a new
  loop in the thread (which would leave the waiting socket asleep until the loop next woke).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer

from zhengtong.platform.notices import stream
from zhengtong.platform.notices.models import Event

logger = logging.getLogger(__name__)
TAIL_SECONDS = 0.25
TAIL_BATCH = 2000

_badges: dict[str, Callable[[Any], int]] = {}


def person_group(user_id: int) -> str:
    return f"person.{user_id}"


def register_badge(name: str, count: Callable[[Any], int]) -> None:
    """Called from an app's ``AppConfig.ready()``: ``count(user)`` is the number its tab shows."""
    _badges[name] = count


def badge_counts(user: Any) -> dict[str, int]:
    return {name: count(user) for name, count in _badges.items()}


def publish_badges(user_ids: Iterable[int]) -> None:
    """Store and push each person's current counts, so every device's badges follow a change."""
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(pk__in=set(user_ids)):
        stream.publish([user.pk], "badge", {"counts": badge_counts(user)})


class LocalSockets:
    """The sockets open in this process: their event loop, each person's consumers, and the tailer."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.people: dict[int, set[Any]] = defaultdict(set)
        self.tailer: asyncio.Task[None] | None = None

    def attach(self, user_id: int, consumer: Any) -> None:
        self.loop = asyncio.get_running_loop()
        self.people[user_id].add(consumer)
        stale = self.tailer is None or self.tailer.done() or self.tailer.get_loop() is not self.loop
        if isinstance(get_channel_layer(), InMemoryChannelLayer) and stale:
            self.tailer = self.loop.create_task(self._tail())

    def detach(self, user_id: int, consumer: Any) -> None:
        self.people[user_id].discard(consumer)
        if not self.people[user_id]:
            del self.people[user_id]
        if not self.people and self.tailer is not None:
            self.tailer.cancel()
            self.tailer = None

    async def deliver(self, events: list[Event]) -> None:
        """Hand each event to the consumers of its person in this process."""
        for event in events:
            for consumer in list(self.people.get(event.user_id, ())):
                await consumer.deliver(stream.frame(event))

    async def _tail(self) -> None:
        cursor = await database_sync_to_async(latest_id)()
        events: list[Event] = []
        while True:
            if len(events) < TAIL_BATCH:  # a full batch means more are waiting: read on at once
                await asyncio.sleep(TAIL_SECONDS)
            events = await database_sync_to_async(_after)(cursor)
            if events:
                cursor = events[-1].pk
                await self.deliver(events)


local = LocalSockets()


def latest_id() -> int:
    """Where the whole log stands: a new tab's cursor, and where the tailer starts."""
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _after(cursor: int) -> list[Event]:
    return list(Event.objects.filter(id__gt=cursor).order_by("id")[:TAIL_BATCH])


async def _send(events: list[Event]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for done, event in enumerate(events):
        try:
            await layer.group_send(person_group(event.user_id), {"type": "push", "payload": stream.frame(event)})
        except Exception:  # noqa: BLE001  (a broker outage must not fail the request; devices catch up by cursor)
            # Once, not once per recipient: the rest would fail the same way, each after a timeout.
            logger.warning("push failed, %d of %d events not pushed; devices will catch up from the log",
                           len(events) - done, len(events), exc_info=True)
            return


def wake(events: list[Event]) -> None:
    """Push stored events to the devices of their people (called after the commit)."""
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        # Only sockets in this process can hear it; with none here the server's tailer reads the log.
        loop = local.loop
        if loop is not None and loop.is_running():
            asyncio.run_coroutine_threadsafe(local.deliver(events), loop)
        return
    async_to_sync(_send)(events)
