"""Read watermarks and unread counts, read lists, recall, removal, history from joining, @所有人, offline notices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from zhengtong.apps.chat import services
from zhengtong.apps.chat.models import Conversation, Member, Message
from zhengtong.apps.chat.tests.conftest import say
from zhengtong.errors import Forbidden, NotFound, ServiceError
from zhengtong.platform.notices.models import Event, NoticeRecipient


def test_unread_counts_follow_the_watermark_which_only_moves_forward(people: dict[str, Any], group: Conversation) -> None:
    li, wang, zhang = people["li"], people["wang"], people["zhang"]
    for n in range(3):
        say(zhang, group, f"通知{n}")
    direct = services.open_direct(acting_user=wang, other_id=li.pk)
    say(wang, direct, "在吗")
    assert services.unread_counts(li) == {group.pk: 3, direct.pk: 1}
    assert services.unread_total(li) == 4
    assert services.unread_counts(zhang) == {}  # what I sent is read by me

    assert services.mark_read(acting_user=li, conversation_id=group.pk, seq=2) == 2
    assert services.unread_counts(li) == {group.pk: 1, direct.pk: 1}
    assert services.mark_read(acting_user=li, conversation_id=group.pk, seq=1) == 2  # never back
    assert services.mark_read(acting_user=li, conversation_id=group.pk, seq=99) == 3  # never past the last message
    assert services.unread_total(li) == 1
    # The sender's devices hear of it (their 已读 marks), and so do the reader's other devices.
    assert Event.objects.filter(user=zhang, kind="chat.read", payload__person=li.pk).count() == 2
    assert Event.objects.filter(user=li, kind="chat.read").count() == 2


def test_the_sender_sees_who_has_and_has_not_read(people: dict[str, Any], group: Conversation) -> None:
    message = say(people["zhang"], group, "明早八点开会")
    services.mark_read(acting_user=people["li"], conversation_id=group.pk, seq=message.seq)
    state = services.read_state(people["zhang"], message.pk)
    assert (state["read_count"], state["unread_count"]) == (1, 1)
    assert [p["name"] for p in state["read"]] == ["李四"] and [p["name"] for p in state["unread"]] == ["王五"]
    with pytest.raises(Forbidden):
        services.read_state(people["li"], message.pk)
    with pytest.raises(NotFound):
        services.read_state(people["zhao"], message.pk)


@override_settings(CHAT_READ_LIST_MAX=1)
def test_above_the_configured_size_only_counts_are_shown(people: dict[str, Any], group: Conversation) -> None:
    message = say(people["zhang"], group, "通知")
    state = services.read_state(people["zhang"], message.pk)
    assert (state["read"], state["unread"], state["read_count"], state["unread_count"]) == (None, None, 0, 2)


def test_recall_within_two_minutes_then_others_see_it_recalled(people: dict[str, Any], group: Conversation,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    message = say(people["li"], group, "发错了")
    with pytest.raises(Forbidden):
        services.recall(acting_user=people["wang"], message_id=message.pk)
    monkeypatch.setattr(services, "_now", lambda: message.created_at + timedelta(seconds=119))
    services.recall(acting_user=people["li"], message_id=message.pk)
    message.refresh_from_db()
    assert message.recalled_at is not None
    payload = services.message_payload(message)
    assert payload["recalled"] and payload["text"] == ""
    assert Event.objects.filter(user=people["wang"], kind="chat.recalled", payload__seq=message.seq).exists()
    assert services.unread_counts(people["wang"]) == {}


def test_recall_after_two_minutes_is_refused_and_changes_nothing(people: dict[str, Any], group: Conversation,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    message = say(people["li"], group, "早就发了")
    monkeypatch.setattr(services, "_now", lambda: message.created_at + timedelta(seconds=121))
    with pytest.raises(ServiceError) as refused:
        services.recall(acting_user=people["li"], message_id=message.pk)
    assert refused.value.code == "too_late"
    message.refresh_from_db()
    assert message.recalled_at is None
    assert not Event.objects.filter(kind="chat.recalled").exists()


def test_a_removed_member_sees_nothing_sent_after_removal(people: dict[str, Any], group: Conversation) -> None:
    li, wang, zhang = people["li"], people["wang"], people["zhang"]
    before = say(zhang, group, "移出前")
    services.remove_member(acting_user=zhang, conversation_id=group.pk, person_id=wang.pk)
    after = say(zhang, group, "移出后")
    say(li, group, "也是移出后")
    assert [m.text for m in services.visible_messages(wang, group)] == ["移出前"]
    rows, _more = services.page_of_messages(wang, group, after=before.seq)
    assert rows == []
    with pytest.raises(NotFound):
        services.message_of(wang, after.pk)
    assert services.unread_counts(wang) == {group.pk: 1}
    assert not Event.objects.filter(user=wang, kind="chat.message", payload__message__seq__gt=before.seq).exists()
    item = next(i for i in services.my_conversations(wang) if i["conversation"].pk == group.pk)
    assert item["last"].pk == before.pk
    with pytest.raises(Forbidden):
        services.send(acting_user=wang, conversation_id=group.pk, client_msg_id="w1", text="还能发吗")
    assert not Message.objects.filter(sender=wang).exists()


def test_only_owner_and_admins_manage_members(people: dict[str, Any], group: Conversation) -> None:
    with pytest.raises(Forbidden):
        services.add_members(acting_user=people["li"], conversation_id=group.pk, member_ids=[people["zhao"].pk])
    with pytest.raises(Forbidden):
        services.remove_member(acting_user=people["li"], conversation_id=group.pk, person_id=people["wang"].pk)
    with pytest.raises(NotFound):
        services.add_members(acting_user=people["zhao"], conversation_id=group.pk, member_ids=[people["zhao"].pk])
    assert Member.objects.filter(conversation=group, left_at__isnull=True).count() == 3
    with pytest.raises(Forbidden):
        services.remove_member(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["zhang"].pk)


def test_history_only_from_joining_when_the_group_says_so(people: dict[str, Any]) -> None:
    zhang, zhao = people["zhang"], people["zhao"]
    for history_from_join, seen in ((True, ["加入后"]), (False, ["加入前", "加入后"])):
        room = services.create_group(acting_user=zhang, title="群", member_ids=[people["li"].pk], history_from_join=history_from_join)
        say(zhang, room, "加入前")
        services.add_members(acting_user=zhang, conversation_id=room.pk, member_ids=[zhao.pk])
        say(zhang, room, "加入后")
        assert [m.text for m in services.visible_messages(zhao, room)] == seen
        assert services.unread_counts(zhao)[room.pk] == 1  # what came before joining is not "unread"


def test_mention_everyone_is_for_the_owner_and_admins(people: dict[str, Any], group: Conversation) -> None:
    with pytest.raises(Forbidden):
        say(people["li"], group, "@所有人 开会")
    assert not Message.objects.exists()
    Member.objects.filter(conversation=group, person=people["li"]).update(role=Member.Role.ADMIN)
    by_admin = say(people["li"], group, "@所有人 开会")
    by_owner = say(people["zhang"], group, "@所有人 明天放假")
    assert by_admin.mention_all and by_owner.mention_all
    direct = services.open_direct(acting_user=people["li"], other_id=people["wang"].pk)
    with pytest.raises(Forbidden):
        say(people["li"], direct, "@所有人")


def test_offline_members_get_a_notice_for_direct_messages_and_mentions(people: dict[str, Any], group: Conversation) -> None:
    li, wang, zhang = people["li"], people["wang"], people["zhang"]
    say(zhang, group, "普通消息")
    assert not NoticeRecipient.objects.exists()
    mention = say(zhang, group, "@李四 请准备材料")
    assert mention.mentions == [li.pk]
    assert list(NoticeRecipient.objects.filter(category="chat").values_list("user_id", flat=True)) == [li.pk]
    direct = services.open_direct(acting_user=wang, other_id=li.pk)
    services.set_muted(acting_user=li, conversation_id=direct.pk, muted=True)
    say(wang, direct, "静音时不提醒")
    assert NoticeRecipient.objects.filter(user=li).count() == 1
    services.set_muted(acting_user=li, conversation_id=direct.pk, muted=False)
    say(wang, direct, "在吗")
    notices = list(NoticeRecipient.objects.filter(user=li).order_by("pk").values_list("notice__title", "notice__link"))
    assert notices[-1] == ("王五：在吗", f"/apps/chat/{direct.pk}/")


def test_a_quote_must_be_in_the_same_conversation(people: dict[str, Any], group: Conversation) -> None:
    first = say(people["zhang"], group, "原文")
    reply = say(people["li"], group, "回复", quote_id=first.pk)
    assert services.message_payload(reply)["quote"] == {"id": first.pk, "seq": first.seq, "text": "原文"}
    other = services.open_direct(acting_user=people["zhao"], other_id=people["li"].pk)
    with pytest.raises(ServiceError):
        say(people["li"], other, "引用别处", quote_id=first.pk)


def test_strangers_cannot_read_or_post(people: dict[str, Any], group: Conversation) -> None:
    message = say(people["zhang"], group, "内部")
    zhao = people["zhao"]
    for attempt in (lambda: services.conversation_of(zhao, group.pk), lambda: say(zhao, group, "闯入"),
                    lambda: services.mark_read(acting_user=zhao, conversation_id=group.pk, seq=1),
                    lambda: services.recall(acting_user=zhao, message_id=message.pk)):
        with pytest.raises(NotFound):
            attempt()
    assert Message.objects.count() == 1
    assert timezone.now() >= message.created_at
