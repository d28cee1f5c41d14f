"""Waking the sockets after an event is stored, and the badge counts the shell shows.

Each process that holds sockets runs one reader (``LocalSockets``): it has the sequencer number
the rows committed since its last read (ledger/sequence.py), reads the log after its own cursor,
in position order, and hands every row to the consumers of its person open in this process. The
log is the only source of frames, so a socket only ever delivers what is stored, in commit order,
and nothing is delivered twice.

What wakes the reader:

- a publish in this process (``wake``), at once;
- with Redis (``ZT_REDIS_URL``): ONE pub/sub message per publish on ``BROKER_CHANNEL``, which
  every process hears on its ONE subscription. The fan-out to sockets stays inside each process,
  so a notice to 1,000 people is one Redis message, not 1,000 group sends. (Channels' Redis layer
  lost frames and sockets at 1,000 people: every consumer of a process shares one queue of
  capacity 100, and its blocking read timed out under redis-py's 5 s socket timeout, ending the
  sockets waiting on it; BENCHMARKS.md.)
- on PostgreSQL without Redis: the database itself. A statement trigger on the event table
  (migration notices 0005) sends ``NOTIFY zt_events`` with every insert; PostgreSQL delivers it
  when the inserting transaction commits, and each process LISTENs on one connection of its own.
  The writer still sends its one INSERT and nothing else.
- otherwise (SQLite), or while neither can be reached: the clock, every ``TAIL_SECONDS`` (the
  background worker and other server processes publish too); while subscribed, every
  ``IDLE_SECONDS``, for a message lost while a publisher could not reach the broker.

Who is connected (``online``): this process's own sockets, and what the other processes have said
in the shared record (presence.py: Redis when configured, else the database), for the apps that
leave a notice only for people who are away.

The frames go straight to the consumers, not through a channel layer: Channels' in-memory layer
sweeps every channel and group on each send, which made one event to 1,000 sockets cost over a
second of CPU (BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import defaultdict
from collections.abc import Coroutine, Iterable
from typing import Any

import redis
import redis.asyncio
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from zhengtong.platform import registry
from zhengtong.platform.notices import presence, stream

logger = logging.getLogger(__name__)
BROKER_CHANNEL = "zt:events"
NOTIFY_CHANNEL = "zt_events"  # the trigger of migration notices 0005 sends it
TAIL_SECONDS = 0.25
IDLE_SECONDS = 5.0
TAIL_BATCH = 2000
# A broker that does not answer must not hold up the request that published.
BROKER_TIMEOUT_SECONDS = 1.0
RESUBSCRIBE_SECONDS = 2.0
LISTEN_POLL_SECONDS = 1.0


def badge_counts(user: Any) -> dict[str, int]:
    """The counts on the shell's tabs and tiles, as the apps' manifests declare them."""
    return {name: count(user) for name, count in registry.current().badges.items()}


def publish_badges(user_ids: Iterable[int]) -> None:
    """Store and push each person's current counts, so every device's badges follow a change."""
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(pk__in=set(user_ids)):
        stream.publish([user.pk], "badge", {"counts": badge_counts(user)})


class LocalSockets:
    """The sockets open in this process: their event loop, each person's consumers, and the reader."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.people: dict[int, set[Any]] = defaultdict(set)
        self.reader: asyncio.Task[None] | None = None
        self.news = asyncio.Event()  # replaced with each reader: an Event belongs to one loop
        self.cursor = 0
        self.subscribed = False
        self.down = False  # the broker or the database's notifications could not be reached: said once
        self.presence = presence.Keeper(lambda: set(self.people))

    def attach(self, user_id: int, consumer: Any) -> None:
        self.loop = asyncio.get_running_loop()
        if not self.people[user_id]:
            self.presence.changed()
        self.people[user_id].add(consumer)
        if self.reader is None or self.reader.done() or self.reader.get_loop() is not self.loop:
            self.news = asyncio.Event()
            self.reader = self.loop.create_task(self._read())

    def detach(self, user_id: int, consumer: Any) -> None:
        self.people[user_id].discard(consumer)
        if not self.people[user_id]:
            del self.people[user_id]
            self.presence.changed()
        if not self.people and self.reader is not None:
            self.reader.cancel()
            self.reader = None

    def heard(self) -> None:
        """New rows are committed: wake the reader (on the loop)."""
        self.news.set()

    async def deliver(self, frames: list[tuple[int, dict[str, Any]]]) -> None:
        """Hand each (person, frame) to the consumers of that person in this process."""
        for user_id, frame in frames:
            for consumer in list(self.people.get(user_id, ())):
                try:
                    await consumer.deliver(frame)
                except Exception:  # noqa: BLE001  (one socket closing under us must not stop the others)
                    logger.debug("socket of person %s gone while delivering", user_id, exc_info=True)

    async def _read(self) -> None:
        self.cursor = await database_sync_to_async(stream.latest)()
        listening = self._listener()
        listener = asyncio.ensure_future(listening) if listening is not None else None
        try:
            more_waiting = failing = False
            while True:
                if not more_waiting:
                    await self._news()
                try:
                    frames = await database_sync_to_async(stream.tail)(self.cursor, TAIL_BATCH)
                except Exception:  # noqa: BLE001  (the database away for a moment: the sockets stay, the reader retries)
                    if not failing:
                        logger.warning("cannot read the event log; retrying every %s s", TAIL_SECONDS, exc_info=True)
                    more_waiting, failing = False, True
                    continue
                more_waiting, failing = len(frames) == TAIL_BATCH, False
                if frames:
                    self.cursor = frames[-1][1]["id"]
                    await self.deliver(frames)
        finally:
            if listener is not None:
                listener.cancel()

    def _listener(self) -> Coroutine[Any, Any, None] | None:
        """What carries the news between processes: Redis, else PostgreSQL's LISTEN, else nothing (the clock)."""
        if settings.REDIS_URL:
            return self._listen_redis(settings.REDIS_URL)
        if connections["default"].vendor == "postgresql":
            return self._listen_postgres()
        return None

    async def _news(self) -> None:
        """Until a publish wakes the reader, or the clock does (often while no broker carries the news)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.news.wait(), IDLE_SECONDS if self.subscribed else TAIL_SECONDS)
        self.news.clear()

    async def _listen_redis(self, url: str) -> None:
        """Hold this process's one subscription to the broker; while it is down the reader polls."""
        # Reads wait at most LISTEN_POLL_SECONDS and the loops ask whether they are being stopped:
        # redis-py can swallow a cancellation that lands in a blocking read (the read goes on
        # waiting, and whoever stops the reader, a server shutting down, waits for ever).
        while not _stopping():
            client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
                                                  health_check_interval=30, retry=Retry(NoBackoff(), 0))
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(BROKER_CHANNEL)
                    self._subscribed("event broker")
                    while not _stopping():
                        if await pubsub.get_message(timeout=LISTEN_POLL_SECONDS) is not None:
                            self.heard()
            except (RedisError, OSError):
                if not _stopping():
                    self._lost("event broker")
            finally:
                self._unsubscribed()
                await client.aclose()
            if not _stopping():
                await asyncio.sleep(RESUBSCRIBE_SECONDS)
        raise asyncio.CancelledError

    async def _listen_postgres(self) -> None:
        """LISTEN on one connection of this process's own; while it is down the reader polls."""
        import psycopg  # the PostgreSQL driver, loaded only where it is the database

        while not _stopping():
            try:
                async with await psycopg.AsyncConnection.connect(**_listen_parameters(), autocommit=True) as listening:
                    await listening.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self._subscribed("database notifications")
                    while not _stopping():
                        async for _notice in listening.notifies(timeout=LISTEN_POLL_SECONDS):
                            self.heard()
            except (psycopg.Error, OSError):
                if not _stopping():
                    self._lost("database notifications")
            finally:
                self._unsubscribed()
            if not _stopping():
                await asyncio.sleep(RESUBSCRIBE_SECONDS)
        raise asyncio.CancelledError

    def _subscribed(self, what: str) -> None:
        self.subscribed = True
        if self.down:
            logger.warning("%s reachable again; pushing through them", what)
        self.down = False
        self.news.set()  # whatever was published while not subscribed

    def _lost(self, what: str) -> None:
        if not self.down:
            logger.warning("%s unreachable; reading the log every %s s until they are back", what, TAIL_SECONDS, exc_info=True)
        self.down = True

    def _unsubscribed(self) -> None:
        self.subscribed = False
        self.news.set()  # the reader goes back to the shorter interval at once


