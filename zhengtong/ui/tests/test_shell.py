from typing import Any

import pytest

from zhengtong.testing import assert_access_matrix

TAB_URLS = ("/", "/messages/", "/apps/", "/contacts/", "/me/")


@pytest.mark.parametrize("url", TAB_URLS)
def test_tabs_need_sign_in_and_open_for_everyone(client_for: Any, clerk: Any, sysadmin: Any, url: str) -> None:
    assert_access_matrix(client_for, "GET", url, allowed=[clerk, sysadmin])


@pytest.mark.parametrize("url", TAB_URLS)
def test_every_tab_page_has_both_navigations_and_marks_itself(client_for: Any, clerk: Any, url: str) -> None:
    page = client_for(clerk).get(url).content.decode()
    assert page.count('data-tab="directory"') == 2  # the bottom tabs and the side menu
    assert page.count('aria-current="page"') == 2
    assert "<script>" not in page and "style=" not in page  # CSP: no inline script or style


def test_apps_page_lists_what_each_person_may_use(client_for: Any, clerk: Any, sysadmin: Any, auditor: Any) -> None:
    page = client_for(clerk).get("/apps/").content.decode()
    assert 'data-app="bulletins"' in page and 'data-app="back_office"' not in page
    page = client_for(sysadmin).get("/apps/").content.decode()
    assert 'data-app="back_office"' in page and 'data-app="bulletins"' not in page
    page = client_for(auditor).get("/apps/").content.decode()
    assert 'data-app="audit"' in page and 'data-app="back_office"' not in page


def test_inner_pages_belong_to_a_tab(client_for: Any, clerk: Any) -> None:
    page = client_for(clerk).get("/apps/bulletins/").content.decode()
    assert 'class="side-link active" href="/apps/"' in page


def test_me_shows_profile_roles_clearance_and_mfa(client_for: Any, clerk: Any) -> None:
    client = client_for(clerk)
    client.cookies["zt_language"] = "en"
    page = client.get("/me/").content.decode()
    assert "王小明" in page and "clerk" in page
    assert "Staff" in page and "内部" in page
    assert 'id="mfa-status"><span class="badge">Off' in page
    for url in ("/accounts/password/", "/accounts/two-factor/", "/accounts/sessions/", "/accounts/tokens/"):
        assert f'href="{url}"' in page
    assert 'name="language" value="en"' in page and 'name="language" value="zh-hans"' in page


def test_language_switch_sets_the_cookie(client_for: Any, clerk: Any) -> None:
    client = client_for(clerk)
    client.get("/me/")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/me/", "csrfmiddlewaretoken": client.cookies["zt_csrf"].value})
    assert response.status_code == 302 and client.cookies["zt_language"].value == "en"
    assert "Workbench" in client.get("/").content.decode()
