"""Chat in two real browsers: a phone and a PC exchange messages; both see them arrive and the read mark change, live."""

from __future__ import annotations

import re
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


FEATURES = """
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from zhengtong.apps.chat import features, services
from zhengtong.platform.files.tests.audio import WEBM
people = get_user_model().objects
zhou, wu, zheng = (people.get(username=name) for name in ("zhouming", "wuting", "zhengkai"))
group = services.create_group(acting_user=zhou, title="汛期值班群", member_ids=[wu.pk, zheng.pk])
services.send(acting_user=zheng, conversation_id=group.pk, client_msg_id="feature-1", text="今晚十点水位复测")
features.send_voice(acting_user=zheng, conversation_id=group.pk, client_msg_id="feature-2", duration_ms=3400,
                    upload=SimpleUploadedFile("语音.webm", WEBM, "audio/webm"))
import io
from PIL import Image
picture = io.BytesIO()
Image.new("RGB", (1600, 1200), (30, 110, 170)).save(picture, "PNG")
services.send_file(acting_user=zheng, conversation_id=group.pk, client_msg_id="feature-3",
                   upload=SimpleUploadedFile("堤防照片.png", picture.getvalue(), "image/png"))
direct = services.open_direct(acting_user=zhou, other_id=wu.pk)
print(group.pk, direct.pk)
"""


def test_pin_forward_and_star_a_message_from_its_menu(visit: Any, server: Any) -> None:
    group, direct = server.manage("shell", "-c", FEATURES).split()[-2:]
    pc, phone = visit(PC), visit(PHONE)
    # 吴婷's phone cannot record (no MediaRecorder): the record button gives way to a clear message.
    phone.page.context.add_init_script("Object.defineProperty(window, 'MediaRecorder', { value: undefined });")
    pc.sign_in(*server.staff())  # 周明, the group's owner
    phone.sign_in("wuting", server.logins["wuting"])
    phone.goto(f"/apps/chat/{group}/")
    expect(phone.page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)
    expect(phone.page.locator("#chat-record")).to_be_hidden()
    expect(phone.page.locator("#chat-no-mic")).to_have_text("此浏览器不能录制语音消息。")
    voice = phone.page.locator(".chat-message", has=phone.page.locator("audio"))
    expect(voice.locator(".chat-duration")).to_have_text("3″")
    expect(phone.page.locator("#chat-pins")).to_be_hidden()
    # The photo shows as its thumbnail; tapping it opens the full image over the page.
    photo = phone.page.locator(".chat-image img")
    expect(photo).to_have_attribute("src", re.compile(r"/api/chat/messages/\d+/thumbnail$"))
    photo.click()
    expect(phone.page.locator("#chat-viewer img")).to_have_attribute("src", re.compile(r"/api/chat/messages/\d+/file$"))
    expect(phone.page.locator("#chat-viewer img")).to_be_visible()
    phone.page.locator("#chat-viewer img").click()
    expect(phone.page.locator("#chat-viewer")).to_be_hidden()

    # 周明 pins 郑凯's message from its menu: the pinned bar shows it on both pages, live on hers.
    pc.goto(f"/apps/chat/{group}/")
    message = pc.page.locator(".chat-message", has_text="今晚十点水位复测")
    message.get_by_role("button", name="更多").click()
    message.get_by_role("menuitem", name="置顶").click()
    expect(pc.page.locator("#chat-pins")).to_contain_text("郑凯：今晚十点水位复测")
    expect(phone.page.locator("#chat-pins")).to_contain_text("郑凯：今晚十点水位复测", timeout=10_000)

    # He forwards it to 吴婷; the copy in their 1:1 says 转发 and who first sent it.
    message.get_by_role("button", name="更多").click()
    message.get_by_role("menuitem", name="转发").click()
    pc.page.locator("#chat-forward label", has_text="吴婷").click()
    pc.page.locator("#chat-forward").get_by_role("button", name="转发").click()
    expect(message.locator(".chat-done")).to_have_text("已转发")
    phone.goto(f"/apps/chat/{direct}/")
    copy = phone.page.locator(".chat-message", has_text="今晚十点水位复测")
    expect(copy.locator(".chat-forwarded")).to_have_text("转发 · 原发送人 郑凯")

    # She stars the copy; it is on her starred page.
    copy.get_by_role("button", name="更多").click()
    copy.get_by_role("menuitem", name="收藏").click()
    expect(copy.locator(".chat-done")).to_have_text("已收藏")

    # She quotes it in her answer, and marks the answer urgent: 周明 has not read it yet.
    copy.get_by_role("button", name="更多").click()
    copy.get_by_role("menuitem", name="引用").click()
    expect(phone.page.locator("#chat-quoting")).to_contain_text("今晚十点水位复测")
    phone.page.fill("#chat-compose textarea", "收到，我去现场")
    phone.page.click("#chat-compose button[type=submit]")
    answer = phone.page.locator(".chat-message.mine", has_text="收到，我去现场")
    expect(answer.locator(".chat-quote")).to_have_text("今晚十点水位复测")
    expect(phone.page.locator("#chat-quoting")).to_have_count(0)
    answer.get_by_role("button", name="更多").click()
    answer.get_by_role("menuitem", name="加急").click()
    expect(answer.locator(".chat-done")).to_have_text("已加急：1 人未确认")
    expect(answer.locator(".chat-urgent")).to_have_text("加急")
    phone.goto("/apps/chat/starred/")
    expect(phone.page.locator("#chat-starred .chat-message")).to_have_count(1)
    expect(phone.page.locator("#chat-starred .chat-message")).to_contain_text("今晚十点水位复测")
    expect(phone.page.locator("#chat-starred .chat-forwarded")).to_have_text("转发 · 原发送人 郑凯")
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


