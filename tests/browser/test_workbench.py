"""The 工作台: a to-do started by another person appears on an open page without reload, and its badge counts it."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PC, PHONE

# 规划计划处: 何磊 (科员) applies; 黄海涛 (处长) heads the department and receives the approval (zhengtong/demo.py).
APPLICANT, HEAD = "helei", "huanghaitao"
# The socket delivers "todo.changed" at once; without it the page polls every 30 s.
LIVE_TIMEOUT_MS = 40_000


def _todo_count(page: Any) -> int:
    badge = page.locator("#wb-board [data-count=todo]")
    return int(badge.inner_text()) if badge.count() else 0


def _apply(visit: Any, server: Any, title: str) -> str:
    """何磊 applies for approval on his phone; returns the application's title."""
    applicant = visit(PHONE)
    applicant.sign_in(APPLICANT, server.logins[APPLICANT])
    page = applicant.page
    applicant.goto("/workflow/")
    page.click("#start-process")
    page.click("[data-process=general_approval]")
    title = f"{title} {time.time_ns()}"
    page.fill("#id_title", title)
    page.fill("#id_data-reason", "检查工作台是否实时更新。")
    page.fill("#id_data-amount", "100")
    page.click("#start-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/workflow/instances/\d+/$"))
    return title


def test_a_new_todo_appears_without_reload_and_the_badge_counts_it(visit: Any, server: Any) -> None:
    head = visit(PC)
    head.sign_in(HEAD, server.logins[HEAD])
    board = head.page
    head.goto("/")
    expect(board.locator("#live-status")).to_have_attribute("data-state", "open")
    before = _todo_count(board)
    board.evaluate("window.__sameDocument = true")

    title = _apply(visit, server, "工作台实时测试")

    row = board.locator("#wb-board .wb-row", has_text=title)
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(row).to_contain_text("何磊")
    expect(board.locator("#wb-board [data-count=todo]")).to_have_text(str(before + 1))
    assert board.evaluate("window.__sameDocument") is True, "the page was reloaded"

    # Approving in place takes it off the list again.
    row.locator("summary").click()
    approve = row.locator("form:has(button[data-action=approve])")
    approve.locator("input[name=comment]").fill("同意")
    approve.locator("button").click()
    expect(board.locator(".flash")).to_be_visible()
    expect(board.locator("#wb-board .wb-row", has_text=title)).to_have_count(0)
    assert _todo_count(board) == before


def test_on_a_phone_every_tab_shows_and_names_stay_whole(visit: Any, server: Any) -> None:
    _apply(visit, server, "一项标题很长的申请，用来看清来自谁的那一行在手机上如何换行")
    head = visit(PHONE)
    head.sign_in(HEAD, server.logins[HEAD])
    head.goto("/")
    page = head.page
    chips = page.locator("#wb-board .wb-chip")
    assert chips.count() >= 5
    for index in range(chips.count()):  # 抄送我的 and 草稿 included: nothing hides past the edge
        box = chips.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], chips.nth(index).inner_text()
    senders = page.locator("#wb-board .wb-meta .wb-sender")
    assert senders.count() > 0
    for index in range(senders.count()):  # "来自 何磊" on one line, never 何 | 磊
        lines = senders.nth(index).evaluate("span => new Set([...span.getClientRects()].map(rect => rect.top)).size")
        assert lines == 1, senders.nth(index).inner_text()
    page.screenshot(path=str(server.env["ZT_VAR_DIR"]) + "/workbench-phone.png", full_page=True)
