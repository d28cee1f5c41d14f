"""The service transaction: one database transaction whose follow-up writes are made once, in bulk, at its end.

A service does its work inside ``batch.atomic()``. What the platform derives from that work —
the to-do entries of the records it changed, the events that refresh people's devices, the
notices of new to-dos — is not written row by row as the service goes, but collected and
written at the end of the outermost ``batch.atomic()``, still inside the transaction, so it
commits or rolls back with the change (store first) and a record changed five times in one
service is mirrored once.

Collectors register a ``Pending`` subclass; ``pending(cls)`` gives the current transaction's
instance, creating it. Outside any ``batch.atomic()`` there is nothing to collect into, and
callers write at once (``current()`` is None).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TypeVar

from django.db import connection, transaction


class Pending:
    """Work one service transaction has collected for one kind of follow-up write.

    ``order`` sets who flushes first: a flush may collect into others that come later (the
    workflow's to-dos into the to-do list, whose arrivals become notices and events).
    """

    order = 50

    def flush(self) -> None:
        raise NotImplementedError


P = TypeVar("P", bound=Pending)


class Batch:
    def __init__(self) -> None:
        self.collected: dict[type[Pending], Pending] = {}

    def pending(self, kind: type[P]) -> P:
        collected = self.collected.get(kind)
        if collected is None:
            collected = self.collected[kind] = kind()
        return collected  # type: ignore[return-value]

    def flush(self) -> None:
        """Flush in order until nothing is left: flushing one kind may collect more of a later one."""
        while self.collected:
            kind = min(self.collected, key=lambda candidate: candidate.order)
            self.collected.pop(kind).flush()


_current: ContextVar[Batch | None] = ContextVar("zt_batch", default=None)


def current() -> Batch | None:
    return _current.get()


def pending(kind: type[P]) -> P | None:
    """The current service transaction's collector of ``kind``; None outside one."""
    batch = _current.get()
    return batch.pending(kind) if batch is not None else None


@contextlib.contextmanager
def atomic() -> Iterator[None]:
    """A service transaction; nested ones join the outermost, which flushes before it commits."""
    if _current.get() is not None:
        # No savepoint: a failure inside fails the whole service transaction, so nothing it
        # collected can outlive the rows it was collected for.
        with transaction.atomic(savepoint=False):
            yield
        return
    batch = Batch()
    token = _current.set(batch)
    try:
        with writer(), transaction.atomic():
            yield
            batch.flush()
    finally:
        _current.reset(token)


# SQLite has one writer at a time. A transaction that finds the write lock taken waits in SQLite's
# busy handler, which sleeps and retries (1, 2, 5, … up to 100 ms a try), so under sixteen
# concurrent senders most of the time went to sleeping past the moment the lock came free. The
# writers of one process queue here instead and take SQLite's lock the moment the last one commits.
_sqlite_writers = threading.Lock()


@contextlib.contextmanager
def writer() -> Iterator[None]:
    """Around a write transaction about to begin: on SQLite, queue behind this process's other writers."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with _sqlite_writers:
        yield
