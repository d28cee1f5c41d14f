"""Searching my messages: Chinese words inside sentences, only what I may read, the hit opened in its conversation."""

from __future__ import annotations

import re
from typing import Any

from zhengtong.apps.chat import search, services
from zhengtong.apps.chat.models import Conversation, Message
from zhengtong.apps.chat.tests.conftest import say
from zhengtong.platform.search.models import Entry


def _texts(user: Any, query: str, conversation: Conversation | None = None) -> list[str]:
    return [message.text for message in search.find(user, query, conversation=conversation)]


def test_a_word_inside_a_longer_chinese_sentence_is_found(people: dict[str, Any], group: Conversation) -> None:
    say(people["zhang"], group, "请各单位今晚做好防汛准备工作")
    say(people["wang"], group, "抗旱物资已到位")
    assert _texts(people["li"], "防汛") == ["请各单位今晚做好防汛准备工作"]
    assert _texts(people["li"], "防汛 准备") == ["请各单位今晚做好防汛准备工作"]
    assert _texts(people["li"], "防汛 物资") == []
    assert _texts(people["li"], "物资") == ["抗旱物资已到位"]
    assert _texts(people["li"], "的") == []  # a function word alone asks for nothing


def test_only_my_conversations_are_searched(people: dict[str, Any], group: Conversation, api_for: Any) -> None:
    say(people["zhang"], group, "防汛值班安排")
    direct = services.open_direct(acting_user=people["zhao"], other_id=people["wang"].pk)
    say(people["zhao"], direct, "防汛物资清单")
    assert _texts(people["zhao"], "防汛") == ["防汛物资清单"]
    assert sorted(_texts(people["wang"], "防汛")) == ["防汛值班安排", "防汛物资清单"]
    assert _texts(people["li"], "防汛") == ["防汛值班安排"]
    # Within one conversation: a stranger is told it does not exist.
    stranger = api_for(people["zhao"]).get("/api/chat/search", {"q": "防汛", "conversation": group.pk})
    assert stranger.status_code == 404 and stranger.json()["error"] == "not_found"
    within = api_for(people["wang"]).get("/api/chat/search", {"q": "防汛", "conversation": direct.pk}).json()
    assert [hit["message"]["text"] for hit in within] == ["防汛物资清单"]


def test_a_group_showing_history_from_joining_hides_earlier_hits(people: dict[str, Any]) -> None:
    group = services.create_group(acting_user=people["zhang"], title="值班群", member_ids=[people["li"].pk], history_from_join=True)
    say(people["zhang"], group, "加入前的防汛通知")
    services.add_members(acting_user=people["zhang"], conversation_id=group.pk, member_ids=[people["zhao"].pk])
    say(people["zhang"], group, "加入后的防汛通知")
    assert _texts(people["zhao"], "防汛") == ["加入后的防汛通知"]
    assert _texts(people["zhao"], "防汛", group) == ["加入后的防汛通知"]
    assert _texts(people["li"], "防汛") == ["加入后的防汛通知", "加入前的防汛通知"]


def test_after_removal_only_what_came_before(people: dict[str, Any], group: Conversation) -> None:
    say(people["zhang"], group, "移出前的防汛部署")
    services.remove_member(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["li"].pk)
    say(people["zhang"], group, "移出后的防汛部署")
    assert _texts(people["li"], "防汛") == ["移出前的防汛部署"]
    assert _texts(people["wang"], "防汛") == ["移出后的防汛部署", "移出前的防汛部署"]


def test_a_recalled_message_leaves_the_index(people: dict[str, Any], group: Conversation) -> None:
    message = say(people["li"], group, "发错了的防汛名单")
    assert _texts(people["wang"], "名单") == ["发错了的防汛名单"]
    services.recall(acting_user=people["li"], message_id=message.pk)
    assert _texts(people["wang"], "名单") == [] and _texts(people["li"], "名单") == []
    assert not Entry.objects.filter(kind=search.SEARCH_KIND, object_id=message.pk).exists()


def test_hits_are_highlighted_and_escaped() -> None:
    text = "<b>防汛</b>：做好防汛准备，ＧＢ／Ｔ 9704"
    assert search.hits(text, "防汛") == [(3, 5), (12, 14)]
    assert search.highlighted(text, "防汛 gb/t") == ("&lt;b&gt;<mark>防汛</mark>&lt;/b&gt;：做好<mark>防汛</mark>准备，"
                                                 "<mark>ＧＢ</mark>／<mark>Ｔ</mark> 9704")


def test_the_api_gives_hits_with_their_place_and_a_link(api_for: Any, people: dict[str, Any], group: Conversation) -> None:
    for n in range(1, 4):
        say(people["zhang"], group, f"第{n}条例行消息")
    hit = say(people["wang"], group, "明天上午防汛会商")
    (found,) = api_for(people["li"]).get("/api/chat/search", {"q": "防汛会商"}).json()
    assert found["message"]["id"] == hit.pk and found["conversation_title"] == "防汛工作群"
    assert [found["message"]["text"][start:end] for start, end in found["highlights"]] == ["防汛会商"]
    assert found["url"] == f"/apps/chat/{group.pk}/?around={hit.seq}&q=%E9%98%B2%E6%B1%9B%E4%BC%9A%E5%95%86#m{hit.seq}"
    assert api_for(people["li"]).get("/api/chat/search", {"q": ""}).status_code == 422


