"""The sequencer: positions in commit order, a late commit never skipped, writers never waiting."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from conftest import make_person
from zhengtong.platform.audit import services as audit
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.directory import feed
from zhengtong.platform.directory.models import ChangeEvent
from zhengtong.platform.ledger import sequence
from zhengtong.platform.ledger.models import LogHead
from zhengtong.platform.notices import stream
from zhengtong.platform.notices.models import Event

WAIT = 10  # seconds any one step may take before the test calls it stuck


def test_a_writer_costs_one_insert_and_leaves_the_position_to_the_sequencer(clerk, head):
    with transaction.atomic(), CaptureQueriesContext(connection) as writes:
        stream.publish([clerk.pk, head.pk], "notice.new", {"title": "通知"})
    assert [query["sql"].split()[0] for query in writes.captured_queries] == ["INSERT"]
    assert not Event.objects.filter(seq__isnull=False).exists()
    assert [event.payload["title"] for event in stream.since(clerk, 0)] == ["通知"]
    assert Event.objects.filter(seq__isnull=True).count() == 0


def test_positions_follow_on_from_the_highest_ever_handed_out(clerk):
    for number in range(3):
        stream.publish([clerk.pk], "notice.new", {"n": number})
    assert [event.seq for event in stream.since(clerk, 0)] == [1, 2, 3]
    # The newest row goes (its person removed, say): its position is not handed out again.
    Event.objects.filter(seq=3).delete()
    stream.publish([clerk.pk], "notice.new", {"n": 3})
    assert [event.seq for event in stream.since(clerk, 0)] == [1, 2, 4]
    assert LogHead.objects.get(log="notices.event").position == 4


def test_numbering_comes_in_batches(clerk, monkeypatch):
    monkeypatch.setattr(sequence, "BATCH", 2)
    Event.objects.bulk_create(Event(user=clerk, kind="notice.new", payload={"n": n}) for n in range(5))
    assert sequence.sequence(Event) == 5
    assert [event.payload["n"] for event in Event.objects.order_by("seq")] == [0, 1, 2, 3, 4]
    assert sequence.sequence(Event) == 0


def test_the_sweep_numbers_every_cursor_log(clerk):
    assert {model._meta.label_lower for model in sequence.cursor_logs()} >= {"notices.event", "directory.changeevent", "audit.auditrecord"}
    stream.publish([clerk.pk], "notice.new", {})
    feed.emit("group", 1, "created", {})
    audit.record("test.event")
    assert sequence.sweep() >= 3
    for model in (Event, ChangeEvent, AuditRecord):
        assert not sequence.pending(model), model


def test_the_change_feed_is_read_by_position(db):
    first = feed.emit("group", 1, "created", {"name": "a"})
    feed.emit("group", 2, "created", {"name": "b"})
    assert [event.data["name"] for event in feed.changes(0, 10)] == ["a", "b"]
    first.refresh_from_db()
    assert [event.data["name"] for event in feed.changes(first.seq, 10)] == ["b"]


def test_migrate_gives_every_cursor_log_its_head(db):
    # Made by two sequencers at once, a head's row could deadlock them on MariaDB; migrate makes them all first.
    assert {model._meta.label_lower for model in sequence.cursor_logs()} <= set(LogHead.objects.values_list("log", flat=True))


def test_a_model_without_one_position_is_not_a_cursor_log():
    with pytest.raises(TypeError, match="not a cursor log"):
        sequence.position_field(LogHead)


@pytest.mark.django_db(transaction=True)
def test_a_row_that_commits_late_with_a_lower_id_is_not_skipped():
    """Two writers on two connections: the one with the lower id commits last.

    Read by id, a device at the higher id would never see the lower one. Read by position, it gets
    both, each once; and numbering the first commit does not wait for the open transaction.
    """
    if connection.vendor == "sqlite":
        pytest.skip("SQLite lets one writer at a time: a lower id cannot commit after a higher one")
    person = make_person("clerk", "王小明", roles=("staff",), clearance=1)
    inserted, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []
    slow_ids: list[int] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                slow_ids.extend(event.pk for event in stream.publish([person.pk], "notice.new", {"who": "slow"}))
                inserted.set()
                assert release.wait(WAIT * 3)
        except BaseException as failure:  # noqa: BLE001  (reported by the main thread)
            failures.append(failure)
        finally:
            connection.close()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert inserted.wait(WAIT)
    quick_id = stream.publish([person.pk], "notice.new", {"who": "quick"})[0].pk
    assert slow_ids[0] < quick_id
    assert not Event.objects.filter(pk=slow_ids[0]).exists()  # not committed yet

    first_read: list[list[Event]] = []
    reader = threading.Thread(target=lambda: (first_read.append(stream.since(person, 0)), connection.close()))
    reader.start()
    reader.join(WAIT)
    assert not reader.is_alive(), "the sequencer waited for a writer's open transaction"
    assert [event.payload["who"] for event in first_read[0]] == ["quick"]
    cursor = first_read[0][-1].seq

    release.set()
    slow.join(WAIT)
    assert not failures
    late = stream.since(person, cursor)
    assert [(event.payload["who"], event.pk) for event in late] == [("slow", slow_ids[0])]
    assert late[0].seq > cursor
    assert [event.payload["who"] for event in stream.since(person, 0)] == ["quick", "slow"]
