"""The one WebSocket each signed-in tab or device holds open.

For now it greets and answers pings; the message center (platform/notices) delivers through
the per-person group it joins.
"""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

UNAUTHENTICATED = 4401


def person_group(user_id: int) -> str:
    return f"person.{user_id}"


class EventsConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=UNAUTHENTICATED)
            return
        self.group = person_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.username})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def push(self, event: dict[str, Any]) -> None:
        """Deliver an event sent to the person's group: ``{"type": "push", "payload": {...}}``."""
        await self.send_json(event["payload"])