def test_a_conversation_opens_around_a_message(api_for: Any, client_for: Any, people: dict[str, Any], group: Conversation) -> None:
    for n in range(1, 121):
        say(people["zhang"], group, f"消息{n}" if n != 30 else "第三十条提到防汛")
    around = api_for(people["li"]).get(f"/api/chat/conversations/{group.pk}/around", {"seq": 30, "limit": 10}).json()
    assert [m["seq"] for m in around["items"]] == list(range(25, 35))
    assert (around["before_cursor"], around["after_cursor"]) == ("25", "34")
    page = client_for(people["li"]).get(f"/apps/chat/{group.pk}/", {"around": 30, "q": "防汛"})
    html = page.content.decode()
    seqs = [int(seq) for seq in re.findall(r'id="m(\d+)"', html)]
    assert 30 in seqs and max(seqs) < 120 and len(seqs) == 50
    assert re.search(r'class="chat-message hit" id="m30"', html) and "第三十条提到<mark>防汛</mark>" in html
    assert 'id="chat-newer"' in html and 'id="chat-more"' in html and page.context["state"]["newer"] is True
    latest = client_for(people["li"]).get(f"/apps/chat/{group.pk}/").content.decode()
    assert 'id="chat-newer"' not in latest and " hit" not in latest


def test_the_search_pages(client_for: Any, people: dict[str, Any], group: Conversation) -> None:
    hit = say(people["zhang"], group, "周五前报送防汛总结")
    direct = services.open_direct(acting_user=people["li"], other_id=people["wang"].pk)
    say(people["wang"], direct, "防汛总结我来写")
    li = client_for(people["li"])
    assert 'id="chat-search-q"' in li.get("/apps/chat/").content.decode()
    mine = li.get("/apps/chat/search/", {"q": "防汛总结"})
    html = mine.content.decode()
    assert mine.status_code == 200 and html.count('class="chat-item chat-result"') == 2
    assert "报送<mark>防汛总结</mark>" in html and "防汛工作群 · 张三" in html
    assert f'href="/apps/chat/{group.pk}/?around={hit.seq}&amp;q=' in html
    within = li.get(f"/apps/chat/{group.pk}/search/", {"q": "防汛总结"}).content.decode()
    assert within.count('class="chat-item chat-result"') == 1 and "周五前报送" in within
    assert f'action="/apps/chat/{group.pk}/search/"' in li.get(f"/apps/chat/{group.pk}/").content.decode()
    assert client_for(people["zhao"]).get(f"/apps/chat/{group.pk}/search/", {"q": "防汛"}).status_code == 404
    stranger = client_for(people["zhao"]).get("/apps/chat/search/", {"q": "防汛总结"}).content.decode()
    assert "没有匹配的消息" in stranger and "防汛工作群" not in stranger
    too_long = li.get("/apps/chat/search/", {"q": "x" * 101})
    assert too_long.status_code == 400 and 'class="errorlist"' in too_long.content.decode()


def test_messages_sent_before_search_existed_are_indexed_by_the_command(people: dict[str, Any], group: Conversation) -> None:
    from django.core.management import call_command

    kept, gone = say(people["zhang"], group, "早先的防汛部署"), say(people["zhang"], group, "早先的防汛名单")
    Entry.objects.filter(kind=search.SEARCH_KIND, object_id=kept.pk).delete()  # as if sent before search existed
    Message.objects.filter(pk=gone.pk).update(recalled_at=gone.created_at)  # recalled, its entry left behind
    assert _texts(people["li"], "部署") == []
    call_command("chat_reindex", verbosity=0)
    assert _texts(people["li"], "防汛") == ["早先的防汛部署"]
    assert not Entry.objects.filter(kind=search.SEARCH_KIND, object_id=gone.pk).exists()
    assert search.reindex() == 0


def test_files_and_images_are_found_by_their_file_name(people: dict[str, Any], group: Conversation, api_for: Any) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(picture, "PNG")
    table = services.send_file(acting_user=people["zhang"], conversation_id=group.pk, client_msg_id="f-duty",
                               upload=SimpleUploadedFile("防汛值班表.txt", "值班安排".encode(), "text/plain"))
    photo = services.send_file(acting_user=people["wang"], conversation_id=group.pk, client_msg_id="f-photo",
                               upload=SimpleUploadedFile("泵站现场照片.png", picture.getvalue(), "image/png"))
    assert (table.kind, photo.kind) == ("file", "image")
    say(people["li"], group, "收到")
    assert _texts(people["li"], "值班表") == ["防汛值班表.txt"]
    assert _texts(people["li"], "泵站 照片") == ["泵站现场照片.png"]
    hits = api_for(people["li"]).get("/api/chat/search", {"q": "值班表"}).json()
    assert [(h["message"]["kind"], h["message"]["file"]["name"], h["highlights"]) for h in hits] == [("file", "防汛值班表.txt", [[2, 5]])]
    assert _texts(people["zhao"], "值班表") == []  # not in the group
    # Recalled, it is not found; the reindex command brings back a file sent before files were indexed.
    services.recall(acting_user=people["wang"], message_id=photo.pk)
    assert _texts(people["li"], "照片") == []
    Entry.objects.filter(kind=search.SEARCH_KIND, object_id=table.pk).delete()
    assert search.reindex() == 1 and _texts(people["li"], "值班表") == ["防汛值班表.txt"]
