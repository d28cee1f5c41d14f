"""My sessions and devices, signing out of them, and the idle and absolute time limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhengtong.platform.accounts import services
from zhengtong.platform.accounts.models import UserSession
from zhengtong.platform.accounts.tests.conftest import audit_actions, csrf, post, submit_sign_in
from zhengtong.platform.audit.models import AuditRecord, Outcome

PAGE = "/accounts/sessions/"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def api_post(client: Client, url: str) -> Any:
    return client.post(url, content_type="application/json", HTTP_X_CSRFTOKEN=csrf(client))


def test_the_page_lists_my_devices_and_marks_this_one(browser: Any, clerk: Any) -> None:
    here = browser(clerk, user_agent="Phone browser")
    browser(clerk, address="10.2.3.4", user_agent="Office PC")
    page = here.get(PAGE).content.decode()
    assert "Phone browser" in page and "Office PC" in page and "10.2.3.4" in page
    assert page.count("This device") == 1
    assert page.count("End this session") == 1


def test_signing_in_again_in_the_same_browser_keeps_one_device_row(browser: Any, clerk: Any, head: Any) -> None:
    """A second tab's sign-in form, or the back button: the session is the same, so is its device row."""
    here = browser(clerk)
    assert submit_sign_in(here, "clerk").status_code == 302
    assert UserSession.objects.filter(user=clerk).count() == 1
    # Someone else signing in on this browser takes the session over: the clerk's row goes with it.
    assert submit_sign_in(here, "head").status_code == 302
    assert UserSession.objects.filter(user=clerk).count() == 0
    assert UserSession.objects.filter(user=head, session_key=here.cookies["zt_session"].value).count() == 1


def test_ending_one_session_signs_that_device_out(browser: Any, clerk: Any) -> None:
    here, there = browser(clerk), browser(clerk, user_agent="Office PC")
    device = UserSession.objects.get(user_agent="Office PC")
    response = post(here, f"/accounts/sessions/{device.pk}/end/")
    assert response.status_code == 302
    assert there.get("/me/").status_code == 302
    assert here.get("/me/").status_code == 200
    assert "accounts.session_ended" in audit_actions(Outcome.SUCCESS)


def test_nobody_can_end_another_persons_session(browser: Any, clerk: Any, head: Any) -> None:
    browser(head)
    device = UserSession.objects.get(user=head)
    assert post(browser(clerk), f"/accounts/sessions/{device.pk}/end/").status_code == 404
    assert UserSession.objects.filter(pk=device.pk).exists()


def test_sign_out_of_all_other_devices_really_ends_them(browser: Any, clerk: Any) -> None:
    here = browser(clerk)
    others = [browser(clerk, address=f"10.0.0.{n}") for n in range(1, 4)]
    response = post(here, "/accounts/sessions/end-others/", follow=True)
    assert "Signed out of 3 other sessions." in response.content.decode()
    assert all(other.get("/me/").status_code == 302 for other in others)
    assert here.get("/me/").status_code == 200
    assert clerk.device_sessions.count() == 1
    assert AuditRecord.objects.filter(action="accounts.signed_out_other_devices", detail="3 sessions").exists()


def test_sign_out_everywhere_ends_this_session_too(browser: Any, clerk: Any) -> None:
    here, there = browser(clerk), browser(clerk)
    response = post(here, "/accounts/sessions/end-all/", follow=True)
    assert "You have been signed out on every device." in response.content.decode()
    assert here.get("/me/").status_code == 302 and there.get("/me/").status_code == 302
    assert not clerk.device_sessions.exists()
    assert "accounts.signed_out_everywhere" in audit_actions(Outcome.SUCCESS)


def test_a_disabled_persons_sessions_and_tokens_end(browser: Any, api_for: Any, clerk: Any, sysadmin: Any) -> None:
    page, program = browser(clerk), api_for(clerk)
    assert program.get("/api/accounts/me").status_code == 200
    services.disable_user(acting_user=sysadmin, user=clerk)
    assert page.get("/me/").status_code == 302
    assert program.get("/api/accounts/me").status_code == 401
    assert not clerk.device_sessions.exists()
    assert not clerk.api_tokens.filter(revoked_at__isnull=True).exists()


def test_the_api_lists_my_sessions(browser: Any, clerk: Any, head: Any) -> None:
    here = browser(clerk)
    browser(clerk, user_agent="Office PC")
    browser(head)
    sessions = here.get("/api/accounts/sessions").json()
    assert sorted(s["user_agent"] for s in sessions) == ["Office PC", "Test browser"]
    assert [s["current"] for s in sessions if s["user_agent"] == "Test browser"] == [True]


def test_the_api_ends_the_other_sessions_with_a_csrf_token(browser: Any, clerk: Any) -> None:
    here, there = browser(clerk), browser(clerk)
    assert here.post("/api/accounts/sessions/end-others", content_type="application/json").status_code == 403
    assert there.get("/me/").status_code == 200
    response = api_post(here, "/api/accounts/sessions/end-others")
    assert response.status_code == 200 and response.json() == {"ended": 1}
    assert there.get("/me/").status_code == 302
    assert here.get("/me/").status_code == 200


def test_the_api_ends_one_of_my_sessions_and_hides_other_peoples(browser: Any, api_for: Any, clerk: Any, head: Any) -> None:
    browser(clerk)
    browser(head)
    mine, theirs = UserSession.objects.get(user=clerk), UserSession.objects.get(user=head)
    program = api_for(clerk)
    assert program.delete(f"/api/accounts/sessions/{theirs.pk}").status_code == 404
    assert program.delete(f"/api/accounts/sessions/{mine.pk}").status_code == 204
    assert not UserSession.objects.filter(pk=mine.pk).exists()


# --- Time limits --------------------------------------------------------------------------


def test_a_session_idle_past_the_limit_ends(browser: Any, clerk: Any, frozen: Any, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    client = browser(clerk)
    frozen.shift(31 * 60)
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?ended=idle&next=%2Fme%2F"
    assert "signed out after a period of inactivity" in client.get(response["Location"]).content.decode()
    assert client.get("/me/")["Location"].startswith("/accounts/sign-in/?next=")
    assert AuditRecord.objects.filter(action="accounts.session_expired", detail="idle").exists()
    assert not clerk.device_sessions.exists()


def test_activity_keeps_a_session_alive(browser: Any, clerk: Any, frozen: Any, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    client = browser(clerk)
    for _visit in range(4):
        frozen.shift(25 * 60)
        assert client.get("/me/").status_code == 200


def test_an_active_session_still_ends_at_its_absolute_lifetime(browser: Any, clerk: Any, frozen: Any, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    settings.SESSION_MAX_HOURS = 2
    client = browser(clerk)
    for _visit in range(4):
        frozen.shift(25 * 60)
        assert client.get("/me/").status_code == 200
    frozen.shift(25 * 60)
    response = client.get("/me/")
    assert response["Location"].startswith("/accounts/sign-in/?ended=lifetime")
    assert "reached its maximum length" in client.get(response["Location"]).content.decode()
    assert AuditRecord.objects.filter(action="accounts.session_expired", detail="lifetime").exists()


def test_an_expired_session_gets_401_from_the_api(browser: Any, clerk: Any, frozen: Any, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    client = browser(clerk)
    assert client.get("/api/accounts/me").status_code == 200
    frozen.shift(31 * 60)
    response = client.get("/api/accounts/me")
    assert response.status_code == 401 and response.json()["error"] == "session_expired"
