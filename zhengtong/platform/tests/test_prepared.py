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
