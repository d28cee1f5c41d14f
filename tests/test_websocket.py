"""The one live connection each signed-in tab holds (zhengtong/platform/notices/consumers.py)."""

import json

from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth.models import AnonymousUser

from zhengtong.platform.notices import stream
from zhengtong.platform.notices.consumers import UNAUTHENTICATED, EventsConsumer


class Socket(ApplicationCommunicator):
    """A WebSocket client speaking ASGI to the consumer (channels.testing needs daphne)."""

    def __init__(self, user, cursor=None):
        query = b"" if cursor is None else f"cursor={cursor}".encode()
        super().__init__(EventsConsumer.as_asgi(), {"type": "websocket", "path": "/ws/events/", "query_string": query,
                                                    "headers": [], "user": user})

    async def connect(self):
        await self.send_input({"type": "websocket.connect"})
        reply = await self.receive_output(1)
        return reply["type"] == "websocket.accept", reply.get("code")

    async def receive_json_from(self, timeout=1):
        message = await self.receive_output(timeout)
        return json.loads(message["text"])

    async def greeted(self):
        """Connect and read the greeting and the badge counts; return the greeting's cursor."""
        connected, code = await self.connect()
        assert connected, code
        hello = await self.receive_json_from()
        assert hello["type"] == "hello"
        assert (await self.receive_json_from())["type"] == "badges"
        return hello["cursor"]

    async def send_json_to(self, data):
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def disconnect(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def test_anonymous_socket_is_closed_as_unauthenticated(transactional_db):
    async def scenario():
        connected, code = await Socket(AnonymousUser()).connect()
        assert not connected
        assert code == UNAUTHENTICATED

    async_to_sync(scenario)()


def test_disabled_account_is_closed_as_unauthenticated(clerk):
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])

    async def scenario():
        connected, code = await Socket(clerk).connect()
        assert not connected
        assert code == UNAUTHENTICATED

    async_to_sync(scenario)()


def test_signed_in_socket_is_greeted_answers_pings_and_receives_pushes(transactional_db, django_user_model):
    from conftest import make_person

    clerk = make_person("clerk", "王小明", roles=("staff",), clearance=1)

    async def scenario():
        socket = Socket(clerk)
        await socket.send_input({"type": "websocket.connect"})
        assert (await socket.receive_output(1))["type"] == "websocket.accept"
        hello = await socket.receive_json_from()
        assert hello == {"type": "hello", "user": "clerk", "cursor": hello["cursor"]}
        badges = await socket.receive_json_from()  # every registered badge (messages, to-dos …), all zero for a new person
        assert badges["type"] == "badges" and set(badges["counts"].values()) <= {0}
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        await publish([clerk.pk], "todo.changed", {"title": "请阅"})
        frame = await socket.receive_json_from()
        assert frame["kind"] == "todo.changed" and frame["title"] == "请阅" and frame["id"] > hello["cursor"]
        await socket.disconnect()

    async_to_sync(scenario)()


async def publish(user_ids, kind, payload):
    """Publish as a request would: from a worker thread, committed, while the sockets' loop runs."""
    from asgiref.sync import sync_to_async

    return await sync_to_async(stream.publish, thread_sensitive=False)(user_ids, kind, payload)
