"""Acting in place: approve with a comment, batch approve with per-item results, refusals."""

import pytest

from zhengtong.errors import NotFound
from zhengtong.platform.todo import actions
from zhengtong.platform.todo.models import Entry
from zhengtong.platform.workflow.models import WorkItem


def todo_entry(user, title=None):
    entries = Entry.objects.filter(user=user, tab="todo")
    return entries.get(title=title) if title else entries.get()


def test_approve_in_place_with_a_comment(people, start, committed):
    instance = start()
    entry = todo_entry(people["ann"])
    result = committed(actions.act, acting_user=people["ann"], entry_id=entry.pk, code="approve", comment="同意，请签发")
    assert result.ok
    item = WorkItem.objects.get(instance=instance, assignee=people["ann"])
    assert (item.state, item.comment) == (WorkItem.State.DONE, "同意，请签发")
    assert Entry.objects.get(pk=entry.pk).tab == "done"


def test_another_persons_entry_is_not_found(people, start):
    start()
    with pytest.raises(NotFound):
        actions.act(acting_user=people["bob"], entry_id=todo_entry(people["ann"]).pk, code="approve")


def test_reject_needs_a_comment_and_is_not_offered_in_batch(people, start, committed):
    start()
    entry = todo_entry(people["ann"])
    result = committed(actions.act_in_batch, acting_user=people["ann"], entry_ids=[entry.pk], code="reject", comment="不同意")
    assert not result[0].ok
    with pytest.raises(Exception, match="comment"):
        actions.act(acting_user=people["ann"], entry_id=entry.pk, code="reject")


def test_batch_approve_goes_on_past_a_refusal(people, start, committed):
    for title in ("一", "二", "三"):
        start(title=title)
    ann = people["ann"]
    entries = {title: todo_entry(ann, title) for title in ("一", "二", "三")}
    # The item behind 二 was decided elsewhere meanwhile (the list has not caught up): the service refuses it.
    stale = WorkItem.objects.get(pk=int(entries["二"].object_id))
    WorkItem.objects.filter(pk=stale.pk).update(state=WorkItem.State.CANCELLED)
    results = committed(actions.act_in_batch, acting_user=ann, entry_ids=[e.pk for e in entries.values()], code="approve", comment="同意")
    assert [(r.title, r.ok) for r in results] == [("一", True), ("二", False), ("三", True)]
    assert "no longer open" in results[1].message
    assert WorkItem.objects.filter(assignee=ann, state=WorkItem.State.DONE).count() == 2


def test_acting_on_work_that_is_not_mine_any_more_is_refused(people, start, committed):
    start()
    entry = todo_entry(people["ann"])
    # The item was handed to bob behind the list's back; the entry still says ann's.
    WorkItem.objects.filter(pk=int(entry.object_id)).update(assignee=people["bob"])
    [result] = committed(actions.act_in_batch, acting_user=people["ann"], entry_ids=[entry.pk], code="approve")
    assert not result.ok and "may not" in result.message
