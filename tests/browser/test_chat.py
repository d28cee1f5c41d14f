"""Chat in two real browsers: a phone and a PC exchange messages; both see them arrive and the read mark change, live."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PC, PHONE


def test_two_people_chat_and_see_messages_and_read_marks_change_without_reload(visit: Any, server: Any) -> None:
    pc, phone = visit(PC), visit(PHONE)
    pc.sign_in(*server.staff())  # 周明
    phone.sign_in("wuting", server.logins["wuting"])  # 吴婷
    phone.goto("/apps/chat/")
    expect(phone.page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)

    # 周明 opens a 1:1 conversation with 吴婷 and sends a message; it shows 未读 on his side.
    pc.goto("/apps/chat/new/")
    pc.page.locator("#chat-people li", has_text="吴婷").get_by_role("button").click()
    expect(pc.page.locator(".page-title")).to_have_text("吴婷")
    expect(pc.page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)
    pc.page.fill("#chat-compose textarea", "下午三点开防汛会")
    pc.page.click("#chat-compose button[type=submit]")
    mine = pc.page.locator(".chat-message.mine", has_text="下午三点开防汛会")
    expect(mine.locator("[data-mark]")).to_have_text("未读")

    # 吴婷's list shows it unread, live; she opens it and 周明's mark turns to 已读 without a reload.
    item = phone.page.locator(".chat-item", has_text="周明")
    expect(item.locator(".chat-unread")).to_have_text("1", timeout=10_000)
    expect(item).to_contain_text("下午三点开防汛会")
    item.click()
    expect(phone.page.locator(".chat-message", has_text="下午三点开防汛会")).to_be_visible()
    expect(mine.locator("[data-mark]")).to_have_text("已读", timeout=10_000)

    # She answers (Enter sends); it arrives on his open page, once.
    phone.page.fill("#chat-compose textarea", "收到，准时参加")
    phone.page.press("#chat-compose textarea", "Enter")
    expect(pc.page.locator(".chat-message:not(.mine)", has_text="收到，准时参加")).to_have_count(1, timeout=10_000)
    expect(phone.page.locator(".chat-message.mine", has_text="收到，准时参加")).to_have_count(1)
    expect(phone.page.locator(".chat-message.mine [data-mark]")).to_have_text("已读", timeout=10_000)

    # He recalls his message within the two minutes: her open page shows 周明 撤回了一条消息.
    mine.get_by_role("button", name="撤回").click()
    expect(phone.page.locator(".chat-message.recalled")).to_have_text("周明 撤回了一条消息", timeout=10_000)
    expect(phone.page.locator(".chat-message", has_text="下午三点开防汛会")).to_have_count(0)

    # Back on her list, nothing is unread.
    phone.goto("/apps/chat/")
    expect(phone.page.locator(".chat-item", has_text="周明").locator(".chat-unread")).to_have_count(0)


HISTORY = """
from django.contrib.auth import get_user_model
from zhengtong.apps.chat import services
people = get_user_model().objects
zhou, zheng = people.get(username="zhouming"), people.get(username="zhengkai")
room = services.open_direct(acting_user=zheng, other_id=zhou.pk)
for n in range(1, 56):
    services.send(acting_user=zheng, conversation_id=room.pk, client_msg_id=f"history-{n}", text=f"汛情第{n}报")
print(room.pk)
"""


def test_earlier_messages_load_above_a_page_at_a_time(visit: Any, server: Any) -> None:
    room = server.manage("shell", "-c", HISTORY).split()[-1]
    pc = visit(PC)
    pc.sign_in(*server.staff())
    pc.goto(f"/apps/chat/{room}/")
    messages = pc.page.locator(".chat-message")
    expect(messages).to_have_count(50)
    expect(messages.first).to_contain_text("汛情第6报")
    pc.page.get_by_role("button", name="查看更早的消息").click()
    expect(messages).to_have_count(55)
    expect(messages.first).to_contain_text("汛情第1报")
    expect(pc.page.locator("#chat-more")).to_have_count(0)


def test_the_owner_adds_a_member_who_sees_the_group_join_their_list_live(visit: Any, server: Any) -> None:
    pc, phone = visit(PC), visit(PHONE)
    pc.sign_in(*server.staff())  # 周明
    phone.sign_in("wuting", server.logins["wuting"])  # 吴婷
    phone.goto("/apps/chat/")
    expect(phone.page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)
    expect(phone.page.locator(".chat-item", has_text="汛期值班协调群")).to_have_count(0)

    # 周明 makes a group with 郑凯, then adds 吴婷 from its members page (the picker narrows as he types).
    pc.goto("/apps/chat/new/")
    pc.page.fill("#id_title", "汛期值班协调群")
    pc.page.get_by_label("郑凯").check()
    pc.page.get_by_role("button", name="创建").click()
    expect(pc.page.locator(".page-title")).to_have_text("汛期值班协调群")
    pc.page.click("#chat-members-link")
    expect(pc.page.locator("#chat-member-list .chat-member")).to_have_count(2)
    expect(pc.page.locator("#chat-member-list [data-role=owner]")).to_contain_text("周明")
    pc.page.fill("#chat-people-search", "吴婷")
    expect(pc.page.locator("#chat-add-members .chat-picker label:visible")).to_have_count(1)
    pc.page.get_by_label("吴婷").check()
    pc.page.click("#chat-add-members button[type=submit]")
    expect(pc.page.locator("#chat-member-list .chat-member", has_text="吴婷")).to_have_count(1)

    # Her list shows the group without a reload; she opens its members page and sees herself a member, not an administrator.
    item = phone.page.locator(".chat-item", has_text="汛期值班协调群")
    expect(item).to_have_count(1, timeout=10_000)
    item.click()
    expect(phone.page.locator(".page-title")).to_have_text("汛期值班协调群")
    expect(phone.page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)

    # He renames the group: her open page shows the new name without a reload.
    pc.page.fill("#chat-rename input[name=title]", "汛期值班群")
    pc.page.click("#chat-rename button[type=submit]")
    expect(pc.page.locator(".page-title")).to_have_text("汛期值班群")
    expect(phone.page.locator(".page-title")).to_have_text("汛期值班群", timeout=10_000)
    phone.page.click("#chat-members-link")
    expect(phone.page.locator("#chat-member-list .chat-member", has_text="吴婷")).to_have_attribute("data-role", "member")
    expect(phone.page.locator("#chat-add-members")).to_have_count(0)
