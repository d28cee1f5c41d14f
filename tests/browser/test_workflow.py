"""A 通用审批 on a phone: a staff member applies, the department head approves, the applicant sees it approved."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PC, PHONE

# 规划计划处: 何磊 (科员) applies; 黄海涛 (处长) heads the department (zhengtong/demo.py).
APPLICANT, HEAD = "helei", "huanghaitao"


def _shot(page: Any, name: str) -> None:
    """Screenshots for a person to look at, when ZT_SCREENSHOTS names a folder."""
    folder = os.environ.get("ZT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_apply_approve_and_see_the_result(visit: Any, server: Any) -> None:
    applicant = visit(PHONE)
    applicant.sign_in(APPLICANT, server.logins[APPLICANT])
    page = applicant.page
    applicant.goto("/workflow/")
    page.click("#start-process")
    page.click("[data-process=general_approval]")
    page.fill("#id_title", "采购防汛物资申请")
    page.fill("#id_data-reason", "汛期将至，需补充编织袋和救生衣。")
    page.fill("#id_data-amount", "36000")
    page.click("#start-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/workflow/instances/\d+/$"))
    instance_path = re.sub(r"^https?://[^/]+", "", page.url)
    instance_id = instance_path.strip("/").split("/")[-1]
    expect(page.locator("#instance")).to_have_attribute("data-state", "running")
    expect(page.locator(".flash")).to_contain_text("采购防汛物资申请")
    expect(page.locator("#current-steps")).to_contain_text("黄海涛")

    head = visit(PHONE)
    head.sign_in(HEAD, server.logins[HEAD])
    hpage = head.page
    head.goto("/workflow/")
    expect(hpage.locator("[data-count=todo]")).to_have_text(re.compile(r"^\d+$"))
    row = hpage.locator(f"#wf-list [data-instance='{instance_id}']")
    expect(row).to_contain_text("采购防汛物资申请")
    expect(row).to_contain_text("何磊")
    _shot(hpage, "workflow-todo-phone")
    row.click()
    expect(hpage).to_have_url(re.compile(re.escape(instance_path) + "$"))
    expect(hpage.locator("#form-values [data-field=reason]")).to_contain_text("编织袋")
    expect(hpage.locator("#diagram svg rect[data-step=review]")).to_have_attribute("data-state", "current")
    expect(hpage.locator("#diagram svg rect[data-step=apply]")).to_have_attribute("data-state", "done")
    _shot(hpage, "workflow-instance-phone")
    hpage.fill("#id_comment", "同意，请按规定程序采购。")
    hpage.click("#approve")
    expect(hpage.locator(".flash")).to_be_visible()
    expect(hpage.locator("#instance")).to_have_attribute("data-state", "approved")
    expect(hpage.locator("#trace")).to_contain_text("同意，请按规定程序采购。")
    expect(hpage.locator("#decide-form")).to_have_count(0)

    applicant.goto("/workflow/?tab=started")
    mine = page.locator(f"#wf-list [data-instance='{instance_id}']")
    expect(mine.locator("[data-state]")).to_have_attribute("data-state", "approved")
    mine.click()
    expect(page.locator("#trace [data-kind=approve]")).to_contain_text("黄海涛")

    if os.environ.get("ZT_SCREENSHOTS"):
        pc = visit(PC)
        pc.sign_in(APPLICANT, server.logins[APPLICANT])
        pc.goto("/workflow/?tab=started")
        _shot(pc.page, "workflow-started-pc")
        pc.goto(instance_path)
        _shot(pc.page, "workflow-instance-pc")
