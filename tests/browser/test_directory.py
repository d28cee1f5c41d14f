"""通讯录 on a phone: browse the tree to a person, call them, find them again by pinyin initials."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE

# Tapping a call link hands the number to the phone's dialler; the browser under test has none.
NO_DIALLER = """window.addEventListener("click", function (event) {
  if (event.target.closest("a[href^='tel:'], a[href^='mailto:']")) { event.preventDefault(); }
});"""


def test_browse_call_and_search_on_a_phone(visit: Any, server: Any, tmp_path: Path) -> None:
    phone = visit(PHONE)
    phone.sign_in("zhengkai", server.logins["zhengkai"])  # 办公室 科员
    page = phone.page
    page.click(".bottom-tabs [data-tab=directory]")
    page.click("#departments >> text=市水务局")
    departments = page.locator("#departments li")
    expect(departments.first).to_contain_text("局领导")  # leadership first
    expect(page.locator("#departments")).not_to_contain_text("机要保密室")  # confidential, and not ours
    page.screenshot(path=str(tmp_path / "directory-unit.png"), full_page=True)

    page.click("#departments >> text=水资源管理处")
    people = page.locator("#people [data-person]")
    expect(people.first).to_have_attribute("data-person", "majun")  # the head first, then the deputy
    expect(people.nth(1)).to_have_attribute("data-person", "gaojie")
    page.screenshot(path=str(tmp_path / "directory-department.png"), full_page=True)

    page.click("#people [data-person=majun] .person-name a")
    expect(page.locator("#person-name")).to_have_text("马骏")
    expect(page.locator("#posts")).to_contain_text("水资源管理处 · 处长")
    expect(page.locator("#superiors")).to_contain_text("张丽华")  # 分管副局长, set explicitly
    # A leader's mobile is for their own department only; the office phone is for everyone.
    expect(page.locator("[data-field=mobile]")).to_contain_text("不对您显示")
    call = page.locator("#call")
    expect(call).to_have_attribute("href", re.compile(r"^tel:0571-"))
    page.screenshot(path=str(tmp_path / "directory-card.png"), full_page=True)
    page.evaluate(NO_DIALLER)
    call.click()

    page.click(".bottom-tabs [data-tab=directory]")
    expect(page.locator("#recent [data-person=majun]")).to_be_visible()
    page.fill("input[name=q]", "mj")
    page.press("input[name=q]", "Enter")
    expect(page.locator("#people [data-person=majun]")).to_be_visible()
    page.screenshot(path=str(tmp_path / "directory-search.png"), full_page=True)


def test_a_call_from_a_list_counts_as_a_contact(visit: Any, server: Any) -> None:
    phone = visit(PHONE)
    phone.sign_in("sunyue", server.logins["sunyue"])  # 办公室 科员
    page = phone.page
    phone.goto("/contacts/?q=luobin")
    page.evaluate(NO_DIALLER)
    with page.expect_request(lambda request: request.url.endswith("/used/") and request.method == "POST") as used:
        page.locator("#people [data-person=luobin] a[href^='tel:']").first.click()
    assert used.value.response().status == 204
    phone.goto("/contacts/")
    expect(page.locator("#frequent [data-person=luobin]")).to_be_visible()
