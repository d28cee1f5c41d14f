"""A message's features: image thumbnails, voice, forward (转发), pin (置顶), star (收藏), urgent (加急) and its reminders."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from zhengtong.apps.chat import features, reminders, services
from zhengtong.apps.chat.models import Conversation, Member, Message, Pin, Reminder, Star
from zhengtong.apps.chat.tests.conftest import say
from zhengtong.errors import Forbidden, NotFound, ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.files.tests.audio import M4A, WEBM
from zhengtong.platform.notices.models import Event, NoticeRecipient


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


# --- thumbnails ----------------------------------------------------------------------------------


def test_an_image_gets_a_thumbnail_once_served_to_members_only(api_for: Any, client_for: Any, people: dict[str, Any],
                                                               group: Conversation) -> None:
    upload = {"file": SimpleUploadedFile("现场.png", _png(1200, 800), "image/png"), "client_msg_id": "img-1"}
    body = api_for(people["li"]).post(f"/api/chat/conversations/{group.pk}/files", upload).json()
    assert body["thumbnail_url"] == f"/api/chat/messages/{body['id']}/thumbnail"
    message = Message.objects.get()
    assert message.thumbnail.kind == "png" and message.thumbnail.size < message.file.size
    got = api_for(people["wang"]).get(body["thumbnail_url"])
    assert got.status_code == 200
    with Image.open(io.BytesIO(b"".join(got.streaming_content))) as thumbnail:
        assert thumbnail.size == (320, 213)
    assert api_for(people["zhao"]).get(body["thumbnail_url"]).status_code == 404
    page = client_for(people["wang"]).get(f"/apps/chat/{group.pk}/").content.decode()
    assert f'href="/api/chat/messages/{body["id"]}/file"><img src="{body["thumbnail_url"]}"' in page


def test_a_photograph_gets_a_jpeg_thumbnail_and_a_huge_image_none(people: dict[str, Any], group: Conversation,
                                                                   monkeypatch: Any) -> None:
    from zhengtong.apps.chat import thumbnails

    photo = io.BytesIO()
    Image.new("RGB", (2000, 3000), (10, 120, 60)).save(photo, "JPEG")
    sent = services.send_file(acting_user=people["li"], conversation_id=group.pk, client_msg_id="jpg",
                              upload=SimpleUploadedFile("现场.jpg", photo.getvalue(), "image/jpeg"))
    assert (sent.thumbnail.kind, sent.thumbnail.name) == ("jpeg", "现场-thumbnail.jpg")
    monkeypatch.setattr(thumbnails, "MAX_PIXELS", 1000)
    huge = services.send_file(acting_user=people["li"], conversation_id=group.pk, client_msg_id="big",
                              upload=SimpleUploadedFile("大图.png", _png(40, 40), "image/png"))
    assert huge.kind == "image" and huge.thumbnail is None


def test_an_image_pillow_cannot_read_has_no_thumbnail(api_for: Any, people: dict[str, Any], group: Conversation) -> None:
    broken = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17  # a PNG head, no image
    upload = {"file": SimpleUploadedFile("坏图.png", broken, "image/png"), "client_msg_id": "img-2"}
    body = api_for(people["li"]).post(f"/api/chat/conversations/{group.pk}/files", upload).json()
    assert body["kind"] == "image" and body["thumbnail_url"] is None
    assert api_for(people["li"]).get(f"/api/chat/messages/{body['id']}/thumbnail").status_code == 404


# --- voice ---------------------------------------------------------------------------------------


def _voice(client: Any, group: Conversation, data: bytes = WEBM, name: str = "语音.webm", duration: Any = 12_300,
           client_id: str = "v1", claimed: str = "audio/webm") -> Any:
    return client.post(f"/api/chat/conversations/{group.pk}/voice",
                       {"file": SimpleUploadedFile(name, data, claimed), "client_msg_id": client_id, "duration_ms": duration})


def test_a_voice_message_is_stored_as_audio_with_its_duration(api_for: Any, client_for: Any, people: dict[str, Any],
                                                              group: Conversation) -> None:
    sent = _voice(api_for(people["li"]), group)
    assert sent.status_code == 201
    body = sent.json()
    assert (body["kind"], body["duration_ms"], body["file"]["kind"], body["text"]) == ("voice", 12_300, "webm", "[语音] 12″")
    assert _voice(api_for(people["li"]), group).json()["id"] == body["id"]  # a retry
    got = api_for(people["wang"]).get(body["file"]["url"])
    assert got["Content-Type"] == "audio/webm" and b"".join(got.streaming_content) == WEBM
    page = client_for(people["wang"]).get(f"/apps/chat/{group.pk}/").content.decode()
    assert f'<audio controls preload="none" src="/api/chat/messages/{body["id"]}/file"></audio>' in page
    assert '<span class="chat-duration">12″</span>' in page
    safari = _voice(api_for(people["wang"]), group, M4A, "语音.m4a", 900, "v2", "audio/mp4").json()
    assert (safari["file"]["kind"], safari["duration_ms"]) == ("m4a", 900)


@pytest.mark.parametrize("duration", [0, 60_001, -5])
def test_a_voice_message_longer_than_a_minute_or_of_no_length_is_refused(api_for: Any, people: dict[str, Any],
                                                                         group: Conversation, duration: int) -> None:
    refused = _voice(api_for(people["li"]), group, duration=duration)
    assert refused.status_code == 422 and "duration_ms" in refused.json()["fields"]
    assert not Message.objects.exists()


def test_a_file_that_is_not_audio_is_refused_as_a_voice_message(api_for: Any, people: dict[str, Any], group: Conversation) -> None:
    renamed = _voice(api_for(people["li"]), group, _png(10, 10), "语音.webm")
    assert renamed.status_code == 422 and renamed.json()["fields"]["file"]
    text = _voice(api_for(people["li"]), group, "录音".encode(), "语音.txt", client_id="v3")
    assert text.status_code == 422 and text.json()["fields"]["file"]
    assert _voice(api_for(people["zhao"]), group, client_id="v4").status_code == 404
    assert not Message.objects.exists()


# --- forward -------------------------------------------------------------------------------------


def test_forward_copies_a_message_to_my_conversations_once_per_target(api_for: Any, people: dict[str, Any],
                                                                      group: Conversation) -> None:
    original = say(people["zhang"], group, "@李四 明早八点集合")
    direct = services.open_direct(acting_user=people["li"], other_id=people["zhao"].pk)
    other = services.create_group(acting_user=people["li"], title="值班组", member_ids=[people["zhao"].pk])
    body = {"targets": [{"conversation": direct.pk, "client_msg_id": "fw-1"}, {"conversation": other.pk, "client_msg_id": "fw-2"}]}
    sent = _post(api_for(people["li"]), f"/api/chat/messages/{original.pk}/forward", body)
    assert sent.status_code == 201
    copies = sent.json()
    assert [c["conversation"] for c in copies] == [direct.pk, other.pk]
    assert all(c["text"] == "@李四 明早八点集合" and c["mentions"] == [] and c["sender_name"] == "李四" for c in copies)
    assert copies[0]["forwarded_from"] == {"sender": people["zhang"].pk, "sender_name": "张三"}
    again = _post(api_for(people["li"]), f"/api/chat/messages/{original.pk}/forward", body)
    assert [c["id"] for c in again.json()] == [c["id"] for c in copies] and Message.objects.count() == 3
    assert Event.objects.filter(user=people["zhao"], kind="chat.message", payload__message__forwarded_from__sender_name="张三").count() == 2
    assert AuditRecord.objects.filter(action="chat.forwarded").count() == 1
    # 赵六 forwards the copy on: the first sender is still 张三.
    onward = features.forward(acting_user=people["zhao"], message_id=copies[0]["id"], targets=[(other.pk, "fw-3")])
    assert onward[0].forwarded_sender == people["zhang"]


def test_a_file_and_a_voice_message_are_forwarded_with_their_content(people: dict[str, Any], group: Conversation) -> None:
    voice = features.send_voice(acting_user=people["li"], conversation_id=group.pk, client_msg_id="v", duration_ms=5000,
                                upload=SimpleUploadedFile("语音.webm", WEBM, "audio/webm"))
    direct = services.open_direct(acting_user=people["wang"], other_id=people["zhao"].pk)
    (copy,) = features.forward(acting_user=people["wang"], message_id=voice.pk, targets=[(direct.pk, "fw-v")])
    assert (copy.kind, copy.duration_ms, copy.file_id) == ("voice", 5000, voice.file_id)
    assert services.message_file(people["zhao"], copy.pk) == voice.file


def test_forward_refuses_a_recalled_message_and_a_conversation_i_may_not_post_to(api_for: Any, people: dict[str, Any],
                                                                                 group: Conversation) -> None:
    message = say(people["li"], group, "稍后撤回")
    direct = services.open_direct(acting_user=people["li"], other_id=people["zhao"].pk)
    left = services.create_group(acting_user=people["zhang"], title="已退出的群", member_ids=[people["li"].pk])
    services.remove_member(acting_user=people["zhang"], conversation_id=left.pk, person_id=people["li"].pk)
    foreign = services.create_group(acting_user=people["zhao"], title="别人的群", member_ids=[people["wang"].pk])
    url = f"/api/chat/messages/{message.pk}/forward"
    client = api_for(people["li"])

    def forward(*targets: int) -> Any:
        return _post(client, url, {"targets": [{"conversation": pk, "client_msg_id": f"x{pk}"} for pk in targets]})

    assert forward(direct.pk, left.pk).status_code == 403  # removed from it: nothing is forwarded, not even to direct
    twice = _post(client, url, {"targets": [{"conversation": direct.pk, "client_msg_id": "a"},
                                            {"conversation": direct.pk, "client_msg_id": "b"}]})
    assert twice.status_code == 422 and "targets" in twice.json()["fields"]
    assert forward(foreign.pk).status_code == 404
    assert Message.objects.filter(forwarded_from=message).count() == 0
    services.recall(acting_user=people["li"], message_id=message.pk)
    recalled = forward(direct.pk)
    assert recalled.status_code == 422 and recalled.json()["error"] == "recalled"
    assert _post(api_for(people["zhao"]), url, {"targets": [{"conversation": direct.pk, "client_msg_id": "z"}]}).status_code == 404


# --- pin -----------------------------------------------------------------------------------------


def test_owner_and_admins_pin_and_every_member_sees_the_pins(api_for: Any, client_for: Any, people: dict[str, Any],
                                                              group: Conversation) -> None:
    notice = say(people["li"], group, "本周值班表已更新")
    pinned = api_for(people["zhang"]).post(f"/api/chat/messages/{notice.pk}/pin")
    assert pinned.status_code == 200 and [m["text"] for m in pinned.json()] == ["本周值班表已更新"]
    assert [m["id"] for m in api_for(people["wang"]).get(f"/api/chat/conversations/{group.pk}/pins").json()] == [notice.pk]
    assert Event.objects.filter(user=people["wang"], kind="chat.pins", payload__pinned=True).exists()
    assert AuditRecord.objects.filter(action="chat.pinned", actor_id=people["zhang"].pk).exists()
    page = client_for(people["wang"]).get(f"/apps/chat/{group.pk}/").content.decode()
    assert 'id="chat-pins"' in page and "本周值班表已更新" in page.split('id="chat-pins"')[1].split("</section>")[0]
    member = api_for(people["li"]).post(f"/api/chat/messages/{notice.pk}/pin")
    assert member.status_code == 403
    assert api_for(people["zhao"]).post(f"/api/chat/messages/{notice.pk}/pin").status_code == 404
    unpinned = api_for(people["zhang"]).delete(f"/api/chat/messages/{notice.pk}/pin")
    assert unpinned.json() == [] and AuditRecord.objects.filter(action="chat.unpinned").exists()


def test_either_person_pins_in_a_direct_conversation_and_a_removed_member_cannot(people: dict[str, Any],
                                                                                 group: Conversation) -> None:
    direct = services.open_direct(acting_user=people["li"], other_id=people["wang"].pk)
    message = say(people["li"], direct, "合同原件在我这")
    assert [m.pk for m in features.pin(acting_user=people["wang"], message_id=message.pk, pinned=True)] == [message.pk]
    services.add_members(acting_user=people["zhang"], conversation_id=group.pk, member_ids=[people["zhao"].pk])
    # 李四 is made an administrator, pins, and is then removed.
    Member.objects.filter(conversation=group, person=people["li"]).update(role=Member.Role.ADMIN)
    earlier = say(people["wang"], group, "会议改到三楼")
    assert features.pin(acting_user=people["li"], message_id=earlier.pk, pinned=True)
    services.remove_member(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["li"].pk)
    with pytest.raises(Forbidden):
        features.pin(acting_user=people["li"], message_id=earlier.pk, pinned=False)
    assert Pin.objects.filter(message=earlier).exists()


def test_a_conversation_holds_at_most_ten_pins(people: dict[str, Any], group: Conversation) -> None:
    messages = [say(people["zhang"], group, f"要点{n}") for n in range(features.MAX_PINS + 1)]
    for message in messages[:-1]:
        features.pin(acting_user=people["zhang"], message_id=message.pk, pinned=True)
    with pytest.raises(ServiceError) as refused:
        features.pin(acting_user=people["zhang"], message_id=messages[-1].pk, pinned=True)
    assert refused.value.code == "too_many_pins" and Pin.objects.count() == features.MAX_PINS


# --- star ----------------------------------------------------------------------------------------


def test_star_is_mine_alone_and_lists_what_i_can_still_see(api_for: Any, client_for: Any, people: dict[str, Any],
                                                            group: Conversation) -> None:
    before = say(people["zhang"], group, "防汛物资清单")
    li = api_for(people["li"])
    assert li.post(f"/api/chat/messages/{before.pk}/star").json() == {"message": before.pk, "starred": True}
    assert li.post(f"/api/chat/messages/{before.pk}/star").status_code == 200 and Star.objects.count() == 1
    assert Event.objects.filter(user=people["li"], kind="chat.starred").count() == 1
    assert api_for(people["wang"]).get("/api/chat/starred").json() == {"items": [], "next_cursor": None}
    services.remove_member(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["li"].pk)
    after = say(people["zhang"], group, "移出后的消息")
    assert li.post(f"/api/chat/messages/{after.pk}/star").status_code == 404  # sent after my removal: I never saw it
    old = say(people["wang"], group, "补充说明")  # also after the removal
    with pytest.raises(NotFound):
        features.star(acting_user=people["li"], message_id=old.pk, starred=True)
    listed = li.get("/api/chat/starred").json()
    assert [(s["conversation_title"], s["message"]["text"]) for s in listed["items"]] == [("防汛工作群", "防汛物资清单")]
    page = client_for(people["li"]).get("/apps/chat/starred/").content.decode()
    assert "防汛物资清单" in page and "防汛工作群" in page
    assert li.delete(f"/api/chat/messages/{before.pk}/star").json()["starred"] is False
    assert li.get("/api/chat/starred").json()["items"] == [] and AuditRecord.objects.filter(action="chat.unstarred").exists()


def test_a_removed_member_stars_what_was_sent_before_the_removal(people: dict[str, Any], group: Conversation) -> None:
    message = say(people["zhang"], group, "移出前的消息")
    services.remove_member(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["wang"].pk)
    assert features.star(acting_user=people["wang"], message_id=message.pk, starred=True) is True
    assert features.starred_messages(people["wang"]) == [message]


def test_the_starred_list_comes_a_page_at_a_time(api_for: Any, client_for: Any, people: dict[str, Any], group: Conversation) -> None:
    messages = [say(people["zhang"], group, f"收藏消息{n:02d}") for n in range(25)]
    for message in messages:
        features.star(acting_user=people["li"], message_id=message.pk, starred=True)
    # One I can no longer see (a conversation whose history starts after my joining) is skipped, not counted.
    hidden = services.create_group(acting_user=people["zhang"], title="后加入群", member_ids=[people["li"].pk], history_from_join=True)
    old = say(people["zhang"], hidden, "加入前")
    features.star(acting_user=people["zhang"], message_id=old.pk, starred=True)
    li = api_for(people["li"])
    first = li.get("/api/chat/starred", {"limit": 10}).json()
    assert [s["message"]["text"] for s in first["items"]] == [f"收藏消息{n:02d}" for n in range(24, 14, -1)]
    second = li.get("/api/chat/starred", {"limit": 10, "cursor": first["next_cursor"]}).json()
    third = li.get("/api/chat/starred", {"limit": 10, "cursor": second["next_cursor"]}).json()
    assert [s["message"]["text"] for s in second["items"] + third["items"]] == [f"收藏消息{n:02d}" for n in range(14, -1, -1)]
    assert third["next_cursor"] is None and len(third["items"]) == 5
    assert li.get("/api/chat/starred", {"cursor": "x"}).status_code == 422
    # The page shows the newest 20 and a link to the rest (which the page's script appends).
    browser = client_for(people["li"])
    page = browser.get("/apps/chat/starred/")
    html = page.content.decode()
    assert html.count('<li class="chat-message') == features.STARRED_PAGE and "收藏消息24" in html and "收藏消息04" not in html
    more = re.search(r'id="chat-starred-more" href="\?cursor=(\d+)"', html)
    assert more is not None
    rest = browser.get("/apps/chat/starred/", {"cursor": more.group(1)}).content.decode()
    assert rest.count('<li class="chat-message') == 5 and "收藏消息04" in rest and "收藏消息00" in rest
    assert 'id="chat-starred-more"' not in rest and "chat-empty" not in rest
    assert browser.get("/apps/chat/starred/", {"cursor": "-3"}).status_code == 200  # a bad cursor: the first page


# --- 加急 ----------------------------------------------------------------------------------------


def _urgent_notices(person: Any) -> int:
    return NoticeRecipient.objects.filter(user=person, category="chat", notice__priority="urgent").count()


def test_urgent_notifies_the_unread_and_reminds_them_until_they_read(api_for: Any, client_for: Any, people: dict[str, Any],
                                                                     group: Conversation, settings: Any) -> None:
    settings.CHAT_URGENT_REMIND_MINUTES = 5
    message = say(people["zhang"], group, "十分钟内回复汛情")
    services.mark_read(acting_user=people["wang"], conversation_id=group.pk, seq=message.seq)
    marked = api_for(people["zhang"]).post(f"/api/chat/messages/{message.pk}/urgent")
    assert marked.status_code == 200
    assert marked.json()["people"] == [{"id": people["li"].pk, "name": "李四", "confirmed": False, "reminded": 0}]
    assert (_urgent_notices(people["li"]), _urgent_notices(people["wang"])) == (1, 0)
    assert AuditRecord.objects.filter(action="chat.urgent").exists()
    page = client_for(people["zhang"]).get(f"/apps/chat/{group.pk}/").content.decode()
    assert '<span class="chat-urgent">加急</span> <span class="chat-unconfirmed muted small">1 人未确认</span>' in page
    now = timezone.now()
    assert reminders.remind_due(now + timedelta(minutes=4)) == 0
    assert reminders.remind_due(now + timedelta(minutes=6)) == 1
    assert reminders.remind_due(now + timedelta(minutes=7)) == 0  # the next one is five minutes later
    assert _urgent_notices(people["li"]) == 2
    services.mark_read(acting_user=people["li"], conversation_id=group.pk, seq=message.seq)
    assert reminders.remind_due(now + timedelta(minutes=12)) == 0
    assert _urgent_notices(people["li"]) == 2 and Reminder.objects.get().done_at is not None
    state = api_for(people["zhang"]).get(f"/api/chat/messages/{message.pk}/urgent").json()
    assert state["unconfirmed"] == 0 and state["people"][0]["confirmed"] is True and state["people"][0]["reminded"] == 1


def test_reminders_stop_after_the_bound(people: dict[str, Any], group: Conversation) -> None:
    message = say(people["zhang"], group, "请确认")
    features.mark_urgent(acting_user=people["zhang"], message_id=message.pk)
    now = timezone.now()
    sent = [reminders.remind_due(now + timedelta(minutes=6 * n)) for n in range(1, 7)]
    assert sent == [2, 2, 2, 0, 0, 0]  # 李四 and 王五, three reminders each
    assert _urgent_notices(people["li"]) == 1 + features.REMINDERS


def test_two_workers_send_each_reminder_once(people: dict[str, Any], group: Conversation) -> None:
    message = say(people["zhang"], group, "请确认")
    features.mark_urgent(acting_user=people["zhang"], message_id=message.pk)
    later = timezone.now() + timedelta(minutes=6)
    stale = list(Reminder.objects.select_related("message__sender", "person"))  # a second worker read the due rows too
    assert reminders.remind_due(later) == 2
    assert [reminders.remind(reminder, later) for reminder in stale] == [False, False]  # its claims change nothing
    assert _urgent_notices(people["li"]) == 2 and set(Reminder.objects.values_list("sent", flat=True)) == {1}


def test_only_the_sender_marks_urgent_where_they_may_post_and_within_the_daily_limit(api_for: Any, people: dict[str, Any],
                                                                                     group: Conversation, settings: Any) -> None:
    settings.CHAT_URGENT_PER_DAY = 2
    first, second, third = (say(people["li"], group, f"急{n}") for n in range(3))
    assert api_for(people["zhang"]).post(f"/api/chat/messages/{first.pk}/urgent").status_code == 403
    assert api_for(people["zhao"]).post(f"/api/chat/messages/{first.pk}/urgent").status_code == 404
    assert api_for(people["zhang"]).get(f"/api/chat/messages/{first.pk}/urgent").status_code == 403
    features.mark_urgent(acting_user=people["li"], message_id=first.pk)
    features.mark_urgent(acting_user=people["li"], message_id=first.pk)  # again: already urgent, not counted
    features.mark_urgent(acting_user=people["li"], message_id=second.pk)
    limited = api_for(people["li"]).post(f"/api/chat/messages/{third.pk}/urgent")
    assert limited.status_code == 422 and limited.json()["error"] == "too_many_urgent"
    before_removal = say(people["wang"], group, "王五的消息")
    services.remove_member(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["wang"].pk)
    assert api_for(people["wang"]).post(f"/api/chat/messages/{before_removal.pk}/urgent").status_code == 403
    assert Message.objects.filter(urgent_at__isnull=False).count() == 2


def test_the_worker_runs_the_reminders_from_the_chat_manifest(people: dict[str, Any], group: Conversation) -> None:
    from zhengtong import worker

    message = say(people["zhang"], group, "请确认")
    features.mark_urgent(acting_user=people["zhang"], message_id=message.pk)
    assert dict(worker.jobs())["chat urgent reminders"] is reminders.remind_due
    assert worker.run_once(timezone.now() + timedelta(minutes=6))["chat urgent reminders"] == 2
