"""The API and the pages as a person meets them: shapes, paging both ways, errors in the house shape, 已读/未读."""

from __future__ import annotations

from typing import Any

from zhengtong.apps.chat import services
from zhengtong.apps.chat.models import Conversation, Message
from zhengtong.apps.chat.tests.conftest import say


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_my_conversations_with_unread_counts_and_last_message(api_for: Any, people: dict[str, Any], group: Conversation) -> None:
    say(people["zhang"], group, "第一条")
    say(people["wang"], group, "第二条")
    direct = services.open_direct(acting_user=people["zhao"], other_id=people["li"].pk)
    body = api_for(people["li"]).get("/api/chat/conversations").json()
    assert body["unread_total"] == 2
    (group_out,) = [item for item in body["items"] if item["id"] == group.pk]
    assert (group_out["title"], group_out["unread"], group_out["role"], group_out["active"]) == ("防汛工作群", 2, "member", True)
    assert group_out["last_message"]["text"] == "第二条" and group_out["last_message"]["sender_name"] == "王五"
    (direct_out,) = [item for item in body["items"] if item["id"] == direct.pk]
    assert (direct_out["title"], direct_out["kind"], direct_out["last_message"]) == ("赵六", "direct", None)


def test_send_read_and_read_state_through_the_api(api_for: Any, people: dict[str, Any], group: Conversation) -> None:
    zhang, li = api_for(people["zhang"]), api_for(people["li"])
    url = f"/api/chat/conversations/{group.pk}"
    sent = _post(zhang, f"{url}/messages", {"client_msg_id": "web-1", "text": "请李四 @李四 确认"})
    assert sent.status_code == 201
    message = sent.json()
    assert (message["seq"], message["mentions"], message["recalled"]) == (1, [people["li"].pk], False)
    again = _post(zhang, f"{url}/messages", {"client_msg_id": "web-1", "text": "请李四 @李四 确认"})
    assert again.status_code == 201 and again.json()["id"] == message["id"]
    assert _post(li, f"{url}/read", {"seq": 1}).json() == {"read_seq": 1}
    reads = zhang.get(f"/api/chat/messages/{message['id']}/reads").json()
    assert reads["read"] == [{"id": people["li"].pk, "name": "李四"}] and reads["unread"] == [{"id": people["wang"].pk, "name": "王五"}]
    members = li.get(f"{url}/members").json()
    assert [(m["name"], m["role"]) for m in members] == [("张三", "owner"), ("李四", "member"), ("王五", "member")]


def test_messages_page_both_ways_by_position(api_for: Any, people: dict[str, Any], group: Conversation) -> None:
    for n in range(1, 8):
        say(people["zhang"], group, f"m{n}")
    client = api_for(people["li"])
    url = f"/api/chat/conversations/{group.pk}/messages"
    newest = client.get(url, {"limit": 3}).json()
    assert [m["text"] for m in newest["items"]] == ["m5", "m6", "m7"] and newest["next_cursor"] == "5"
    older = client.get(url, {"limit": 3, "before": newest["next_cursor"]}).json()
    assert [m["text"] for m in older["items"]] == ["m2", "m3", "m4"] and older["next_cursor"] == "2"
    oldest = client.get(url, {"limit": 3, "before": older["next_cursor"]}).json()
    assert [m["text"] for m in oldest["items"]] == ["m1"] and oldest["next_cursor"] is None
    newer = client.get(url, {"limit": 4, "after": "1"}).json()
    assert [m["seq"] for m in newer["items"]] == [2, 3, 4, 5] and newer["next_cursor"] == "5"
    rest = client.get(url, {"limit": 4, "after": "5"}).json()
    assert [m["seq"] for m in rest["items"]] == [6, 7] and rest["next_cursor"] is None
    bad = client.get(url, {"after": "abc"})
    assert bad.status_code == 422 and bad.json()["error"] == "invalid" and "cursor" in bad.json()["fields"]


