"""Two people act on one 或签 step at the same moment: exactly one wins.

Needs a database server (threads cannot share SQLite's in-memory test database); CI runs it
on PostgreSQL and MariaDB.
"""

import threading

import pytest
from django.db import connection

from conftest import make_person
from zhengtong.errors import Conflict
from zhengtong.platform.workflow import services
from zhengtong.platform.workflow.models import Action, WorkItem
from zhengtong.platform.workflow.tests.test_actions import four_steps

pytestmark = pytest.mark.skipif(connection.vendor == "sqlite", reason="needs a database server for concurrent transactions")


@pytest.mark.django_db(transaction=True)
def test_any_one_step_acted_on_twice_at_once_has_exactly_one_winner():
    people = {name: make_person(name, name, roles=("staff",), clearance=1) for name in ("author", "ann", "bob", "cat", "dan")}
    four_steps(second_mode="any", second_people="bob,dan")
    instance = services.start(acting_user=people["author"], key="four", title="并发或签", data={"note": "x"})
    services.approve(acting_user=people["ann"], item_id=WorkItem.objects.get(instance=instance, assignee__username="ann").pk)
    items = {name: WorkItem.objects.get(instance=instance, assignee__username=name).pk for name in ("bob", "dan")}
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name: str) -> None:
        barrier.wait()
        try:
            services.approve(acting_user=people[name], item_id=items[name], comment="同意")
            outcomes[name] = "won"
        except Conflict:
            outcomes[name] = "lost"
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(name,)) for name in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["lost", "won"]
    assert Action.objects.filter(instance=instance, kind="approve", step_id="second").count() == 1
    assert list(WorkItem.objects.filter(instance=instance, state="open").values_list("step_id", flat=True)) == ["third"]