local = LocalSockets()


def online(user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` with a device connected now, in this server process or any other (presence.py)."""
    wanted = set(user_ids)
    here = {user_id for user_id in wanted if user_id in local.people}
    return here | presence.shared_online(wanted - here)


def _stopping() -> bool:
    """Whether this task has been asked to stop, even if a library swallowed the CancelledError."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _listen_parameters() -> dict[str, Any]:
    """How Django connects (the same server, credentials and TLS options), for a connection of our own."""
    parameters = connections["default"].get_connection_params()
    parameters.pop("cursor_factory", None)  # Django's cursors are synchronous
    return parameters


@functools.cache
def _broker(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS,
                                retry=Retry(NoBackoff(), 0))


def wake() -> None:
    """New events are stored: wake the reader of this process and, over Redis, of every process.

    Called after the commit. A broker outage never fails the publish: the events are stored, and
    each reader finds them on its next read of the log. (On PostgreSQL without Redis the
    database's own notification has already gone out with the commit.)
    """
    loop = local.loop
    if loop is not None and loop.is_running():
        loop.call_soon_threadsafe(local.heard)
    if settings.REDIS_URL:
        try:
            _broker(settings.REDIS_URL).publish(BROKER_CHANNEL, 1)
        except RedisError as error:
            logger.warning("push failed (%s); the devices get the new events from the log", error)