PURGEABLE = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from zhengtong.apps.chat import services
from zhengtong.apps.chat.models import Message
people = get_user_model().objects
zhou, wu = (people.get(username=name) for name in ("zhouming", "wuting"))
room = services.create_group(acting_user=zhou, title="保留期测试群", member_ids=[wu.pk])
old = services.send(acting_user=zhou, conversation_id=room.pk, client_msg_id="purge-1", text="去年的值班表")
services.send(acting_user=wu, conversation_id=room.pk, client_msg_id="purge-2", text="今天的值班表")
Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
print(room.pk)
"""

PURGE = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from zhengtong.apps.chat import retention
admin = get_user_model().objects.get(username="sysadmin")
retention.set_policy(acting_user=admin, days=365)
print(retention.purge_expired(timezone.now()))
"""


def test_an_open_page_drops_messages_the_retention_policy_purges(visit: Any, server: Any) -> None:
    room = server.manage("shell", "-c", PURGEABLE).split()[-1]
    phone = visit(PHONE)
    phone.sign_in(*server.staff())
    phone.goto(f"/apps/chat/{room}/")
    expect(phone.page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)
    expect(phone.page.locator(".chat-message")).to_have_count(2)
    assert server.manage("shell", "-c", PURGE).split()[-1] == "1"
    expect(phone.page.locator(".chat-message", has_text="去年的值班表")).to_have_count(0, timeout=10_000)
    expect(phone.page.locator(".chat-message", has_text="今天的值班表")).to_have_count(1)


# A stand-in microphone: getUserMedia answers a silent stream, MediaRecorder hands over a WebM recording
# (the platform's sample, which the server accepts as voice), and counts the recordings started.
FAKE_MICROPHONE = """
(() => {
  const bytes = Uint8Array.from(atob("%s"), c => c.charCodeAt(0));
  window.__recordings = 0;
  navigator.mediaDevices.getUserMedia = () => Promise.resolve({ getTracks: () => [{ stop() {} }] });
  window.MediaRecorder = class {
    static isTypeSupported(type) { return type.startsWith("audio/webm"); }
    constructor() { this.state = "inactive"; this.listeners = {}; }
    addEventListener(kind, listener) { (this.listeners[kind] = this.listeners[kind] || []).push(listener); }
    start() { this.state = "recording"; window.__recordings += 1; }
    stop() {
      this.state = "inactive";
      (this.listeners.dataavailable || []).forEach(l => l({ data: new Blob([bytes], { type: "audio/webm" }) }));
      (this.listeners.stop || []).forEach(l => l());
    }
  };
})();
"""


def _fake_microphone(device: Any) -> None:
    import base64

    from zhengtong.platform.files.tests.audio import WEBM

    device.page.context.add_init_script(FAKE_MICROPHONE % base64.b64encode(WEBM).decode())


