"""The one WebSocket each signed-in tab or device holds open: /ws/events/?cursor=N.

On connect the socket joins the person's group first and only then replays the log after the
client's cursor, so an event committed in between is pushed, replayed, or both — never neither;
ids already sent are dropped, so nothing shows twice. Without a cursor (a new tab) there is
nothing to replay: the greeting tells the client where the log stands.

Frames: ``{"type": "hello", "user", "cursor"}`` first, then replayed and live events
(``{"id", "kind", "at", ...payload}``), then ``{"type": "badges", "counts"}`` with the counts as
they are after the replay; ``{"type": "ping"}`` is answered with ``{"type": "pong"}``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from zhengtong.platform.notices import realtime, stream
from zhengtong.platform.notices.realtime import person_group

logger = logging.getLogger(__name__)
UNAUTHENTICATED = 4401
# The channel layer (the broker) is unreachable: the client polls /api/events until it is back.
BROKER_DOWN = 4503


def _cursor(query_string: bytes) -> int | None:
    values = parse_qs(query_string.decode("latin-1")).get("cursor", [])
    return int(values[0]) if values and values[0].isdigit() else None


class EventsConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user = user
        try:
            await self.channel_layer.group_add(person_group(user.pk), self.channel_name)
        except Exception:  # noqa: BLE001  (any broker failure: the page still works, by polling)
            logger.warning("cannot join the person's group; the client will poll", exc_info=True)
            await self.close(code=BROKER_DOWN)
            return
        self.joined = True
        realtime.local.attach(user.pk, self)
        await self.accept()
        cursor = _cursor(self.scope.get("query_string", b""))
        self.cursor = await database_sync_to_async(realtime.latest_id)() if cursor is None else cursor
        await self.send_json({"type": "hello", "user": user.username, "cursor": self.cursor})
        await self.replay()
        await self.send_json({"type": "badges", "counts": await database_sync_to_async(realtime.badge_counts)(user)})

    async def replay(self) -> None:
        while True:
            events = await database_sync_to_async(stream.since)(self.user, self.cursor)
            for event in events:
                await self.deliver(stream.frame(event))
            if len(events) < stream.REPLAY_LIMIT:
                return

    async def deliver(self, frame: dict[str, Any]) -> None:
        if frame["id"] > self.cursor:
            self.cursor = frame["id"]
            await self.send_json(frame)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "joined", False):
            realtime.local.detach(self.user.pk, self)
            await self.channel_layer.group_discard(person_group(self.user.pk), self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def push(self, message: dict[str, Any]) -> None:
        """An event sent to the person's group: ``{"type": "push", "payload": frame}``."""
        await self.deliver(message["payload"])
