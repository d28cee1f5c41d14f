"""A record above a person's clearance is absent from their lists and 404 on direct access."""

from typing import Any

from zhengtong.testing import assert_access_matrix


def test_list_page_hides_items_above_clearance(client_for: Any, clerk: Any, outsider: Any, head: Any, news: Any) -> None:
    body = client_for(clerk).get("/apps/bulletins/").content.decode()
    assert "动态0" in body and "动态1" in body and "动态2" not in body
    body = client_for(outsider).get("/apps/bulletins/").content.decode()
    assert "动态0" in body and "动态1" not in body
    assert "动态2" in client_for(head).get("/apps/bulletins/").content.decode()


def test_api_list_hides_items_above_clearance(api_for: Any, clerk: Any, outsider: Any, news: Any) -> None:
    titles = {item["title"] for item in api_for(clerk).get("/api/bulletins/").json()}
    assert titles == {"动态0", "动态1"}
    assert {item["title"] for item in api_for(outsider).get("/api/bulletins/").json()} == {"动态0"}


def test_detail_page_matrix(client_for: Any, clerk: Any, head: Any, outsider: Any, sysadmin: Any, secadmin: Any, auditor: Any,
                            news: Any) -> None:
    assert_access_matrix(client_for, "GET", f"/apps/bulletins/{news[0].pk}/", allowed=[clerk, head, outsider],
                         denied=[sysadmin, secadmin, auditor])
    assert_access_matrix(client_for, "GET", f"/apps/bulletins/{news[1].pk}/", allowed=[clerk, head], hidden=[outsider])
    assert_access_matrix(client_for, "GET", f"/apps/bulletins/{news[2].pk}/", allowed=[head], hidden=[clerk, outsider])


def test_detail_api_matrix(api_for: Any, clerk: Any, head: Any, outsider: Any, sysadmin: Any, secadmin: Any, auditor: Any,
                           news: Any) -> None:
    assert_access_matrix(api_for, "GET", f"/api/bulletins/{news[0].pk}", allowed=[clerk, head, outsider],
                         denied=[sysadmin, secadmin, auditor])
    assert_access_matrix(api_for, "GET", f"/api/bulletins/{news[2].pk}", allowed=[head], hidden=[clerk, outsider])
    assert api_for(clerk).get(f"/api/bulletins/{news[2].pk}").json()["error"] == "not_found"


def test_administrators_see_no_business_content(client_for: Any, api_for: Any, sysadmin: Any, secadmin: Any, auditor: Any,
                                                clerk: Any, news: Any) -> None:
    assert_access_matrix(client_for, "GET", "/apps/bulletins/", allowed=[clerk], denied=[sysadmin, secadmin, auditor])
    assert_access_matrix(api_for, "GET", "/api/bulletins/", allowed=[clerk], denied=[sysadmin, secadmin, auditor])
    assert_access_matrix(client_for, "GET", "/apps/bulletins/new/", allowed=[clerk], denied=[sysadmin, secadmin, auditor])
