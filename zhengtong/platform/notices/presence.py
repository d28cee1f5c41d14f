"""Who has a device connected, in any server process: what an app asks before it leaves a notice for someone away.

Each process knows the sockets it holds itself (``realtime.local.people``). It tells the others in a
shared record: in Redis when ``ZT_REDIS_URL`` is set (a sorted set per person: process → until when),
else in the database (``notices.Presence``: a row per person per process). One keeper task per process
writes the changes as its sockets open and close, and renews its word every ``RENEW_SECONDS``; a word
not renewed for ``HOLD_SECONDS`` (a process that was killed) no longer counts.

Asking costs nothing for the people connected to the asking process, and one query (one Redis round
trip) for the rest. Writing never holds up a socket: the keeper runs beside the sockets, on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from zhengtong.platform import batch
from zhengtong.platform.notices.models import Presence

logger = logging.getLogger(__name__)
# This process's name in the shared record: new with every start, so a restarted process never renews a dead one's word.
PROCESS = uuid.uuid4().hex
HOLD_SECONDS = 30.0
RENEW_SECONDS = 10.0
REDIS_KEY = "zt:presence:{}"


def shared_online(user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` with a device connected in some server process, as the shared record says."""
    wanted = set(user_ids)
    if not wanted:
        return set()
    if settings.REDIS_URL:
        return _online_redis(settings.REDIS_URL, wanted)
    # Plain SQL: asked in the send's transaction, where building the ORM's query cost ten times running it.
    quote = connection.ops.quote_name
    table, user, until = quote(Presence._meta.db_table), quote("user_id"), quote("expires_at")
    marks = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {user} FROM {table} WHERE {until} > %s AND {user} IN ({marks})",  # noqa: S608
                       [connection.ops.adapt_datetimefield_value(timezone.now()), *sorted(wanted)])
        return {int(row[0]) for row in cursor.fetchall()}


def write(process: str, present: set[int], gone: set[int]) -> None:
    """Say that ``present`` have a device connected in ``process`` (for the next HOLD_SECONDS) and ``gone`` no longer."""
    if settings.REDIS_URL:
        _write_redis(settings.REDIS_URL, process, present, gone)
        return
    until = timezone.now() + timedelta(seconds=HOLD_SECONDS)
    with batch.writer(), transaction.atomic():
        if gone:
            Presence.objects.filter(process=process, user_id__in=gone).delete()
        if present:
            Presence.objects.bulk_create([Presence(user_id=user_id, process=process, expires_at=until) for user_id in present],
                                         update_conflicts=True, update_fields=["expires_at"],
                                         # MySQL and MariaDB name no target: their upsert takes any unique key.
                                         unique_fields=["user", "process"] if connection.features.supports_update_conflicts_with_target
                                         else None,
                                         batch_size=500)
        # Rows of processes long gone (killed: nobody cleared them) would otherwise stay for ever.
        Presence.objects.filter(expires_at__lt=timezone.now() - timedelta(seconds=HOLD_SECONDS)).delete()


def _online_redis(url: str, wanted: set[int]) -> set[int]:
    from zhengtong.platform.notices.realtime import _broker

    ordered = sorted(wanted)
    try:
        pipe = _broker(url).pipeline(transaction=False)
        for user_id in ordered:
            pipe.zrangebyscore(REDIS_KEY.format(user_id), time.time(), "+inf", start=0, num=1)
        found = pipe.execute()
    except RedisError as error:
        # Counted as away: at worst someone connected elsewhere also gets a notice.
        logger.warning("presence unknown (%s); only this process's sockets count", error)
        return set()
    return {user_id for user_id, processes in zip(ordered, found, strict=True) if processes}


def _write_redis(url: str, process: str, present: set[int], gone: set[int]) -> None:
    from zhengtong.platform.notices.realtime import _broker

    until = time.time() + HOLD_SECONDS
    pipe = _broker(url).pipeline(transaction=False)
    for user_id in present:
        pipe.zadd(REDIS_KEY.format(user_id), {process: until})
        pipe.zremrangebyscore(REDIS_KEY.format(user_id), "-inf", time.time())  # dead processes' words
        pipe.pexpire(REDIS_KEY.format(user_id), max(1, int(HOLD_SECONDS * 2000)))
    for user_id in gone:
        pipe.zrem(REDIS_KEY.format(user_id), process)
    pipe.execute()


class Keeper:
    """This process's word in the shared record, kept in step with its sockets from the event loop."""

    def __init__(self, current: Callable[[], set[int]]) -> None:
        self.current = current  # the people with a socket open in this process
        self.written: set[int] = set()
        self.task: asyncio.Task[None] | None = None
        self.news = asyncio.Event()

    def changed(self) -> None:
        """A socket opened or closed (on the loop): write the difference soon, without waiting for it."""
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.news = asyncio.Event()  # an Event belongs to one loop
            self.task = loop.create_task(self._keep())
        self.news.set()

    async def _keep(self) -> None:
        renewed = 0.0
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.news.wait(), RENEW_SECONDS)
            self.news.clear()
            people = self.current()
            renew = time.monotonic() - renewed >= RENEW_SECONDS
            try:
                await database_sync_to_async(write)(PROCESS, people if renew else people - self.written, self.written - people)
            except Exception:  # noqa: BLE001  (the database or the broker away for a moment: the sockets stay, the keeper retries)
                logger.warning("cannot record who is connected; retrying in %s s", RENEW_SECONDS, exc_info=True)
                continue
            self.written = people
            if renew:
                renewed = time.monotonic()
            # No await between this check and the end: a socket opening now starts a new keeper.
            if not self.written and not self.current():
                return
