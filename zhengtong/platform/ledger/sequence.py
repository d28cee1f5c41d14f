"""Positions in commit order for the logs read by cursor: the sequencer.

A cursor log is a table that only grows and is read "after the last position I saw": the devices'
event log, the directory's change feed, the audit trail (and the chat's messages). Ids do not do as
positions: a transaction that took id 7 may commit after the one that took id 8, and a reader that
already moved past 8 would never see 7. Holding one lock from insert to commit would keep ids in
commit order, but makes every writer of every log wait for each other.

Instead, a writer inserts its rows with no position (one INSERT in its own transaction, no lock),
and the sequencer numbers rows that have committed, in its own short transaction under the log's
own lock: one UPDATE gives every committed row still without a position the next positions, in id
order, above every position already handed out. A row committing late is simply numbered by a
later run, above what readers have seen; readers read ``position > cursor`` and skip nothing.

Who runs it: the readers, before they read (``sequence``), and the worker's sweep, so that nothing
waits for a reader to come along. Never the writers: their cost stays one INSERT.

A model becomes a cursor log by having one ``Position`` field; ``sweep`` finds them all.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from zhengtong.platform import batch
from zhengtong.platform.ledger.models import LogHead
from zhengtong.platform.prepared import Prepared

# Rows numbered per UPDATE: bounds one sequencer transaction after a backlog (a migration, an import).
BATCH = 10_000


_FIELD_DEFAULTS = {"null": False, "blank": False, "unique": False, "editable": True}
_POSITION_DEFAULTS = {"null": True, "blank": True, "unique": True, "editable": False}


class Position(models.BigIntegerField):
    """A row's place in its cursor log: empty until the sequencer numbers it, then never changed.

    Unique, so one index serves both "not yet numbered" and "after the cursor".
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**_POSITION_DEFAULTS, **kwargs})

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for option, ours in _POSITION_DEFAULTS.items():
            value = kwargs.pop(option, _FIELD_DEFAULTS[option])
            if value != ours:
                kwargs[option] = value
        return name, path, args, kwargs


def position_field(model: type[models.Model]) -> Position:
    found = [field for field in model._meta.concrete_fields if isinstance(field, Position)]
    if len(found) != 1:
        raise TypeError(f"{model._meta.label} is not a cursor log: it needs exactly one Position field")
    return found[0]


def cursor_logs() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if any(isinstance(field, Position) for field in model._meta.concrete_fields)]


# pending and latest run before every read of a log (each push to the devices asks both): plain SQL,
# which the ORM took several times longer to build than the database to answer.


def pending(model: type[models.Model]) -> bool:
    """Whether committed rows wait for a position (one indexed read, no lock)."""
    table, position = _names(model)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE {position} IS NULL LIMIT 1")  # noqa: S608  (our own quoted names)
        return cursor.fetchone() is not None


def latest(model: type[models.Model]) -> int:
    """The highest position handed out: where a new reader starts."""
    table, position = _names(model)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({position}) FROM {table}")  # noqa: S608  (our own quoted names)
        (found,) = cursor.fetchone()
    return int(found or 0)


def _names(model: type[models.Model]) -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), quote(position_field(model).column)


def sequence(model: type[models.Model]) -> int:
    """Number every committed row still without a position; how many were numbered.

    Each batch is its own short transaction, so the log's lock is held for one UPDATE at a time.
    """
    numbered = 0
    while pending(model):
        with batch.writer(), transaction.atomic():
            head = _locked_head(model)
            count = _number(model, head.position, BATCH)
            if count:
                _advance(model, head)
        numbered += count
        if count < BATCH:
            break
    return numbered


def hold(model: type[models.Model], limit: int = BATCH) -> int:
    """Inside the caller's transaction: take the log's lock until it ends, number up to ``limit``
    committed rows, and return the highest position handed out.

    For work that must see the log stand still, such as sealing a stretch of it into a checkpoint.
    """
    head = _locked_head(model)
    if limit and _number(model, head.position, limit):
        _advance(model, head)
    return int(head.position)


_head: Prepared[LogHead] = Prepared(lambda log: LogHead.objects.select_for_update().filter(log=log), ("str",))  # log is unique


def _locked_head(model: type[models.Model]) -> LogHead:
    head = next(iter(_head(model._meta.label_lower)), None)
    if head is None:
        # A log migrate has not seen yet. (Made here by two sequencers at once, the row's insert would make
        # InnoDB hand both a shared lock and then deadlock them on the exclusive one: create_heads avoids that.)
        head, _created = LogHead.objects.select_for_update().get_or_create(
            log=model._meta.label_lower, defaults={"position": latest(model)})
    return head


def create_heads() -> None:
    """Give every cursor log its head row; run after migrate, before any sequencer can race to make one."""
    for model in cursor_logs():
        LogHead.objects.get_or_create(log=model._meta.label_lower, defaults={"position": latest(model)})


def _advance(model: type[models.Model], head: LogHead) -> None:
    # The highest position now in the table, not base + count: a row deleted after the subquery
    # chose it (its person's account removed) leaves a gap the next base must still clear.
    head.position = latest(model)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(LogHead._meta.db_table)} SET {quote('position')} = %s WHERE {quote('log')} = %s",  # noqa: S608
                       [head.position, head.pk])


def _number(model: type[models.Model], base: int, limit: int) -> int:
    """One UPDATE gives positions base+1, base+2, … to the committed unnumbered rows, lowest id first.

    Rows that writers have inserted but not yet committed are neither numbered nor waited for.
    """
    # Only quoted names of our own models go into the text; the numbers are parameters.
    quote = connection.ops.quote_name
    table, pk, position = quote(model._meta.db_table), quote(model._meta.pk.column), quote(position_field(model).column)
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            # InnoDB locks what an UPDATE reads, and would wait for every writer's open transaction;
            # only in a scan of the primary key under READ COMMITTED does it read a row another
            # transaction has locked as last committed, and skip one never committed. So: a plain
            # read for where the unnumbered rows start, then a single-table UPDATE along the key.
            cursor.execute(f"SELECT MIN({pk}) FROM {table} WHERE {position} IS NULL")  # noqa: S608
            (low,) = cursor.fetchone()
            if low is None:
                return 0
            cursor.execute("SET @zt_position = %s", [base])
            cursor.execute(f"UPDATE {table} FORCE INDEX (PRIMARY) SET {position} = (@zt_position := @zt_position + 1) "  # noqa: S608
                           f"WHERE {pk} >= %s AND {position} IS NULL ORDER BY {pk} LIMIT %s", [low, limit])
        else:
            # A plain read of committed rows chooses them; PostgreSQL's and SQLite's UPDATE … FROM numbers them.
            batch = (f"SELECT row_id, ROW_NUMBER() OVER (ORDER BY row_id) AS n FROM "  # noqa: S608
                     f"(SELECT {pk} AS row_id FROM {table} WHERE {position} IS NULL ORDER BY {pk} LIMIT %s) AS pending")
            cursor.execute(f"UPDATE {table} SET {position} = %s + b.n FROM ({batch}) AS b WHERE {table}.{pk} = b.row_id",  # noqa: S608
                           [base, limit])
        return int(cursor.rowcount)


def sweep() -> int:
    """The worker's round: sequence every cursor log; how many rows were numbered."""
    return sum(sequence(model) for model in cursor_logs())
