"""Integrated systems post into the groups they were added to, with their token, as 机器人; nowhere else."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhengtong.apps.chat import bots, services
from zhengtong.apps.chat.models import Conversation, Message
from zhengtong.apps.chat.tests.conftest import staff
from zhengtong.errors import Forbidden, ServiceError


@pytest.fixture
def system(people: dict[str, Any]) -> tuple[Any, str]:
    from zhengtong.platform.access.models import Role
    from zhengtong.platform.access.services import assign_role
    from zhengtong.platform.todo import services as todo

    admin = staff("sysadmin", "管理员")
    assign_role(acting_user=None, user=admin, role=Role.objects.get(code="system_admin"))
    return todo.create_system(acting_user=admin, name="水情监测系统", code="shuiqing", base_url="https://sq.example.cn/", scopes=["chat"])


def post(token: str, conversation: Conversation, client_msg_id: str, text: str) -> Any:
    return Client().post(f"/api/chat/external/conversations/{conversation.pk}/messages", {"client_msg_id": client_msg_id, "text": text},
                         content_type="application/json", headers={"Authorization": f"Bearer {token}"})


def test_a_system_added_to_a_group_posts_once_per_client_id_shown_as_a_bot(people: dict[str, Any], group: Conversation,
                                                                             system: tuple[Any, str]) -> None:
    application, token = system
    with pytest.raises(Forbidden):  # a member who is not owner or administrator
        bots.add(acting_user=people["li"], conversation_id=group.pk, system_id=application.pk)
    bots.add(acting_user=people["zhang"], conversation_id=group.pk, system_id=application.pk)
    first = post(token, group, "alarm-1", "东湖水位超警戒 0.3 米")
    again = post(token, group, "alarm-1", "东湖水位超警戒 0.3 米")
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert (first.json()["sender_name"], first.json()["bot"]) == ("水情监测系统", True)
    assert Message.objects.filter(conversation=group).count() == 1
    zhang = Client()
    zhang.force_login(people["zhang"])
    page = zhang.get(f"/apps/chat/{group.pk}/").content.decode()
    assert "东湖水位超警戒" in page and 'class="chat-bot-mark"' in page
    mine = services.send(acting_user=people["zhang"], conversation_id=group.pk, client_msg_id="z-1", text="收到")
    assert services.read_state(people["zhang"], mine.pk)["unread_count"] == 2  # 李四 and 王五: a bot reads nothing
    members = zhang.get(f"/api/chat/conversations/{group.pk}/members").json()
    assert {"name": "水情监测系统", "bot": True} in [{"name": m["name"], "bot": m["bot"]} for m in members]


def test_a_system_cannot_post_where_it_was_not_added_nor_after_removal_nor_sign_in(people: dict[str, Any], group: Conversation,
                                                                                   system: tuple[Any, str]) -> None:
    application, token = system
    other = services.create_group(acting_user=people["zhang"], title="其他群", member_ids=[people["li"].pk])
    bots.add(acting_user=people["zhang"], conversation_id=group.pk, system_id=application.pk)
    assert post(token, other, "x-1", "不该出现").status_code == 404
    assert post("zta_bad_token", group, "x-2", "不该出现").status_code == 401
    bot = bots.bot_of(application)
    services.remove_member(acting_user=people["zhang"], conversation_id=group.pk, person_id=bot.account.pk)
    assert post(token, group, "x-3", "不该出现").status_code == 403
    assert not Message.objects.filter(text="不该出现").exists()
    assert not Client().login(username=bot.account.username, password="")  # the bot's account cannot sign in
    with pytest.raises(ServiceError):  # nobody adds the bot's account as a person
        services.add_members(acting_user=people["zhang"], conversation_id=group.pk, member_ids=[bot.account.pk])


def test_a_system_without_the_chat_scope_is_not_offered_nor_let_post(people: dict[str, Any], group: Conversation,
                                                                      system: tuple[Any, str]) -> None:
    application, token = system
    bots.add(acting_user=people["zhang"], conversation_id=group.pk, system_id=application.pk)
    type(application).objects.filter(pk=application.pk).update(scopes=["todos"])
    assert post(token, group, "s-1", "不该出现").status_code == 403
    with pytest.raises(ServiceError):
        bots.add(acting_user=people["zhang"], conversation_id=services.create_group(
            acting_user=people["zhang"], title="另一群", member_ids=[]).pk, system_id=application.pk)
