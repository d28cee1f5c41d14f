"""Sending: positions strictly increasing per conversation, also under concurrent senders; a retry never stores twice."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from zhengtong.apps.chat import services
from zhengtong.apps.chat.models import Conversation, Message
from zhengtong.apps.chat.tests.conftest import say, staff
from zhengtong.errors import ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.notices.models import Event


def test_messages_get_consecutive_positions_and_reach_every_member(people: dict[str, Any], group: Conversation) -> None:
    sent = [say(people[who], group, f"第{n}条") for n, who in enumerate(("zhang", "li", "wang", "li"), start=1)]
    assert [m.seq for m in sent] == [1, 2, 3, 4]
    group.refresh_from_db()
    assert group.last_seq == 4
    for who in ("zhang", "li", "wang"):
        frames = Event.objects.filter(user=people[who], kind="chat.message").order_by("pk")
        assert [f.payload["message"]["text"] for f in frames] == ["第1条", "第2条", "第3条", "第4条"]
    assert not Event.objects.filter(user=people["zhao"], kind="chat.message").exists()
    assert AuditRecord.objects.filter(action="chat.sent", actor_id=people["li"].pk).count() == 2


def test_a_retry_with_the_same_client_id_returns_the_stored_message(people: dict[str, Any], group: Conversation) -> None:
    first = services.send(acting_user=people["li"], conversation_id=group.pk, client_msg_id="phone-42", text="收到")
    again = services.send(acting_user=people["li"], conversation_id=group.pk, client_msg_id="phone-42", text="收到")
    assert again.pk == first.pk
    assert Message.objects.filter(conversation=group).count() == 1
    assert Event.objects.filter(user=people["zhang"], kind="chat.message").count() == 1


def test_the_same_client_id_for_another_conversation_is_refused(people: dict[str, Any], group: Conversation) -> None:
    direct = services.open_direct(acting_user=people["li"], other_id=people["zhao"].pk)
    services.send(acting_user=people["li"], conversation_id=group.pk, client_msg_id="x1", text="a")
    with pytest.raises(ServiceError):
        services.send(acting_user=people["li"], conversation_id=direct.pk, client_msg_id="x1", text="b")
    assert not Message.objects.filter(conversation=direct).exists()


@pytest.mark.parametrize("text", ["", "   ", "长" * (services.MAX_TEXT + 1)])
def test_empty_or_too_long_messages_are_refused(people: dict[str, Any], group: Conversation, text: str) -> None:
    with pytest.raises(ServiceError) as refused:
        services.send(acting_user=people["li"], conversation_id=group.pk, client_msg_id="bad", text=text)
    assert "text" in refused.value.fields
    assert not Message.objects.exists()


def test_one_pair_has_one_direct_conversation(people: dict[str, Any]) -> None:
    one = services.open_direct(acting_user=people["li"], other_id=people["wang"].pk)
    other = services.open_direct(acting_user=people["wang"], other_id=people["li"].pk)
    assert one.pk == other.pk
    assert Conversation.objects.filter(kind="direct").count() == 1
    with pytest.raises(ServiceError):
        services.open_direct(acting_user=people["li"], other_id=people["li"].pk)


def _concurrently(workers: list[Any]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(workers))

    def run(work: Any) -> None:
        try:
            start.wait()
            work()
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_get_distinct_consecutive_positions_in_each_ones_order() -> None:
    senders = [staff(f"s{n}", f"发送人{n}") for n in range(6)]
    room = services.create_group(acting_user=senders[0], title="并发群", member_ids=[s.pk for s in senders[1:]])
    per_sender = 8

    def sender(person: Any) -> Any:
        return lambda: [services.send(acting_user=person, conversation_id=room.pk, client_msg_id=f"{person.pk}-{n}", text=str(n))
                        for n in range(per_sender)]

    assert _concurrently([sender(person) for person in senders]) == []
    rows = list(Message.objects.filter(conversation=room).order_by("seq").values_list("seq", "sender_id", "text"))
    assert [seq for seq, _s, _t in rows] == list(range(1, len(senders) * per_sender + 1))
    for person in senders:
        assert [int(text) for _seq, who, text in rows if who == person.pk] == list(range(per_sender))
    room.refresh_from_db()
    assert room.last_seq == len(senders) * per_sender


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_message_store_it_once() -> None:
    ann, ben = staff("ann", "安"), staff("ben", "本")
    room = services.open_direct(acting_user=ann, other_id=ben.pk)
    got: list[int] = []

    def retry() -> None:
        got.append(services.send(acting_user=ann, conversation_id=room.pk, client_msg_id="same", text="只一次").pk)

    assert _concurrently([retry] * 4) == []
    assert Message.objects.filter(conversation=room).count() == 1
    assert len(set(got)) == 1
