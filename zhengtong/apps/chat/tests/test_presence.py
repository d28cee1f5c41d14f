"""Offline notices know who is connected in every server process, not only in the one that stores the message."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.test import override_settings

from zhengtong.apps.chat import services
from zhengtong.apps.chat.tests.conftest import say
from zhengtong.platform.notices import presence
from zhengtong.platform.notices.models import NoticeRecipient

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["database", "redis"])
def shared_record(request: Any) -> Iterator[str]:
    """The record the processes share: the database, or Redis when one is configured."""
    if request.param == "redis":
        try:
            redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            pytest.skip("no Redis on 127.0.0.1")
    with override_settings(REDIS_URL=REDIS if request.param == "redis" else None):
        yield request.param


@pytest.fixture
def other_process(shared_record: str) -> Iterator[str]:
    """Another server process's name in the shared record; its word is withdrawn after the test."""
    name = uuid.uuid4().hex
    yield name
    if shared_record == "redis":  # the database's rows go with the test's transaction
        client = redis.Redis.from_url(REDIS)
        for key in client.scan_iter(presence.REDIS_KEY.format("*")):
            client.zrem(key, name)


def _notices_for(person: Any) -> int:
    return NoticeRecipient.objects.filter(user=person, category="chat").count()


def test_a_person_connected_to_another_server_process_gets_no_offline_notice(people: dict[str, Any], other_process: str) -> None:
    wang, li = people["wang"], people["li"]
    direct = services.open_direct(acting_user=wang, other_id=li.pk)
    presence.write(other_process, {li.pk}, set())  # 李四's phone holds its socket on the other process
    say(wang, direct, "在线时不留通知")
    assert _notices_for(li) == 0
    presence.write(other_process, set(), {li.pk})  # the socket closed
    say(wang, direct, "离线了")
    assert _notices_for(li) == 1


def test_the_word_of_a_process_that_stopped_renewing_it_lapses(people: dict[str, Any], other_process: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    wang, li = people["wang"], people["li"]
    direct = services.open_direct(acting_user=wang, other_id=li.pk)
    monkeypatch.setattr(presence, "HOLD_SECONDS", -1.0)  # written long ago, never renewed: the process was killed
    presence.write(other_process, {li.pk}, set())
    say(wang, direct, "那个进程已经没了")
    assert _notices_for(li) == 1


def test_a_mention_of_someone_connected_elsewhere_leaves_no_notice_but_reaches_the_others(people: dict[str, Any], group: Any,
                                                                                       other_process: str) -> None:
    li, wang = people["li"], people["wang"]
    presence.write(other_process, {li.pk}, set())
    say(people["zhang"], group, "@所有人 下午开会")
    assert (_notices_for(li), _notices_for(wang)) == (0, 1)
