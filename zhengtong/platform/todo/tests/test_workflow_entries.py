"""Workflow work appears in and leaves the workbench as processes move; counts, filters, search."""

import datetime as dt

from django.utils import timezone

from zhengtong.platform.notices.models import Event
from zhengtong.platform.todo import queries
from zhengtong.platform.todo.models import Entry
from zhengtong.platform.todo.tests.conftest import item_of
from zhengtong.platform.workflow import services


def tab_of(user, tab="todo", **filters):
    return [entry.title for entry in queries.entries(user, queries.Filters(tab=tab, **filters))]


def test_an_opened_item_appears_and_moves_to_done_when_decided(people, start, committed):
    instance = start()
    [entry] = Entry.objects.filter(user=people["ann"], tab="todo")
    assert (entry.title, entry.subtitle, entry.sender_name) == ("关于防汛工作的通知", "核稿", "Author")
    assert entry.link == f"/workflow/instances/{instance.pk}/"
    assert Event.objects.filter(user=people["ann"], kind="todo.changed").exists()
    assert tab_of(people["author"], "started") == ["关于防汛工作的通知"]

    committed(services.approve, acting_user=people["ann"], item_id=item_of(instance, "ann").pk, comment="同意")
    assert tab_of(people["ann"]) == []
    assert tab_of(people["ann"], "done") == ["关于防汛工作的通知"]
    assert tab_of(people["cat"]) == ["关于防汛工作的通知"]

    committed(services.approve, acting_user=people["cat"], item_id=item_of(instance, "cat").pk)
    started = Entry.objects.get(user=people["author"], tab="started")
    assert started.state == "closed"
    assert queries.tab_counts(people["cat"])["todo"] == 0


def test_one_countersigner_deciding_leaves_only_their_list(people, start, committed):
    instance = start(checkers=("ann", "bob"))
    committed(services.approve, acting_user=people["ann"], item_id=item_of(instance, "ann").pk)
    assert tab_of(people["ann"]) == [] and tab_of(people["ann"], "done") == ["关于防汛工作的通知"]
    assert tab_of(people["bob"]) == ["关于防汛工作的通知"]


def test_cancelled_process_removes_the_open_items(people, start, committed):
    instance = start()
    committed(services.cancel, acting_user=people["author"], instance_id=instance.pk, comment="不办了")
    assert not Entry.objects.filter(user=people["ann"]).exists()
    assert Entry.objects.get(user=people["author"], tab="started").state == "closed"


def test_copies_and_circulation_show_in_their_tabs_and_leave_the_count_when_read(people, start, committed):
    instance = start()
    committed(services.copy, acting_user=people["author"], instance_id=instance.pk, usernames=["bob"])
    committed(services.copy, acting_user=people["author"], instance_id=instance.pk, usernames=["cat"], circulate=True)
    assert queries.tab_counts(people["bob"])["copied"] == 1
    assert queries.tab_counts(people["cat"])["to_read"] == 1
    committed(services.mark_read, acting_user=people["bob"], instance_id=instance.pk)
    assert queries.tab_counts(people["bob"])["copied"] == 0
    assert tab_of(people["bob"], "copied") == ["关于防汛工作的通知"]


def test_counts_per_tab_and_app_filters_search_and_sorting(people, start):
    start(title="甲 请假申请")
    start(title="乙 经费报销", urgency="特急")
    ann = people["ann"]
    assert queries.tab_counts(ann)["todo"] == 2
    assert queries.app_counts(ann) == {"workflow": 2}
    assert tab_of(ann, urgency="urgent") == ["乙 经费报销"]
    assert tab_of(ann, q="请假") == ["甲 请假申请"]
    assert tab_of(ann, app="other") == []
    late = Entry.objects.get(user=ann, title="甲 请假申请")
    late.due_at = timezone.now() - dt.timedelta(hours=1)
    late.save()
    assert tab_of(ann, overdue=True) == ["甲 请假申请"]
    assert queries.mark(late) == "red"
    assert tab_of(ann, sort="due") == ["甲 请假申请", "乙 经费报销"]
    assert tab_of(ann, sort="arrival") == ["乙 经费报销", "甲 请假申请"]


def test_yellow_mark_from_the_warning_time(people, start):
    start()
    entry = Entry.objects.get(user=people["ann"])
    now = timezone.now()
    entry.due_at, entry.warn_at = now + dt.timedelta(hours=2), now - dt.timedelta(minutes=1)
    assert queries.mark(entry) == "yellow"


def test_delegated_work_shows_on_whose_behalf(people, start, committed):
    instance = start()
    committed(services.transfer, acting_user=people["ann"], item_id=item_of(instance, "ann").pk, to="bob")
    entry = Entry.objects.get(user=people["bob"], tab="todo")
    assert entry.on_behalf_of == "Ann"
