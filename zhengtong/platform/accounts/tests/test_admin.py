"""The back office (后台): system administrators only, and every change through services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.utils import timezone

from zhengtong.platform.accounts import services
from zhengtong.platform.accounts.models import ApiToken, SignInThrottle, ThrottleScope, User, UserSession
from zhengtong.platform.audit.models import AuditRecord

NEW_PASSWORD = "Fresh-Pass-2026!x"


@pytest.fixture
def office(sysadmin: Any) -> Client:
    client = Client()
    client.force_login(sysadmin)
    return client


def _records(action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action))


@pytest.mark.parametrize("url", ["/admin/", "/admin/accounts/user/", "/admin/accounts/signinthrottle/", "/admin/accounts/apitoken/"])
def test_only_the_system_administrator_gets_in(url, sysadmin, secadmin, auditor, clerk):
    signed_in = Client()
    signed_in.force_login(sysadmin)
    assert signed_in.get(url).status_code == 200
    for person in (secadmin, auditor, clerk, None):
        client = Client()
        if person is not None:
            client.force_login(person)
        response = client.get(url)
        assert response.status_code in (302, 403), f"{person} {url}: {response.status_code}"
        if response.status_code == 302:
            # The admin's own login page hands anonymous people over to the platform's
            # sign-in and refuses signed-in people who lack the back-office permission.
            assert response["Location"].startswith("/admin/login/")
            login_page = client.get(response["Location"])
            if person is None:
                assert "/accounts/sign-in/" in login_page["Location"]
            else:
                assert login_page.status_code == 403


def test_user_list_searches_and_filters(office, clerk, head):
    response = office.get("/admin/accounts/user/", {"q": "王小明"})
    assert response.status_code == 200
    assert b"clerk" in response.content and b">head<" not in response.content
    assert office.get("/admin/accounts/user/", {"is_active__exact": "1", "mfa": "off"}).status_code == 200


def test_creating_a_user_goes_through_the_service(office, sysadmin):
    response = office.post("/admin/accounts/user/add/", {
        "username": "newcomer", "display_name": "新同事", "email": "", "mobile": "", "initial_password": NEW_PASSWORD,
    })
    assert response.status_code == 302, response.content[:2000]
    user = User.objects.get(username="newcomer")
    assert user.must_change_password and user.check_password(NEW_PASSWORD)
    created = _records("accounts.user_created")[0]
    assert created.actor_id == sysadmin.pk and created.object_id == str(user.pk)


def test_a_weak_password_is_refused_and_nothing_is_created(office):
    response = office.post("/admin/accounts/user/add/", {"username": "weak", "display_name": "弱", "initial_password": "weak"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["initial_password"]
    assert not User.objects.filter(username="weak").exists()


def test_editing_disabling_and_resetting_go_through_services(office, clerk):
    url = f"/admin/accounts/user/{clerk.pk}/change/"
    page = office.get(url)
    assert page.status_code == 200
    assert b"mfa_secret" not in page.content and clerk.password.encode() not in page.content
    response = office.post(url, {
        "display_name": "王大明", "email": "", "mobile": "", "must_change_password": "", "is_active": "", "new_password": NEW_PASSWORD,
    })
    assert response.status_code == 302, response.content[:2000]
    clerk.refresh_from_db()
    assert clerk.display_name == "王大明"
    assert not clerk.is_active and clerk.disabled_at is not None
    assert check_password(NEW_PASSWORD, clerk.password) and clerk.must_change_password
    assert _records("accounts.user_updated")[0].changes["display_name"] == ["王小明", "王大明"]
    assert _records("accounts.user_disabled") and _records("accounts.password_reset")
    assert _records("accounts.password_reset")[0].changes["password"] == ["******", "******"]


def test_a_service_refusal_is_a_message_not_an_error(office, sysadmin):
    url = f"/admin/accounts/user/{sysadmin.pk}/change/"
    response = office.post(url, {"display_name": "改名", "email": "", "mobile": "", "is_active": ""}, follow=True)
    assert response.status_code == 200
    assert any("own account" in str(message) or "自己" in str(message) for message in response.context["messages"])
    sysadmin.refresh_from_db()
    assert sysadmin.is_active and sysadmin.display_name == "系统管理员"  # the whole change rolled back


def test_nobody_deletes_people(office, clerk):
    assert office.get(f"/admin/accounts/user/{clerk.pk}/delete/").status_code == 403
    listing = office.get("/admin/accounts/user/")
    assert b"delete_selected" not in listing.content
    response = office.post("/admin/accounts/user/", {"action": "delete_selected", "_selected_action": [clerk.pk]})
    assert User.objects.filter(pk=clerk.pk).exists()
    assert response.status_code in (200, 302)


def test_disable_action(office, clerk, head):
    office.post("/admin/accounts/user/", {"action": "disable_selected", "_selected_action": [clerk.pk, head.pk]})
    assert not User.objects.filter(pk__in=[clerk.pk, head.pk], is_active=True).exists()
    assert len(_records("accounts.user_disabled")) == 2


def test_lifting_a_sign_in_lock(office, sysadmin):
    lock = SignInThrottle.objects.create(scope=ThrottleScope.ACCOUNT, key="clerk", failures=5,
                                         locked_until=timezone.now() + timedelta(minutes=30))
    SignInThrottle.objects.create(scope=ThrottleScope.ACCOUNT, key="past", failures=1)
    listing = office.get("/admin/accounts/signinthrottle/")
    assert b"clerk" in listing.content and b"past" not in listing.content
    assert office.get("/admin/accounts/signinthrottle/add/").status_code == 403
    office.post("/admin/accounts/signinthrottle/", {"action": "lift_locks", "_selected_action": [lock.pk]})
    assert not SignInThrottle.objects.filter(pk=lock.pk).exists()
    assert _records("accounts.sign_in_unlocked")[0].actor_id == sysadmin.pk


def test_ending_a_session(office, clerk):
    device = UserSession.objects.create(user=clerk, session_key="k" * 32, source_ip="10.0.0.8")
    page = office.get(f"/admin/accounts/usersession/{device.pk}/change/")
    assert page.status_code == 200 and b"k" * 32 not in page.content
    office.post("/admin/accounts/usersession/", {"action": "end_sessions", "_selected_action": [device.pk]})
    assert not UserSession.objects.filter(pk=device.pk).exists()
    assert _records("accounts.session_ended")


def test_revoking_a_token(office, clerk):
    token, _secret = services.create_token(user=clerk, name="脚本", scopes=["read"], days=7)
    assert office.get("/admin/accounts/apitoken/add/").status_code == 403
    page = office.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    assert page.status_code == 200 and token.secret_hash.encode() not in page.content
    office.post("/admin/accounts/apitoken/", {"action": "revoke_tokens", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert _records("accounts.token_revoked")[0].object_id == str(token.pk)


def test_the_back_office_signs_out_and_changes_passwords_through_the_platform(sysadmin):
    """Django's own pages would skip the password history, the audit and the device list."""
    browser = Client()
    browser.force_login(sysadmin)
    UserSession.objects.create(user=sysadmin, session_key=browser.session.session_key, source_ip="127.0.0.1", user_agent="test")
    password_page = browser.get("/admin/password_change/")
    assert (password_page.status_code, password_page["Location"]) == (302, "/accounts/password/")
    signed_out = browser.post("/admin/logout/")
    assert (signed_out.status_code, signed_out["Location"]) == (302, "/accounts/sign-in/")
    assert not UserSession.objects.filter(user=sysadmin).exists()
    assert [record.actor_id for record in _records("accounts.sign_out")] == [sysadmin.pk]
    assert browser.get("/admin/").status_code == 302  # signed out indeed
