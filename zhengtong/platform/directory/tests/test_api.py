"""The directory's read API: who may read, and that it shows what the pages show."""

from __future__ import annotations

from typing import Any

import pytest

from zhengtong.platform.directory import services
from zhengtong.platform.directory.tests.pages_org import build_org
from zhengtong.testing import assert_access_matrix

API = "/api/directory"


@pytest.fixture
def org(clerk: Any, head: Any, outsider: Any) -> dict[str, Any]:
    return build_org(clerk, head, outsider)


def _json(client: Any, url: str, **params: Any) -> Any:
    response = client.get(url, params)
    assert response.status_code == 200, (response.status_code, response.content)
    return response.json()


def test_staff_and_the_system_administrator_read(api_for: Any, org: dict[str, Any], sysadmin: Any, secadmin: Any,
                                                 auditor: Any) -> None:
    for url in ("/tree", f"/departments/{org['office'].pk}", f"/people/{org['head'].pk}", f"/people/{org['clerk'].pk}/leaders",
                "/search?q=li", "/groups", "/me/department"):
        assert_access_matrix(api_for, "GET", API + url, allowed=[org["clerk"], org["outsider"]], denied=[secadmin, auditor])
        if url != "/me/department":  # the system administrator works in no department
            assert_access_matrix(api_for, "GET", API + url, allowed=[sysadmin])
    assert api_for(sysadmin).get(f"{API}/me/department").status_code == 404


def test_tree_is_flat_parents_first_leadership_leading_without_hidden_departments(api_for: Any, org: dict[str, Any]) -> None:
    tree = _json(api_for(org["clerk"]), f"{API}/tree")
    names = [node["name"] for node in tree]
    assert names == ["市水务局", "局领导", "办公室", "信息中心", "市生态环境局"]
    by_name = {node["name"]: node for node in tree}
    assert by_name["办公室"]["parent_id"] == by_name["市水务局"]["id"] and by_name["局领导"]["kind"] == "leadership"
    assert "保密办" in [node["name"] for node in _json(api_for(org["keeper"]), f"{API}/tree")]


def test_department_with_members_in_order(api_for: Any, org: dict[str, Any]) -> None:
    office = _json(api_for(org["clerk"]), f"{API}/departments/{org['office'].pk}")
    assert [member["username"] for member in office["members"]] == ["head", "deputy", "clerk"]
    assert [node["name"] for node in office["trail"]] == ["市水务局", "办公室"]
    head = office["members"][0]
    assert [(post["department"], post["post"], post["is_leader"]) for post in head["posts"]] == [
        ("办公室", "主任", True), ("信息中心", "主任", True)]
    unit = _json(api_for(org["clerk"]), f"{API}/departments/{org['unit'].pk}")
    assert [child["name"] for child in unit["children"]] == ["局领导", "办公室", "信息中心"]
    assert api_for(org["clerk"]).get(f"{API}/departments/{org['secret'].pk}").status_code == 404
    assert api_for(org["keeper"]).get(f"{API}/departments/{org['secret'].pk}").status_code == 200
    assert api_for(org["clerk"]).get(f"{API}/departments/999999").status_code == 404


def test_my_department(api_for: Any, org: dict[str, Any]) -> None:
    assert _json(api_for(org["head"]), f"{API}/me/department")["name"] == "办公室"


def test_person_card_and_leaders(api_for: Any, org: dict[str, Any]) -> None:
    services.update_person(acting_user=None, user=org["clerk"], status="on_leave")
    card = _json(api_for(org["head"]), f"{API}/people/{org['clerk'].pk}")
    assert card["name"] == "王小明" and card["status"] == "on_leave"
    assert (card["mobile"], card["email"], card["office_phone"]) == ("13900000001", "clerk@swj.example.cn", "0571-87020001")
    assert [superior["username"] for superior in card["superiors"]] == ["head"]
    client = api_for(org["outsider"])
    assert [leader["username"] for leader in _json(client, f"{API}/people/{org['clerk'].pk}/leaders")] == ["head"]
    assert [leader["username"] for leader in _json(client, f"{API}/people/{org['clerk'].pk}/leaders", levels=2)] == ["director"]
    assert _json(client, f"{API}/people/{org['clerk'].pk}/leaders", levels=3) == []
    assert client.get(f"{API}/people/{org['clerk'].pk}/leaders", {"levels": 0}).status_code == 422
    assert client.get(f"{API}/people/{org['keeper'].pk}").status_code == 404
    assert client.get(f"{API}/people/{org['keeper'].pk}/leaders").status_code == 404


def test_search(api_for: Any, org: dict[str, Any]) -> None:
    found = _json(api_for(org["outsider"]), f"{API}/search", q="李处长")
    assert [person["username"] for person in found] == ["head"]
    assert _json(api_for(org["outsider"]), f"{API}/search", q="严机要") == []
    assert [person["username"] for person in _json(api_for(org["keeper"]), f"{API}/search", q="严机要")] == ["keeper"]
    assert api_for(org["clerk"]).get(f"{API}/search").status_code == 422
