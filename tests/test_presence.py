"""Each server process records who has a socket open on it, for the other processes to read (notices/presence.py)."""

import asyncio
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from conftest import make_person
from tests.test_websocket import Socket
from zhengtong.platform.notices import presence, realtime


@pytest.fixture
def person(transactional_db):
    # The keeper writes through database_sync_to_async, which needs committed rows.
    return make_person("clerk", "王小明", roles=("staff",), clearance=1)


async def _seen_elsewhere(person, expected, seconds=3.0):
    """Whether the shared record comes to say ``expected`` of ``person`` — what another process would read."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (person.pk in await sync_to_async(presence.shared_online, thread_sensitive=False)({person.pk})) == expected:
            return True
        await asyncio.sleep(0.05)
    return False


def test_a_socket_opened_here_is_seen_by_other_processes_until_its_last_device_closes(person):
    async def scenario():
        assert await _seen_elsewhere(person, False)
        phone, pc = Socket(person), Socket(person)
        await phone.greeted()
        assert await _seen_elsewhere(person, True)
        await pc.greeted()
        await phone.disconnect()
        assert await _seen_elsewhere(person, True, seconds=0.5)  # the PC is still connected
        await pc.disconnect()
        assert await _seen_elsewhere(person, False)
        assert await sync_to_async(realtime.online, thread_sensitive=False)({person.pk}) == set()

    async_to_sync(scenario)()


def test_the_keeper_renews_its_word_before_it_lapses(person, monkeypatch):
    monkeypatch.setattr(presence, "HOLD_SECONDS", 0.6)
    monkeypatch.setattr(presence, "RENEW_SECONDS", 0.2)

    async def scenario():
        device = Socket(person)
        await device.greeted()
        assert await _seen_elsewhere(person, True)
        await asyncio.sleep(1.5)  # well past one hold: only the renewals keep it
        assert await _seen_elsewhere(person, True, seconds=0.1)
        await device.disconnect()
        assert await _seen_elsewhere(person, False)

    async_to_sync(scenario)()
