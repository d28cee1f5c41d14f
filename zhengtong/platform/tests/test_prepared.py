"""A prepared query gives what the ORM would, run after run, with each run's own values."""

from typing import Any

from conftest import make_person
from zhengtong.platform.accounts.models import User
from zhengtong.platform.prepared import Prepared

by_pk: Prepared[User] = Prepared(lambda pk: User.objects.filter(pk=pk).select_related("directory_person"))


def test_each_run_sends_its_own_value_and_gets_model_instances(db: Any, django_assert_num_queries: Any) -> None:
    ann, bob = make_person("ann", "安"), make_person("bob", "鲍")
    assert [user.username for user in by_pk(ann.pk)] == ["ann"]
    with django_assert_num_queries(1):
        [found] = by_pk(bob.pk)
    assert (found.pk, found.get_full_name(), found.date_joined) == (bob.pk, "鲍", bob.date_joined)  # converted as the ORM does
    assert by_pk(-1) == []


def test_text_and_date_parameters_may_each_be_used_more_than_once(db: Any) -> None:
    import datetime as dt

    from django.db.models import Q

    from zhengtong.platform.workflow.models import StandingDelegation

    ann, bob = make_person("ann", "安"), make_person("bob", "鲍")
    today = dt.date(2026, 12, 3)
    away = StandingDelegation.objects.create(principal=ann, delegate=bob, starts_on=today, ends_on=today + dt.timedelta(days=2))
    # The name is compared twice and the day twice: every use gets the run's value.
    running = Prepared(lambda day, name: StandingDelegation.objects.filter(
        Q(principal__username=name) | Q(principal__display_name=name), starts_on__lte=day, ends_on__gte=day), kinds=("date", "str"))
    assert [found.pk for found in running(today, "ann")] == [away.pk]
    assert [found.pk for found in running(today + dt.timedelta(days=2), "安")] == [away.pk]
    assert running(today + dt.timedelta(days=3), "ann") == running(today, "bob") == []


def test_prepared_writes_store_what_the_orm_would(db: Any, django_assert_num_queries: Any) -> None:
    from zhengtong.platform import prepared
    from zhengtong.platform.notices.models import Event
    from zhengtong.platform.todo.models import Entry

    ann, bob = make_person("ann", "安"), make_person("bob", "鲍")
    for round_ in range(2):  # the second round runs the compiled statements
        with django_assert_num_queries(1):
            events = prepared.insert([Event(user=ann, kind="k", payload={"n": round_, "名": "安"}),
                                      Event(user_id=bob.pk, kind="k", payload=[round_])])
        assert all(event.pk and not event._state.adding for event in events)
        stored = {event.pk: (event.user_id, event.payload) for event in Event.objects.filter(pk__in=[e.pk for e in events])}
        assert stored == {events[0].pk: (ann.pk, {"n": round_, "名": "安"}), events[1].pk: (bob.pk, [round_])}
    entry = {"app": "a", "kind": "x", "object_id": "1", "title": "旧", "tab": Entry.Tab.TODO, "state": Entry.State.OPEN}
    prepared.insert([Entry(user=ann, **entry)], upsert=(["kind", "object_id", "user"], ["title"]))
    prepared.insert([Entry(user=ann, **{**entry, "title": "新"})], upsert=(["kind", "object_id", "user"], ["title"]))
    assert list(Entry.objects.values_list("title", flat=True)) == ["新"]
    first = events[0]
    with django_assert_num_queries(1):
        assert prepared.update(Event, first.pk, {"kind": "changed", "user": bob, "seq": None}) == 1
    assert Event.objects.filter(pk=first.pk).values_list("kind", "user_id", "seq").get() == ("changed", bob.pk, None)
    assert prepared.update(Event, -1, {"kind": "none"}) == 0
