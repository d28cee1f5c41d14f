"""A 发文 walked through the pages on a phone: drafted, submitted, reviewed, signed off, numbered,
printed and dispatched to two units, then signed for by one of them.

The organisation is the documents tests' own (市水务局 issues, 东区/西区水务局 receive; its people
sign in with the test password). It gets a server of its own: the demo, which the other browser
tests' server loads, already holds 市水发 and has taken its first number.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.browser.conftest import PHONE, Server, _manage, running_server

BUILD_ORG = "from zhengtong.apps.documents.tests.conftest import build_org; build_org()"
PEOPLE = ("drafter", "ziyuan_head", "director", "wenshu", "east_clerk")
TITLE = "关于做好2026年防汛物资储备工作的通知"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Overrides the suite's demo server for this module: a fresh database with the documents tests' organisation."""
    with running_server(tmp_path_factory.mktemp("zt-documents"), lambda env: _manage(env, "shell", "-c", BUILD_ORG)) as (url, env):
        yield Server(url, dict.fromkeys(PEOPLE, PASSWORD), env)


def _signed_in(visit: Any, server: Server, username: str) -> Any:
    device = visit(PHONE)
    device.sign_in(username, server.logins[username])
    expect(device.page).not_to_have_url(re.compile(r"/accounts/sign-in/"))
    return device


def _fits_the_phone(page: Any) -> None:
    """Nothing sticks out sideways: the page does not scroll horizontally at 390 px."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def _decide(device: Any, path: str, step: str, comment: str = "") -> None:
    """Open the document and approve one's step with an opinion."""
    page = device.page
    device.goto(path)
    expect(page.locator("#decide-panel h2")).to_contain_text(step)
    _fits_the_phone(page)
    page.fill("#decide-form textarea[name=comment]", comment)
    page.click("#approve")
    expect(page.locator(".flash")).to_be_visible()


def _shot(page: Any, name: str) -> None:
    """A screenshot for a person to look at, when ZT_SCREENSHOTS names a folder."""
    folder = os.environ.get("ZT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_notice_is_drafted_signed_off_numbered_dispatched_and_signed_for_on_a_phone(visit: Any, server: Any) -> None:
    # 拟稿 through the form page.
    # The year of the number is the server's local (Asia/Shanghai) year.
    number = f"市水发〔{datetime.now(ZoneInfo('Asia/Shanghai')).year}〕1号"
    drafter = _signed_in(visit, server, "drafter")
    page = drafter.page
    drafter.goto("/apps/documents/")
    _fits_the_phone(page)
    page.click("#new-document")
    page.select_option("#id_doc_type", "通知")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", "为确保安全度汛，现将有关事项通知如下：\n一、摸清储备底数\n二、及时补充物资")
    page.select_option("#id_issuer_code", "市水发")
    page.locator("#id_main_recipients").get_by_label("东区水务局").check()
    page.locator("#id_main_recipients").get_by_label("西区水务局").check()
    _fits_the_phone(page)
    _shot(page, "document-form-phone")
    page.click("#save")
    expect(page).to_have_url(re.compile(r"/apps/documents/\d+/$"))
    path = re.sub(r"^https?://[^/]+", "", page.url)
    expect(page.locator("#document")).to_have_attribute("data-state", "draft")
    expect(page.locator("#document-title")).to_have_text(TITLE)
    expect(page.locator(".doc-recipients")).to_contain_text("东区水务局，西区水务局")

    # Submitted with the leader who signs it off.
    page.click("#submit-document")
    _fits_the_phone(page)
    page.select_option("#id_signer", "director")
    page.fill("#id_comment", "请审核")
    page.click("#submit")
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator("#document")).to_have_attribute("data-state", "in_progress")
    expect(page.locator("#current-steps")).to_contain_text("核稿")
    # Who holds it now and by when, on the phone as on the PC (not only under 流程跟踪).
    expect(page.locator("#current-holders")).to_contain_text("核稿 · 水资源处长")
    expect(page.locator("#current-holders .doc-due")).to_contain_text("期限")
    _fits_the_phone(page)

    # 核稿 by the department head, 签发 by the leader.
    _decide(_signed_in(visit, server, "ziyuan_head"), path, "核稿", "核稿同意")
    leader = _signed_in(visit, server, "director")
    _decide(leader, path, "签发", "同意印发")
    expect(leader.page.locator("#document")).to_have_attribute("data-state", "signed")
    expect(leader.page.locator("#opinions")).to_contain_text("核稿同意")

    # The registry: 复核, 登记 (the number is taken), 印制, 核发 (to both units).
    clerk = _signed_in(visit, server, "wenshu")
    cpage = clerk.page
    _decide(clerk, path, "复核")
    _decide(clerk, path, "登记")
    expect(cpage.locator("#document-number")).to_have_text(number)
    _decide(clerk, path, "印制")
    _decide(clerk, path, "核发")
    expect(cpage.locator("#document")).to_have_attribute("data-state", "dispatched")
    expect(cpage.locator("#decide-panel")).to_have_count(0)
    receipts = cpage.locator("#deliveries li")
    expect(receipts).to_have_count(2)
    expect(cpage.locator("#deliveries [data-unit=东区水务局]")).to_be_visible()
    expect(cpage.locator("#deliveries [data-unit=西区水务局]")).to_be_visible()
    _fits_the_phone(cpage)

    # The east district's registry finds it in its incoming list and signs for it.
    east = _signed_in(visit, server, "east_clerk")
    epage = east.page
    east.goto("/apps/documents/incoming/")
    _fits_the_phone(epage)
    epage.locator("#documents a", has_text=TITLE).click()
    expect(epage.locator("#document")).to_have_attribute("data-state", "awaiting")
    expect(epage.locator("#document-number")).to_have_text(number)
    _fits_the_phone(epage)
    epage.click("#receive")
    expect(epage.locator(".flash")).to_be_visible()
    expect(epage.locator("#document")).to_have_attribute("data-state", "handling")
    expect(epage.locator("#receive-panel")).to_have_count(0)
    expect(epage.locator("#decide-panel h2")).to_contain_text("登记")
    _shot(epage, "document-received-phone")

    # The sender sees who has signed for it.
    drafter.goto(path)
    expect(page.locator("#deliveries [data-unit=东区水务局] .badge")).to_have_class(re.compile(r"\bsuccess\b"))
    expect(page.locator("#deliveries [data-unit=东区水务局]")).to_contain_text("东区水务局文书")
    expect(page.locator("#deliveries [data-unit=西区水务局] .badge")).not_to_have_class(re.compile(r"\bsuccess\b"))
    _fits_the_phone(page)
    _shot(page, "document-phone")
