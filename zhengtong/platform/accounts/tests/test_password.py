"""Changing one's password: the policy's rules, the history, and the expiry detour."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from zhengtong.errors import ServiceError
from zhengtong.platform.accounts import services
from zhengtong.platform.accounts.tests.conftest import audit_actions, post, submit_sign_in
from zhengtong.platform.audit.models import AuditRecord, Outcome

PAGE = "/accounts/password/"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def change(client: Any, new: str, old: str = PASSWORD, confirm: str | None = None) -> Any:
    return post(client, PAGE, {"old_password": old, "new_password": new, "confirm_password": new if confirm is None else confirm})


def test_the_page_lists_the_password_rules(browser: Any, clerk: Any) -> None:
    page = browser(clerk).get(PAGE).content.decode()
    assert "at least 8 characters" in page
    assert "must not contain your username" in page
    assert "differ from your last 5 passwords" in page


def test_a_person_changes_their_password_and_signs_in_with_the_new_one(browser: Any, clerk: Any) -> None:
    response = change(browser(clerk), "Spring-Rain-2027")
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert submit_sign_in(browser(), "clerk", PASSWORD).status_code == 200
    assert submit_sign_in(browser(), "clerk", "Spring-Rain-2027").status_code == 302
    record = AuditRecord.objects.filter(action="accounts.password_changed", outcome=Outcome.SUCCESS).get()
    assert record.changes == {"password": ["******", "******"]}


def test_changing_the_password_signs_out_the_other_devices_but_not_this_one(browser: Any, clerk: Any) -> None:
    here, elsewhere = browser(clerk), browser(clerk)
    change(here, "Spring-Rain-2027")
    assert here.get("/me/").status_code == 200
    assert elsewhere.get("/me/").status_code == 302
    assert clerk.device_sessions.count() == 1


def test_the_current_password_must_be_right(browser: Any, clerk: Any) -> None:
    response = change(browser(clerk), "Spring-Rain-2027", old="wrong")
    assert "Your current password is not correct." in response.content.decode()
    assert AuditRecord.objects.filter(action="accounts.password_changed", outcome=Outcome.FAILURE).exists()


def test_the_two_new_passwords_must_match(browser: Any, clerk: Any) -> None:
    response = change(browser(clerk), "Spring-Rain-2027", confirm="Spring-Rain-2028")
    assert "The two new passwords do not match." in response.content.decode()


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab1-xyz", "This password is too short. It must contain at least 8 characters."),
        ("alllowercaseletters", "Your password must mix at least 3 kinds of characters"),
        ("My-clerk-Pass-1", "Your password must not contain your username."),
        ("Password1", "This password is too common."),
        (PASSWORD, "Your password must differ from your last 5 passwords."),
    ],
    ids=["too short", "too few kinds of characters", "contains the username", "too common", "the current one"],
)
def test_each_password_rule_refuses_a_weak_password(browser: Any, clerk: Any, new: str, message: str) -> None:
    response = change(browser(clerk), new)
    assert response.status_code == 200
    assert message in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_none_of_the_last_five_passwords_may_come_back(clerk: Any) -> None:
    history = [PASSWORD, "Spring-Rain-2021", "Spring-Rain-2022", "Spring-Rain-2023", "Spring-Rain-2024"]
    for old, new in zip(history, history[1:], strict=False):
        services.change_password(user=clerk, old_password=old, new_password=new)
    for reused in history:
        with pytest.raises(ServiceError) as refused:
            services.change_password(user=clerk, old_password=history[-1], new_password=reused)
        assert refused.value.fields == {"new_password": ["Your password must differ from your last 5 passwords."]}
    services.change_password(user=clerk, old_password=history[-1], new_password="Spring-Rain-2025")
    services.change_password(user=clerk, old_password="Spring-Rain-2025", new_password=PASSWORD)
    assert clerk.password_history.count() == 5


def test_an_expired_password_sends_the_person_to_change_it_first(browser: Any, clerk: Any, settings: Any) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 90
    clerk.password_changed_at = timezone.now() - timedelta(days=91)
    clerk.save()
    client = browser(clerk)
    assert client.get("/me/")["Location"] == PAGE
    api = client.get("/api/accounts/me")
    assert api.status_code == 403 and api.json()["error"] == "action_required"
    assert "Your password has expired" in client.get(PAGE).content.decode()
    change(client, "Spring-Rain-2027")
    assert client.get("/me/").status_code == 200


def test_a_password_set_by_an_administrator_must_be_changed_at_next_sign_in(browser: Any, clerk: Any, sysadmin: Any) -> None:
    services.reset_password(acting_user=sysadmin, user=clerk, new_password="Temporary-Pass-1")
    client = browser()
    submit_sign_in(client, "clerk", "Temporary-Pass-1")
    assert client.get("/")["Location"] == PAGE
    change(client, "Spring-Rain-2027", old="Temporary-Pass-1")
    assert client.get("/").status_code == 200


def test_a_password_younger_than_the_limit_is_not_expired(browser: Any, clerk: Any, settings: Any) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 90
    clerk.password_changed_at = timezone.now() - timedelta(days=89)
    clerk.save()
    assert browser(clerk).get("/me/").status_code == 200
    assert "accounts.password_changed" not in audit_actions()
