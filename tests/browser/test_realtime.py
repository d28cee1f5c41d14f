"""Live updates in a real browser: an event stored by another process reaches an open 工作台 page."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PC, PHONE

LISTEN = "window.ztSeen = []; document.addEventListener('zt:event', (e) => window.ztSeen.push(e.detail));"
SEEN = "window.ztSeen.filter((frame) => frame.id).map((frame) => frame.kind + ':' + (frame.title || ''))"
# What a service in another process (the background worker, another server) does for this person.
PUBLISH = """
from django.contrib.auth import get_user_model
from zhengtong.platform.notices import stream
person = get_user_model().objects.get(username="zhouming")
stream.publish([person.pk], "todo.changed", {{"title": "{title}"}})
stream.publish([person.pk], "badge", {{"counts": {{"messages": {messages}, "todo": {todo}}}}})
"""


def test_an_event_for_me_updates_my_open_workbench_on_phone_and_pc_without_reload(visit: Any, server: Any) -> None:
    devices = [visit(PHONE), visit(PC)]
    for device in devices:
        device.page.add_init_script(LISTEN)
        device.sign_in(*server.staff())
        device.goto("/")
        expect(device.page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)

    server.manage("shell", "-c", PUBLISH.format(title="请审批：采购申请", messages=3, todo=7))
    for device, tabs in zip(devices, (".bottom-tabs", ".side-menu"), strict=True):
        page = device.page
        expect(page.locator(f"{tabs} [data-tab=home] .tab-badge")).to_have_text("7", timeout=10_000)
        expect(page.locator(f"{tabs} [data-tab=messages] .tab-badge")).to_have_text("3")
        assert page.evaluate(SEEN) == ["todo.changed:请审批：采购申请", "badge:"]

    # Read on the phone: the counts fall to zero and the PC's badges clear too.
    server.manage("shell", "-c", PUBLISH.format(title="已读", messages=0, todo=0))
    for device, tabs in zip(devices, (".bottom-tabs", ".side-menu"), strict=True):
        expect(device.page.locator(f"{tabs} [data-tab=home] .tab-badge")).to_be_hidden(timeout=10_000)
        expect(device.page.locator(f"{tabs} [data-tab=messages] .tab-badge")).to_be_hidden()


def test_a_tab_that_was_away_gets_what_it_missed_once_when_it_comes_back(visit: Any, server: Any) -> None:
    device = visit(PC)
    page = device.page
    page.add_init_script(LISTEN)
    device.sign_in(*server.staff())
    device.goto("/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)
    page.goto("about:blank")
    server.manage("shell", "-c", PUBLISH.format(title="离开期间的待办", messages=1, todo=2))
    device.goto("/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)
    page.wait_for_function("window.ztSeen.some((frame) => frame.type === 'badges')")
    assert page.evaluate(SEEN) == ["todo.changed:离开期间的待办", "badge:"]


def test_when_the_websocket_cannot_connect_the_page_polls_and_its_badges_still_follow(visit: Any, server: Any) -> None:
    device = visit(PC)
    page = device.page
    page.add_init_script(LISTEN)
    # A proxy that does not pass WebSockets: every attempt is closed before it opens.
    page.context.route_web_socket(re.compile(r"/ws/events/"), lambda socket: socket.close(code=1011))
    device.sign_in(*server.staff())
    device.goto("/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "polling", timeout=10_000)

    server.manage("shell", "-c", PUBLISH.format(title="轮询送达的待办", messages=5, todo=4))
    # The shell polls /api/events every 15 s while it cannot connect.
    expect(page.locator(".side-menu [data-tab=home] .tab-badge")).to_have_text("4", timeout=25_000)
    expect(page.locator(".side-menu [data-tab=messages] .tab-badge")).to_have_text("5")
    assert page.evaluate(SEEN) == ["todo.changed:轮询送达的待办", "badge:"]
    expect(page.locator("#live-status")).to_have_attribute("data-state", "polling")
