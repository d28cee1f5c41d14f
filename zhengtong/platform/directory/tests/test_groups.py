"""Groups across departments: pages to list, create and staff them, and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.directory import services
from zhengtong.platform.directory.models import Group, GroupMember
from zhengtong.platform.directory.tests.pages_org import build_org
from zhengtong.testing import assert_access_matrix


@pytest.fixture
def org(clerk: Any, head: Any, outsider: Any) -> dict[str, Any]:
    found = build_org(clerk, head, outsider)
    group = services.create_group(acting_user=None, name="防汛应急小组", kind=Group.Kind.EMERGENCY, unit=found["unit"])
    for person, leads in ((found["clerk"], False), (found["keeper"], False), (found["head"], True)):
        services.add_group_member(acting_user=None, group=group, user=person, is_leader=leads)
    return {**found, "group": group}


def _csrf(client: Any) -> str:
    from django.conf import settings

    client.get(reverse("directory:group_create"))
    return str(client.cookies[settings.CSRF_COOKIE_NAME].value)


def _post(client: Any, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": _csrf(client)})


def test_who_reads_and_who_manages_groups(client_for: Any, org: dict[str, Any], sysadmin: Any, secadmin: Any) -> None:
    group = org["group"]
    for url in (reverse("directory:groups"), reverse("directory:group", args=[group.pk])):
        assert_access_matrix(client_for, "GET", url, allowed=[org["clerk"], sysadmin], denied=[secadmin])
    assert_access_matrix(client_for, "GET", reverse("directory:group_create"), allowed=[sysadmin], denied=[org["clerk"], secadmin])
    for url in (reverse("directory:group_member_add", args=[group.pk]),
                reverse("directory:group_member_remove", args=[group.pk, org["clerk"].pk])):
        assert_access_matrix(client_for, "POST", url, denied=[org["clerk"], org["head"], secadmin])
    assert GroupMember.objects.filter(group=group).count() == 3


def test_group_page_lists_leaders_first_and_hides_confidential_members(client_for: Any, org: dict[str, Any]) -> None:
    page = client_for(org["outsider"]).get(reverse("directory:group", args=[org["group"].pk])).content.decode()
    members = page.split('id="members"', 1)[1]
    assert members.index("李处长") < members.index("王小明")
    assert "严机要" not in members and "add-member" not in page and "data-remove" not in page
    assert "严机要" in client_for(org["keeper"]).get(reverse("directory:group", args=[org["group"].pk])).content.decode()
    listing = client_for(org["clerk"]).get(reverse("directory:groups")).content.decode()
    assert "防汛应急小组" in listing and "new-group" not in listing


def test_the_system_administrator_creates_a_group_and_staffs_it(client_for: Any, org: dict[str, Any], sysadmin: Any) -> None:
    client = client_for(sysadmin)
    assert "new-group" in client.get(reverse("directory:groups")).content.decode()
    response = _post(client, reverse("directory:group_create"), {"name": "智慧水务项目组", "kind": "project", "description": "数据平台"})
    group = Group.objects.get(name="智慧水务项目组")
    assert response.status_code == 302 and response.url == reverse("directory:group", args=[group.pk])
    add = reverse("directory:group_member_add", args=[group.pk])
    assert _post(client, add, {"person": "deputy"}).status_code == 302
    assert _post(client, add, {"person": "head", "is_leader": "on"}).status_code == 302
    page = client.get(reverse("directory:group", args=[group.pk])).content.decode()
    assert page.index("李处长") < page.index("吴副主任") and "add-member" in page
    assert _post(client, reverse("directory:group_member_remove", args=[group.pk, org["deputy"].pk])).status_code == 302
    assert list(GroupMember.objects.filter(group=group).values_list("user__username", flat=True)) == ["head"]
    actions = set(AuditRecord.objects.filter(actor_id=sysadmin.pk).values_list("action", flat=True))
    assert {"directory.group_created", "directory.group_member_added", "directory.group_member_removed"} <= actions


def test_bad_input_is_explained_and_changes_nothing(client_for: Any, org: dict[str, Any], sysadmin: Any) -> None:
    client = client_for(sysadmin)
    add = reverse("directory:group_member_add", args=[org["group"].pk])
    unknown = _post(client, add, {"person": "nobody"})
    assert unknown.status_code == 400 and "没有" in unknown.content.decode()
    twice = _post(client, add, {"person": "clerk"})
    assert twice.status_code == 400 and "已在" in twice.content.decode()
    nameless = _post(client, reverse("directory:group_create"), {"name": "", "kind": "project"})
    assert nameless.status_code == 400 and "errorlist" in nameless.content.decode()  # the form says what is missing
    assert GroupMember.objects.filter(group=org["group"]).count() == 3 and Group.objects.count() == 1


def test_groups_api(api_for: Any, org: dict[str, Any], secadmin: Any) -> None:
    group = org["group"]
    assert_access_matrix(api_for, "GET", f"/api/directory/groups/{group.pk}", allowed=[org["clerk"]], denied=[secadmin])
    listed = api_for(org["clerk"]).get("/api/directory/groups").json()
    assert [(item["name"], item["kind"], item["unit_id"]) for item in listed] == [("防汛应急小组", "emergency", org["unit"].pk)]
    members = api_for(org["outsider"]).get(f"/api/directory/groups/{group.pk}").json()["members"]
    assert [(member["username"], member["is_group_leader"]) for member in members] == [("head", True), ("clerk", False)]
    assert api_for(org["clerk"]).get("/api/directory/groups/999999").status_code == 404
