"""The administrators' and the account pages in a real browser: two-factor enrolment, the
back office, the security console, the audit trail, and a person's own account pages — all
without console errors or CSP violations (checked by the ``visit`` fixture)."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from playwright.sync_api import expect

from tests.browser.conftest import PC, PHONE


def enrol_two_factor(device: Any) -> None:
    page = device.page
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("#mfa-secret").inner_text().strip()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("form button[type=submit]")
    expect(page.locator(".codes li").first).to_be_visible()


def test_system_administrator_enrols_two_factor_and_uses_the_back_office(visit: Any, server: Any) -> None:
    pc = visit(PC)
    pc.sign_in("sysadmin", server.logins["sysadmin"])
    # Until enrolled, every page leads back to enrolment (the demo server is shared by the
    # browser tests, so each administrator is enrolled by exactly one test).
    pc.goto("/apps/")
    expect(pc.page).to_have_url(re.compile(r"/accounts/two-factor/"))
    enrol_two_factor(pc)
    pc.goto("/admin/")
    expect(pc.page.locator("#site-name")).to_contain_text("政通")
    pc.goto("/admin/accounts/user/")
    expect(pc.page.locator("#result_list")).to_contain_text("zhouming")


def test_audit_administrator_reads_and_verifies_the_trail(visit: Any, server: Any) -> None:
    pc = visit(PC)
    pc.sign_in("auditor", server.logins["auditor"])
    enrol_two_factor(pc)
    pc.goto("/audit/")
    expect(pc.page.locator("table")).to_contain_text("accounts.mfa_enabled")
    pc.goto("/audit/verify/")
    expect(pc.page.locator("main")).to_be_visible()


def test_security_administrator_opens_the_console(visit: Any, server: Any) -> None:
    phone = visit(PHONE)
    phone.sign_in("secadmin", server.logins["secadmin"])
    enrol_two_factor(phone)
    phone.goto("/security/")
    expect(phone.page.locator("main")).to_contain_text("zhouming")


def test_a_person_opens_every_account_page_and_creates_a_token(visit: Any, server: Any) -> None:
    phone = visit(PHONE)
    phone.sign_in("wuting", server.logins["wuting"])
    for path in ("/accounts/password/", "/accounts/sessions/", "/accounts/two-factor/"):
        phone.goto(path)
        expect(phone.page.locator("main")).to_be_visible()
    phone.goto("/accounts/tokens/")
    phone.page.fill("input[name=name]", "报表同步")
    phone.page.click("form button[type=submit]")
    expect(phone.page.locator("main")).to_contain_text("zt_")
