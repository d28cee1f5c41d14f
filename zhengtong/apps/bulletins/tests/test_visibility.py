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
    titles = {item["title"] for item in api_for(clerk).get("/api/bulletins/").json()["items"]}
    assert titles == {"动态0", "动态1"}
    assert {item["title"] for item in api_for(outsider).get("/api/bulletins/").json()["items"]} == {"动态0"}


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


def test_the_list_pages_by_cursor_and_a_page_holds_only_what_the_reader_may_see(api_for: Any, head: Any, clerk: Any,
                                                                                news: Any) -> None:
    first = api_for(head).get("/api/bulletins/", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = api_for(head).get("/api/bulletins/", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert rest["next_cursor"] is None
    assert {item["title"] for item in first["items"] + rest["items"]} == {"动态0", "动态1", "动态2"}
    # The clerk's one page of two is the whole list: nothing above their clearance is counted or hinted at.
    assert api_for(clerk).get("/api/bulletins/", {"limit": 2}).json()["next_cursor"] is None
    refused = api_for(head).get("/api/bulletins/", {"cursor": "not-a-cursor"})
    assert refused.status_code == 422 and refused.json()["fields"] == {"cursor": ["不是有效的游标。"]}


def test_another_units_news_is_not_there_for_its_readers(client_for: Any, api_for: Any) -> None:
    from conftest import make_person
    from zhengtong.apps.bulletins import services
    from zhengtong.platform.directory import services as directory
    from zhengtong.platform.directory.models import Department

    def staff_of(unit_name: str, username: str) -> Any:
        unit = directory.create_department(acting_user=None, name=unit_name, kind=Department.Kind.UNIT)
        person = make_person(username, f"{unit_name}科员", roles=("staff",), clearance=1)
        directory.add_membership(acting_user=None, user=person, department=unit)
        return person

    city, east = staff_of("市水务局", "city_staff"), staff_of("东区水务局", "east_staff")
    item = services.publish(acting_user=city, title="汛前检查完成", body="详见正文", classification=1)
    assert client_for(city).get(f"/apps/bulletins/{item.pk}/").status_code == 200
    assert client_for(east).get(f"/apps/bulletins/{item.pk}/").status_code == 404
    assert api_for(east).get(f"/api/bulletins/{item.pk}").status_code == 404
    assert "汛前检查完成" not in client_for(east).get("/apps/bulletins/").content.decode()
    assert api_for(east).get("/api/bulletins/").json()["items"] == []
