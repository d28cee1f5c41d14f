"""Permission matrix rows for the workbench (工作台): everyone's home tab, holding only their own to-dos.

Acting in place is tried on the head's to-do for the workflow's pending 审核 (the workflow's
``build`` makes it): the head approves it from the list; for anyone else the entry is not
theirs — the list says so and nothing is done. Every answer is the list again (302), so the
rows check the message the list shows.
"""

from __future__ import annotations

from typing import Any

from django.contrib.messages import constants, get_messages
from django.http import HttpResponse

from zhengtong.testing.matrix import ANY_SIGNED_IN, Row, World, expect

ACTED = expect(302)


def build(world: World) -> None:
    from zhengtong.platform.todo.models import Entry
    from zhengtong.platform.workflow.todos import ITEM

    world.head_entry = Entry.objects.get(user=world.people["head"], kind=ITEM, object_id=str(world.pending_item.pk))


def own_entries(world: World, persona: str, response: HttpResponse) -> None:
    """The list and its counts are the reader's own to-dos."""
    from zhengtong.platform.access.policy import clearance_of
    from zhengtong.platform.todo.models import Entry

    if response.status_code != 200:
        return
    user = world.people[persona]
    shown = [row["entry"] for row in response.context["wb_rows"]]
    assert all(entry.user_id == user.pk for entry in shown), "lists another person's to-do"
    mine = Entry.objects.filter(user=user, classification__lte=clearance_of(user), state=Entry.State.OPEN)
    counts = {tab["key"]: tab["count"] for tab in response.context["wb_tabs"]}
    assert counts.get("todo") == mine.filter(tab=Entry.Tab.TODO).count(), f"counts {counts}"


def only_head_acts(world: World, persona: str, response: HttpResponse) -> None:
    """The head is told it is done; anyone else signed in, that it could not be done."""
    if persona == "anonymous":
        return
    levels = {message.level for message in get_messages(response.wsgi_request)}  # type: ignore[attr-defined]
    expected = constants.SUCCESS if persona == "head" else constants.ERROR
    assert levels == {expected}, f"messages at levels {levels}"


def _batch(world: Any) -> dict[str, Any]:
    return {"ids": [world.head_entry.pk], "action": "approve", "comment": "同意"}


ROWS = [
    Row("GET", "/", ANY_SIGNED_IN, check=own_entries),
    Row("GET", "/workbench/list/", ANY_SIGNED_IN, check=own_entries),
    Row("GET", "/workbench/list/?tab=done", ANY_SIGNED_IN, check=own_entries),
    Row("POST", "/workbench/entries/{w.head_entry.pk}/approve/", ACTED, data={"comment": "同意"}, check=only_head_acts),
    Row("POST", "/workbench/batch/", ACTED, data=_batch, check=only_head_acts),
]
