"""The service transaction: follow-up writes are made once at the end of the outermost service, and
never outlive a failure."""

import pytest

from zhengtong.platform import batch


class Recorded(batch.Pending):
    written: list[list[str]] = []

    def __init__(self) -> None:
        self.items: list[str] = []

    def flush(self) -> None:
        Recorded.written.append(self.items)


class Later(batch.Pending):
    order = 90

    def flush(self) -> None:
        Recorded.written.append(["later"])


@pytest.fixture(autouse=True)
def fresh() -> None:
    Recorded.written = []


def collect(item: str) -> None:
    collected = batch.pending(Recorded)
    assert collected is not None
    collected.items.append(item)


def test_nested_services_flush_once_at_the_end_of_the_outermost(db: object) -> None:
    with batch.atomic():
        collect("a")
        with batch.atomic():
            collect("b")
        assert Recorded.written == []
    assert Recorded.written == [["a", "b"]]


def test_a_flush_may_collect_for_a_later_one(db: object) -> None:
    class Earlier(batch.Pending):
        order = 10

        def flush(self) -> None:
            batch.pending(Later)

    with batch.atomic():
        batch.pending(Earlier)
        collect("x")
    assert Recorded.written == [["x"], ["later"]]


def test_a_failure_writes_nothing_and_leaves_no_batch_behind(db: object) -> None:
    with pytest.raises(RuntimeError), batch.atomic():
        collect("lost")
        raise RuntimeError("refused")
    assert Recorded.written == [] and batch.current() is None
    assert batch.pending(Recorded) is None  # outside a service transaction there is nothing to collect into
