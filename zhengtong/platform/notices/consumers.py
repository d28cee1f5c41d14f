"""The one WebSocket each signed-in tab or device holds open: /ws/events/?cursor=N.

Live frames come from this process's reader of the event log (realtime.LocalSockets), never
from a channel layer, so a socket works whether or not the broker is up. On connect the socket
is attached to the reader first and only then replays the log after the client's cursor; live
frames that arrive meanwhile are held until the replay is done, so frames go out in position order,
an event committed in between is replayed, pushed, or both — never neither — and positions
already sent are dropped, so nothing shows twice. Without a cursor (a new tab) there is nothing to replay:
the greeting tells the client where the log stands.

Frames: ``{"type": "hello", "user", "cursor"}`` first, then replayed and live events
(``{"id", "kind", "at", ...payload}``), then ``{"type": "badges", "counts"}`` with the counts as
they are after the replay; ``{"type": "ping"}`` is answered with ``{"type": "pong"}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from zhengtong.platform.notices import realtime, stream

UNAUTHENTICATED = 4401


def _cursor(query_string: bytes) -> int | None:
    values = parse_qs(query_string.decode("latin-1")).get("cursor", [])
    return int(values[0]) if values and values[0].isdigit() else None


class EventsConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    # Frames arrive from realtime.LocalSockets: no channel layer, so no channel to read per socket.
    channel_layer_alias = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user = user
        self.held: list[dict[str, Any]] | None = []  # live frames wait here until the replay is done
        realtime.local.attach(user.pk, self)
        self.attached = True
        await self.accept()
        cursor = _cursor(self.scope.get("query_string", b""))
        self.cursor = await database_sync_to_async(stream.latest)() if cursor is None else cursor
        await self.send_json({"type": "hello", "user": user.username, "cursor": self.cursor})
        await self.replay()
        await self.send_json({"type": "badges", "counts": await database_sync_to_async(realtime.badge_counts)(user)})

    async def replay(self) -> None:
        while True:
            events = await database_sync_to_async(stream.since)(self.user, self.cursor)
            for event in events:
                await self._send_new(stream.frame(event))
            if len(events) < stream.REPLAY_LIMIT:
                break
        # No await between the last held frame and letting live frames through: the order holds.
        while self.held:
            await self._send_new(self.held.pop(0))
        self.held = None

    async def deliver(self, frame: dict[str, Any]) -> None:
        """A live frame from this process's reader of the log."""
        if self.held is not None:
            self.held.append(frame)
        else:
            await self._send_new(frame)

    async def _send_new(self, frame: dict[str, Any]) -> None:
        if frame["id"] > self.cursor:
            self.cursor = frame["id"]
            await self.send_json(frame)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "attached", False):
            realtime.local.detach(self.user.pk, self)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
