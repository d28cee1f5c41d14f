"""The shell in a real browser: phone and PC layouts, the five tabs, live status, language, work news."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PC, PHONE

TABS = {"home": "/", "messages": "/messages/", "apps": "/apps/", "directory": "/contacts/", "me": "/me/"}


def test_phone_shows_bottom_tabs_and_every_tab_opens(visit: Any, server: Any) -> None:
    phone = visit(PHONE)
    phone.sign_in(*server.staff())
    page = phone.page
    expect(page.locator(".bottom-tabs")).to_be_visible()
    expect(page.locator(".side-menu")).to_be_hidden()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)
    for key, path in TABS.items():
        page.click(f".bottom-tabs [data-tab={key}]")
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.locator(f".bottom-tabs [data-tab={key}]")).to_have_attribute("aria-current", "page")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)
    page.click(".bottom-tabs [data-tab=home]")
    expect(page.locator(".bottom-tabs [data-tab=home]")).to_contain_text("工作台")


def test_pc_shows_the_side_menu(visit: Any, server: Any) -> None:
    pc = visit(PC)
    pc.sign_in(*server.staff())
    page = pc.page
    expect(page.locator(".side-menu")).to_be_visible()
    expect(page.locator(".bottom-tabs")).to_be_hidden()
    for key, path in TABS.items():
        page.click(f".side-menu [data-tab={key}]")
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=10_000)


def test_contacts_drill_down_and_search(visit: Any, server: Any) -> None:
    phone = visit(PHONE)
    phone.sign_in(*server.staff())
    page = phone.page
    phone.goto("/contacts/")
    page.click("#departments >> text=市水务局")
    page.click("#departments >> text=办公室")
    expect(page.locator("#people [data-person=zhouming]")).to_contain_text("信息中心 主任")
    expect(page.locator("#people [data-person=zhouming] a[href^='tel:']").first).to_be_visible()
    page.click(".bottom-tabs [data-tab=directory]")
    page.fill("input[name=q]", "单宁")
    page.press("input[name=q]", "Enter")
    expect(page.locator("#people [data-person=shanning]")).to_be_visible()


def test_switching_to_english(visit: Any, server: Any) -> None:
    phone = visit(PHONE)
    phone.sign_in(*server.staff())
    page = phone.page
    phone.goto("/me/")
    expect(page.locator(".bottom-tabs [data-tab=directory]")).to_contain_text("通讯录")
    page.click("button[name=language][value=en]")
    expect(page.locator(".bottom-tabs [data-tab=directory]")).to_contain_text("Contacts")
    expect(page.locator(".page-title")).to_have_text("Me")
    page.click("button[name=language][value=zh-hans]")
    expect(page.locator(".page-title")).to_have_text("我的")


def test_work_news_list_and_detail(visit: Any, server: Any) -> None:
    phone = visit(PHONE)
    phone.sign_in("fengyu", server.logins["fengyu"])  # 公开 clearance only
    page = phone.page
    phone.goto("/apps/")
    page.click("[data-app=bulletins]")
    items = page.locator("#news .news-item")
    expect(items.first).to_be_visible()
    expect(page.locator("#news")).not_to_contain_text("内部")
    titles = items.locator(".title").all_text_contents()
    items.first.click()
    expect(page.locator("#news-title")).to_have_text(titles[0].strip())


def test_a_wrong_address_is_a_chinese_page_with_the_way_home_and_back(visit: Any, server: Any) -> None:
    stranger = visit(PHONE)
    stranger.goto("/no-such-page/")
    page = stranger.page
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#error h2")).to_have_text("页面不存在")
    page.click("#error-sign-in")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=%2Fno-such-page%2F$"))

    person = visit(PHONE)
    person.sign_in(*server.staff())
    person.goto("/contacts/")
    person.page.evaluate("location.assign('/contacts/no-such-page/')")
    expect(person.page.locator("#error")).to_have_attribute("data-status", "404")
    expect(person.page.locator(".bottom-tabs")).to_be_visible()
    person.page.click("#error-back")
    expect(person.page).to_have_url(re.compile(r"/contacts/$"))
    for device in (stranger, person):  # the 404 itself is what was asked for; anything else still fails the test
        device.problems[:] = [problem for problem in device.problems if "status of 404" not in problem]