def test_errors_come_in_the_house_shape_and_change_nothing(api_for: Any, people: dict[str, Any], group: Conversation) -> None:
    url = f"/api/chat/conversations/{group.pk}"
    stranger = _post(api_for(people["zhao"]), f"{url}/messages", {"client_msg_id": "z", "text": "闯入"})
    assert stranger.status_code == 404 and stranger.json()["error"] == "not_found"
    assert api_for(people["zhao"]).get(f"{url}/messages").status_code == 404
    everyone = _post(api_for(people["li"]), f"{url}/messages", {"client_msg_id": "l", "text": "@所有人 注意"})
    assert everyone.status_code == 403 and everyone.json()["error"] == "forbidden" and everyone.json()["message"]
    empty = _post(api_for(people["li"]), f"{url}/messages", {"client_msg_id": "l2", "text": "  "})
    assert empty.status_code == 422 and "text" in empty.json()["fields"]
    assert not Message.objects.exists()


def test_removal_through_the_api(api_for: Any, people: dict[str, Any], group: Conversation) -> None:
    zhang = api_for(people["zhang"])
    url = f"/api/chat/conversations/{group.pk}"
    assert zhang.delete(f"{url}/members/{people['wang'].pk}").status_code == 204
    say(people["zhang"], group, "之后的消息")
    wang = api_for(people["wang"])
    assert wang.get(f"{url}/messages").json()["items"] == []
    assert wang.get(url).json()["active"] is False
    assert _post(wang, f"{url}/messages", {"client_msg_id": "w", "text": "还在吗"}).status_code == 403
    added = _post(zhang, f"{url}/members", {"members": [people["zhao"].pk]})
    assert [m["name"] for m in added.json()] == ["张三", "李四", "赵六"]


def _csrf_post(client: Any, url: str, data: dict[str, Any]) -> Any:
    client.get(url.removesuffix("send/"))
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["zt_csrf"].value})


def test_the_pages_list_send_and_show_read_marks(client_for: Any, people: dict[str, Any], group: Conversation) -> None:
    zhang = client_for(people["zhang"])
    sent = _csrf_post(zhang, f"/apps/chat/{group.pk}/send/", {"text": "页面发送", "client_msg_id": "form-1"})
    assert sent.status_code == 302 and sent["Location"] == f"/apps/chat/{group.pk}/#m1"
    page = zhang.get(f"/apps/chat/{group.pk}/").content.decode()
    assert "页面发送" in page and "2 人未读" in page
    services.mark_read(acting_user=people["li"], conversation_id=group.pk, seq=1)
    services.mark_read(acting_user=people["wang"], conversation_id=group.pk, seq=1)
    assert "全部已读" in zhang.get(f"/apps/chat/{group.pk}/").content.decode()
    listing = client_for(people["zhao"]).get("/apps/chat/").content.decode()
    assert "防汛工作群" not in listing
    li_list = client_for(people["li"]).get("/apps/chat/")
    assert li_list.context["unread_total"] == 0 and "防汛工作群" in li_list.content.decode()
    assert client_for(people["zhao"]).get(f"/apps/chat/{group.pk}/").status_code == 404


def test_a_direct_message_shows_read_then_recalled(client_for: Any, people: dict[str, Any]) -> None:
    direct = services.open_direct(acting_user=people["li"], other_id=people["wang"].pk)
    message = say(people["li"], direct, "方便通话吗")
    li = client_for(people["li"])
    assert "<span data-mark>未读</span>" in li.get(f"/apps/chat/{direct.pk}/").content.decode()
    services.mark_read(acting_user=people["wang"], conversation_id=direct.pk, seq=message.seq)
    assert "<span data-mark>已读</span>" in li.get(f"/apps/chat/{direct.pk}/").content.decode()
    services.recall(acting_user=people["li"], message_id=message.pk)
    assert "李四 撤回了一条消息" in client_for(people["wang"]).get(f"/apps/chat/{direct.pk}/").content.decode()


def test_an_invalid_page_send_shows_the_error_on_the_form(client_for: Any, people: dict[str, Any], group: Conversation) -> None:
    response = _csrf_post(client_for(people["li"]), f"/apps/chat/{group.pk}/send/", {"text": "@所有人 开会", "client_msg_id": "f"})
    assert response.status_code == 403
    assert "所有人" in response.content.decode() and response.context["form"].errors
    assert not Message.objects.exists()


def test_mute_through_the_api(api_for: Any, people: dict[str, Any], group: Conversation) -> None:
    url = f"/api/chat/conversations/{group.pk}/mute"
    muted = _post(api_for(people["li"]), url, {"muted": True})
    assert muted.status_code == 200 and muted.json()["muted"] is True
    assert _post(api_for(people["zhao"]), url, {"muted": True}).status_code == 404