VOICE_ROOM = """
from django.contrib.auth import get_user_model
from zhengtong.apps.chat import services
people = get_user_model().objects
zhou, wu = (people.get(username=name) for name in ("zhouming", "wuting"))
print(services.create_group(acting_user=zhou, title="语音测试群", member_ids=[wu.pk]).pk)
"""


def test_on_the_phone_voice_is_hold_to_talk_and_on_the_pc_a_toggle(visit: Any, server: Any) -> None:
    room = server.manage("shell", "-c", VOICE_ROOM).split()[-1]
    phone = visit(PHONE, has_touch=True, is_mobile=True)
    _fake_microphone(phone)
    phone.sign_in(*server.staff())
    phone.goto(f"/apps/chat/{room}/")
    record, voices = phone.page.locator("#chat-record"), phone.page.locator(".chat-message .chat-voice")
    expect(record).to_have_attribute("data-mode", "hold")
    expect(record).to_have_text("按住 说话")

    def press() -> tuple[float, float]:  # the thumb on the button (it moves down as messages arrive above it)
        box = record.bounding_box()
        assert box is not None
        middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        phone.page.mouse.move(*middle)
        phone.page.mouse.down()
        return middle

    # Held and let go on the button: sent, with its length.
    press()
    expect(record).to_have_attribute("data-state", "recording")
    expect(record).to_have_text("松开 发送")
    expect(phone.page.locator("#chat-timer")).to_be_visible()
    phone.page.wait_for_timeout(1300)
    phone.page.mouse.up()
    expect(voices).to_have_count(1)
    expect(voices.first.locator(".chat-duration")).to_have_text(re.compile(r"^[12]″$"))
    expect(record).to_have_attribute("data-state", "idle")

    # Slid off the button before letting go: cancelled, nothing sent.
    middle = press()
    expect(record).to_have_attribute("data-state", "recording")
    phone.page.wait_for_timeout(800)
    phone.page.mouse.move(middle[0], middle[1] - 200)
    expect(record).to_have_attribute("data-state", "cancelling")
    expect(record).to_have_text("松开手指，取消发送")
    phone.page.mouse.up()
    expect(record).to_have_attribute("data-state", "idle")

    # A tap is too short: nothing sent, and it says to hold.
    press()
    phone.page.mouse.up()
    expect(phone.page.locator("#chat-voice-hint")).to_have_text("说话时间太短：请按住按钮说话。")
    assert phone.page.evaluate("window.__recordings") == 3
    phone.page.reload()
    expect(voices).to_have_count(1)

    # On the PC a click starts and a click sends.
    pc = visit(PC)
    _fake_microphone(pc)
    pc.sign_in(*server.staff())
    pc.goto(f"/apps/chat/{room}/")
    record = pc.page.locator("#chat-record")
    expect(record).to_have_attribute("data-mode", "tap")
    record.click()
    expect(record).to_have_text("停止并发送")
    pc.page.wait_for_timeout(300)
    record.click()
    expect(pc.page.locator(".chat-message .chat-voice")).to_have_count(2)
    expect(record).to_have_text("录制语音")


STARRED = """
from django.contrib.auth import get_user_model
from zhengtong.apps.chat import features, services
people = get_user_model().objects
zhou, wu = (people.get(username=name) for name in ("zhouming", "wuting"))
room = services.create_group(acting_user=wu, title="收藏测试群", member_ids=[zhou.pk])
for n in range(25):
    message = services.send(acting_user=wu, conversation_id=room.pk, client_msg_id=f"star-{n}", text=f"要点第{n + 1}条")
    features.star(acting_user=zhou, message_id=message.pk, starred=True)
"""


def test_the_starred_page_loads_more_in_place(visit: Any, server: Any) -> None:
    server.manage("shell", "-c", STARRED)
    phone = visit(PHONE)
    phone.sign_in(*server.staff())
    phone.goto("/apps/chat/starred/")
    starred = phone.page.locator("#chat-starred > .chat-message")
    expect(starred).to_have_count(20)
    expect(starred.first).to_contain_text("要点第25条")
    phone.page.get_by_role("link", name="加载更多").click()
    expect(starred).to_have_count(25)
    expect(starred.last).to_contain_text("要点第1条")
    expect(phone.page.locator("#chat-starred-more")).to_have_count(0)
    assert phone.page.url.endswith("/apps/chat/starred/")  # appended, not another page
