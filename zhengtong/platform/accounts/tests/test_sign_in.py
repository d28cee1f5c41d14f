"""Signing in with a username and password, and the locks that stop guessing."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD
from zhengtong.platform.accounts.models import SignInThrottle, UserSession
from zhengtong.platform.accounts.services import disable_user
from zhengtong.platform.accounts.tests.conftest import audit_actions, post, submit_sign_in
from zhengtong.platform.audit.models import AuditRecord, Outcome

WRONG = "not-the-password"
INVALID = "The username or password is not correct."
LOCKED = "Too many failed attempts"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def test_the_sign_in_page_shows_a_form(browser: Any) -> None:
    response = browser().get("/accounts/sign-in/")
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'name="password"' in response.content


def test_a_person_signs_in_with_the_right_password_and_lands_where_they_were_going(browser: Any, clerk: Any) -> None:
    client = browser()
    response = post(client, "/accounts/sign-in/", {"username": "clerk", "password": PASSWORD, "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert client.get("/me/").status_code == 200
    assert UserSession.objects.filter(user=clerk).count() == 1
    assert audit_actions(Outcome.SUCCESS)[-1] == "accounts.sign_in"


def test_a_next_address_on_another_site_is_ignored(browser: Any, clerk: Any) -> None:
    response = post(browser(), "/accounts/sign-in/", {"username": "clerk", "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_username_is_not_case_sensitive(browser: Any, clerk: Any) -> None:
    assert submit_sign_in(browser(), "CLERK").status_code == 302


def test_a_wrong_password_is_refused_with_a_generic_message_and_recorded(browser: Any, clerk: Any) -> None:
    response = submit_sign_in(browser(), "clerk", WRONG)
    assert response.status_code == 200
    assert INVALID in response.content.decode()
    failure = AuditRecord.objects.filter(action="accounts.sign_in", outcome=Outcome.FAILURE).get()
    assert failure.actor_name == "clerk" and failure.source_ip == "127.0.0.1"


def test_a_name_that_does_not_exist_gets_the_same_message(browser: Any, clerk: Any) -> None:
    unknown = submit_sign_in(browser(), "nobody", WRONG).content.decode()
    known = submit_sign_in(browser(), "clerk", WRONG).content.decode()
    assert INVALID in unknown and INVALID in known


def test_a_disabled_person_cannot_sign_in_and_gets_the_same_message(browser: Any, clerk: Any) -> None:
    disable_user(acting_user=None, user=clerk)
    response = submit_sign_in(browser(), "clerk")
    assert response.status_code == 200 and INVALID in response.content.decode()


def test_a_locked_account_cannot_sign_in_even_with_the_right_password(browser: Any, clerk: Any, settings: Any) -> None:
    settings.LOCKOUT_THRESHOLD = 5
    for _attempt in range(5):
        submit_sign_in(browser(address="10.0.0.1"), "clerk", WRONG)
    response = submit_sign_in(browser(address="10.0.0.2"), "clerk")
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert not UserSession.objects.filter(user=clerk).exists()
    assert "accounts.sign_in_locked" in audit_actions(Outcome.FAILURE)
    assert AuditRecord.objects.filter(action="accounts.sign_in", outcome=Outcome.DENIED, detail="locked").exists()


def test_a_name_that_does_not_exist_locks_the_same_way(browser: Any, settings: Any) -> None:
    settings.LOCKOUT_THRESHOLD = 3
    for _attempt in range(3):
        response = submit_sign_in(browser(), "nobody", WRONG)
    assert LOCKED not in response.content.decode()
    assert LOCKED in submit_sign_in(browser(), "nobody", WRONG).content.decode()
    assert SignInThrottle.objects.get(key="nobody").is_locked()


def test_the_lock_lifts_after_its_time(browser: Any, clerk: Any, settings: Any) -> None:
    settings.LOCKOUT_THRESHOLD = 2
    settings.LOCKOUT_MINUTES = 30
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _attempt in range(2):
            submit_sign_in(browser(), "clerk", WRONG)
        assert LOCKED in submit_sign_in(browser(), "clerk").content.decode()
        clock.shift(31 * 60)
        assert submit_sign_in(browser(), "clerk").status_code == 302


def test_a_success_after_an_expired_lock_starts_the_count_afresh(browser: Any, clerk: Any, settings: Any) -> None:
    settings.LOCKOUT_THRESHOLD = 2
    settings.LOCKOUT_MINUTES = 10
    settings.LOCKOUT_WINDOW_MINUTES = 60
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _attempt in range(2):
            submit_sign_in(browser(), "clerk", WRONG)
        clock.shift(11 * 60)
        assert submit_sign_in(browser(), "clerk").status_code == 302
        submit_sign_in(browser(), "clerk", WRONG)
        assert submit_sign_in(browser(), "clerk").status_code == 302


def test_failures_from_one_address_lock_that_address_for_every_name(browser: Any, clerk: Any, head: Any, settings: Any) -> None:
    settings.LOCKOUT_ADDRESS_THRESHOLD = 4
    for number in range(4):
        submit_sign_in(browser(address="10.9.9.9"), f"guess{number}", WRONG)
    assert LOCKED in submit_sign_in(browser(address="10.9.9.9"), "head").content.decode()
    assert submit_sign_in(browser(address="10.1.1.1"), "head").status_code == 302


def test_signing_out_ends_the_session_and_is_recorded(browser: Any, clerk: Any) -> None:
    client = browser(clerk)
    response = post(client, "/accounts/sign-out/")
    assert response.status_code == 302
    assert client.get("/me/").status_code == 302
    assert not UserSession.objects.filter(user=clerk).exists()
    assert "accounts.sign_out" in audit_actions(Outcome.SUCCESS)


def test_signing_out_needs_a_post_with_a_csrf_token(browser: Any, clerk: Any) -> None:
    client = browser(clerk)
    assert client.get("/accounts/sign-out/").status_code == 405
    assert client.post("/accounts/sign-out/").status_code == 403
    assert client.get("/me/").status_code == 200


def test_signing_in_gives_a_new_session_key(browser: Any, clerk: Any) -> None:
    client = browser()
    client.get("/accounts/sign-in/")
    before = client.cookies.get("zt_session")
    submit_sign_in(client, "clerk")
    assert client.cookies["zt_session"].value != (before.value if before else None)
