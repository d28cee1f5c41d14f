"""Searching chat in real browsers: on a phone across all my conversations, on a PC within one; a hit opens
its conversation around the message, marked, with the earlier and the latest messages a tap away."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PC, PHONE

HISTORY = """
from django.contrib.auth import get_user_model
from zhengtong.apps.chat import services
people = get_user_model().objects
wu, zheng = people.get(username="wuting"), people.get(username="zhengkai")
room = services.open_direct(acting_user=zheng, other_id=wu.pk)
for n in range(1, 121):
    text = "第30报：请核对堤防巡查台账" if n == 30 else f"巡查日报{n}"
    services.send(acting_user=zheng, conversation_id=room.pk, client_msg_id=f"search-{n}", text=text)
print(room.pk)
"""


def _fits(page: Any, viewport: dict[str, int]) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} is {width}px wide on a {viewport['width']}px screen"


def test_a_phone_finds_a_word_in_a_sentence_and_opens_it_in_place(visit: Any, server: Any) -> None:
    room = server.manage("shell", "-c", HISTORY).split()[-1]
    phone = visit(PHONE)
    phone.sign_in("wuting", server.logins["wuting"])
    phone.goto("/apps/chat/")
    phone.page.fill("#chat-search-q", "台账")
    phone.page.press("#chat-search-q", "Enter")
    result = phone.page.locator(".chat-result")
    expect(result).to_have_count(1)
    expect(result.locator("mark")).to_have_text("台账")
    _fits(phone.page, PHONE)
    result.click()
    hit = phone.page.locator(".chat-message.hit")
    expect(hit).to_contain_text("第30报")
    expect(hit.locator("mark")).to_have_text("台账")
    expect(hit).to_be_in_viewport()
    expect(phone.page.locator("#chat-more")).to_be_visible()
    _fits(phone.page, PHONE)
    phone.page.click("#chat-newer")
    expect(phone.page.locator(".chat-message").last).to_contain_text("巡查日报120")

    # On a PC, within the conversation: the same words, the same message.
    pc = visit(PC)
    pc.sign_in("wuting", server.logins["wuting"])
    pc.goto(f"/apps/chat/{room}/")
    pc.page.fill("#chat-search-q", "堤防 巡查")
    pc.page.click(".chat-search button")
    expect(pc.page.locator(".chat-result")).to_have_count(1)
    expect(pc.page.locator(".page-title")).to_contain_text("郑凯")
