"""Two-factor authentication: enrolment with a QR code, the second sign-in step, recovery codes."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest

from zhengtong.errors import ServiceError
from zhengtong.platform.accounts import services
from zhengtong.platform.accounts.models import UserSession
from zhengtong.platform.accounts.tests.conftest import (
    VERIFY,
    audit_actions,
    current_code,
    enrol,
    post,
    submit_sign_in,
)
from zhengtong.platform.audit.models import AuditRecord, Outcome

SETUP = "/accounts/two-factor/"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def enrolment_secret(page: str) -> str:
    match = re.search(r'<code id="mfa-secret">([A-Z2-7]+)</code>', page)
    assert match, "the page shows the secret for manual entry"
    return match.group(1)


def test_the_enrolment_page_shows_a_qr_code_and_the_key_without_saving_it(browser: Any, clerk: Any) -> None:
    page = browser(clerk).get(SETUP).content.decode()
    assert "<svg" in page and 'id="qr-path"' in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    enrolment_secret(page)
    clerk.refresh_from_db()
    assert clerk.mfa_secret == "" and not clerk.mfa_enabled


def test_the_key_stays_the_same_until_enrolment_is_confirmed(browser: Any, clerk: Any) -> None:
    client = browser(clerk)
    assert enrolment_secret(client.get(SETUP).content.decode()) == enrolment_secret(client.get(SETUP).content.decode())


def test_a_wrong_first_code_does_not_turn_two_factor_on(browser: Any, clerk: Any, frozen: Any) -> None:
    client = browser(clerk)
    secret = enrolment_secret(client.get(SETUP).content.decode())
    wrong = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)
    response = post(client, SETUP, {"code": wrong})
    assert "The code is not correct" in response.content.decode()
    clerk.refresh_from_db()
    assert not clerk.mfa_enabled
    assert AuditRecord.objects.filter(action="accounts.mfa_enabled", outcome=Outcome.FAILURE).exists()


def test_the_first_right_code_turns_two_factor_on_and_shows_the_recovery_codes_once(browser: Any, clerk: Any, frozen: Any) -> None:
    client = browser(clerk)
    secret = enrolment_secret(client.get(SETUP).content.decode())
    response = post(client, SETUP, {"code": pyotp.TOTP(secret).now()})
    page = response.content.decode()
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", page)
    assert len(codes) == 10
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    clerk.refresh_from_db()
    assert clerk.mfa_enabled and clerk.mfa_secret == secret
    assert not any(code in client.get(SETUP).content.decode() for code in codes)
    assert not clerk.recovery_codes.filter(code_hash__contains=codes[0].replace("-", "")).exists()
    assert "accounts.mfa_enabled" in audit_actions(Outcome.SUCCESS)


def test_two_factor_cannot_be_re_enrolled_over_a_working_secret(clerk: Any, frozen: Any) -> None:
    enrol(clerk)
    secret = pyotp.random_base32()
    with pytest.raises(ServiceError) as refused:
        services.enable_mfa(user=clerk, secret=secret, code=pyotp.TOTP(secret).now())
    assert refused.value.code == "mfa_already_enabled"


def test_with_two_factor_on_the_password_alone_does_not_sign_in(browser: Any, clerk: Any, frozen: Any) -> None:
    enrol(clerk)
    client = browser()
    response = submit_sign_in(client, "clerk")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.get("/me/").status_code == 302
    assert not UserSession.objects.exists()


def test_the_right_code_finishes_the_sign_in(browser: Any, clerk: Any, frozen: Any) -> None:
    enrol(clerk)
    client = browser()
    submit_sign_in(client, "clerk")
    response = post(client, VERIFY, {"code": current_code(clerk)})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200
    assert AuditRecord.objects.filter(action="accounts.sign_in", outcome=Outcome.SUCCESS, detail="totp").exists()


def test_a_wrong_code_fails_and_is_recorded(browser: Any, clerk: Any, frozen: Any) -> None:
    enrol(clerk)
    client = browser()
    submit_sign_in(client, "clerk")
    wrong = str((int(current_code(clerk)) + 1) % 1_000_000).zfill(6)
    response = post(client, VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "The code is not correct." in response.content.decode()
    assert client.get("/me/").status_code == 302
    assert AuditRecord.objects.filter(action="accounts.sign_in", outcome=Outcome.FAILURE, detail="wrong second factor").exists()


def test_a_code_cannot_be_used_twice(browser: Any, clerk: Any, frozen: Any) -> None:
    enrol(clerk)
    code = current_code(clerk)
    first, second = browser(), browser()
    submit_sign_in(first, "clerk")
    submit_sign_in(second, "clerk")
    assert post(first, VERIFY, {"code": code}).status_code == 302
    response = post(second, VERIFY, {"code": code})
    assert response.status_code == 200 and "The code is not correct." in response.content.decode()


def test_wrong_codes_lock_the_account(browser: Any, clerk: Any, frozen: Any, settings: Any) -> None:
    settings.LOCKOUT_THRESHOLD = 3
    enrol(clerk)
    client = browser()
    submit_sign_in(client, "clerk")
    for _attempt in range(3):
        response = post(client, VERIFY, {"code": "000000"})
    assert "Too many failed attempts" in response.content.decode()
    assert "Too many failed attempts" in post(client, VERIFY, {"code": current_code(clerk)}).content.decode()


def test_the_second_step_expires_after_five_minutes(browser: Any, clerk: Any, frozen: Any) -> None:
    enrol(clerk)
    client = browser()
    submit_sign_in(client, "clerk")
    frozen.shift(services.PENDING_MFA_SECONDS + 1)
    response = post(client, VERIFY, {"code": current_code(clerk)})
    assert response.status_code == 302 and response["Location"] == "/accounts/sign-in/"


def test_a_recovery_code_signs_in_once(browser: Any, clerk: Any, frozen: Any) -> None:
    codes = enrol(clerk)
    client = browser()
    submit_sign_in(client, "clerk")
    assert post(client, VERIFY, {"code": codes[0]}).status_code == 302
    assert AuditRecord.objects.filter(action="accounts.sign_in", detail="recovery_code").exists()
    again = browser()
    submit_sign_in(again, "clerk")
    assert post(again, VERIFY, {"code": codes[0]}).status_code == 200
    assert post(again, VERIFY, {"code": codes[1].upper()}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(browser: Any, clerk: Any, frozen: Any) -> None:
    old = enrol(clerk)
    client = browser(clerk)
    frozen.shift(30)
    page = post(client, "/accounts/two-factor/recovery-codes/", {"code": current_code(clerk)}).content.decode()
    new = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    signing_in = browser()
    submit_sign_in(signing_in, "clerk")
    assert post(signing_in, VERIFY, {"code": old[0]}).status_code == 200
    assert post(signing_in, VERIFY, {"code": new[0]}).status_code == 302
    assert "accounts.recovery_codes_regenerated" in audit_actions(Outcome.SUCCESS)


def test_new_recovery_codes_need_a_current_code(browser: Any, clerk: Any, frozen: Any) -> None:
    old = enrol(clerk)
    client = browser(clerk)
    response = post(client, "/accounts/two-factor/recovery-codes/", {"code": "000000"}, follow=True)
    assert "The code is not correct." in response.content.decode()
    assert services.recovery_codes_left(clerk) == len(old)
    assert AuditRecord.objects.filter(action="accounts.recovery_codes_regenerated", outcome=Outcome.FAILURE).exists()


def test_a_person_turns_two_factor_off_with_a_current_code(browser: Any, clerk: Any, frozen: Any) -> None:
    enrol(clerk)
    client = browser(clerk)
    frozen.shift(30)
    response = post(client, "/accounts/two-factor/disable/", {"code": current_code(clerk)}, follow=True)
    assert "Two-factor authentication is off." in response.content.decode()
    clerk.refresh_from_db()
    assert not clerk.mfa_enabled and not clerk.recovery_codes.exists()
    assert "accounts.mfa_disabled" in audit_actions(Outcome.SUCCESS)


def test_turning_two_factor_off_needs_a_current_code(browser: Any, clerk: Any, frozen: Any) -> None:
    enrol(clerk)
    client = browser(clerk)
    post(client, "/accounts/two-factor/disable/", {"code": "000000"})
    clerk.refresh_from_db()
    assert clerk.mfa_enabled


def test_an_administrator_cannot_turn_two_factor_off(browser: Any, sysadmin: Any, frozen: Any) -> None:
    enrol(sysadmin)
    client = browser(sysadmin)
    assert "cannot be turned off" in client.get(SETUP).content.decode()
    frozen.shift(30)
    response = post(client, "/accounts/two-factor/disable/", {"code": current_code(sysadmin)}, follow=True)
    assert "Two-factor authentication is required for your account." in response.content.decode()
    sysadmin.refresh_from_db()
    assert sysadmin.mfa_enabled


def test_an_administrator_without_two_factor_is_sent_to_enrol_until_done(browser: Any, auditor: Any, frozen: Any) -> None:
    client = browser(auditor)
    assert client.get("/me/")["Location"] == SETUP
    assert client.get("/audit/").status_code == 302
    api = client.get("/api/accounts/me")
    assert api.status_code == 403 and api.json()["error"] == "action_required"
    secret = enrolment_secret(client.get(SETUP).content.decode())
    post(client, SETUP, {"code": pyotp.TOTP(secret).now()})
    assert client.get("/me/").status_code == 200


def test_everyone_is_sent_to_enrol_when_policy_says_all(browser: Any, clerk: Any, settings: Any) -> None:
    settings.MFA_REQUIRED_FOR = "all"
    client = browser(clerk)
    assert client.get("/").status_code == 302
    assert client.get("/")["Location"] == SETUP
    assert "must use two-factor authentication" in client.get(SETUP).content.decode()


def test_an_ordinary_person_is_not_sent_to_enrol_by_default(browser: Any, clerk: Any) -> None:
    assert browser(clerk).get("/me/").status_code == 200
