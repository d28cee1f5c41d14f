"""The one live connection each signed-in tab holds (zhengtong/ui/consumers.py)."""

import json

from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser

from zhengtong.ui.consumers import UNAUTHENTICATED, EventsConsumer, person_group


class Socket(ApplicationCommunicator):
    """A WebSocket client speaking ASGI to the consumer (channels.testing needs daphne)."""

    def __init__(self, user):
        super().__init__(EventsConsumer.as_asgi(), {"type": "websocket", "path": "/ws/events/", "headers": [], "user": user})

    async def connect(self):
        await self.send_input({"type": "websocket.connect"})
        reply = await self.receive_output(1)
        return reply["type"] == "websocket.accept", reply.get("code")

    async def receive_json_from(self):
        message = await self.receive_output(1)
        return json.loads(message["text"])

    async def send_json_to(self, data):
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def disconnect(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def connect(user):
    return Socket(user)


def test_anonymous_socket_is_closed_as_unauthenticated(db):
    async def scenario():
        communicator = connect(AnonymousUser())
        connected, code = await communicator.connect()
        assert not connected
        assert code == UNAUTHENTICATED

    async_to_sync(scenario)()


def test_signed_in_socket_is_greeted_answers_pings_and_receives_pushes(clerk):
    async def scenario():
        communicator = connect(clerk)
        connected, _ = await communicator.connect()
        assert connected
        assert await communicator.receive_json_from() == {"type": "hello", "user": "clerk"}
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from() == {"type": "pong"}
        await get_channel_layer().group_send(person_group(clerk.pk), {"type": "push", "payload": {"type": "badge", "count": 3}})
        assert await communicator.receive_json_from() == {"type": "badge", "count": 3}
        await communicator.disconnect()

    async_to_sync(scenario)()
