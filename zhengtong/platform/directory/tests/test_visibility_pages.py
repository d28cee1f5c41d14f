"""The security administrator's visibility page, and the rules enforced alike in pages, search and API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.directory import services
from zhengtong.platform.directory.models import Department, FieldRestriction
from zhengtong.platform.directory.tests.pages_org import build_org
from zhengtong.testing import assert_access_matrix

HEAD_MOBILE = "13900000002"


@pytest.fixture
def org(clerk: Any, head: Any, outsider: Any) -> dict[str, Any]:
    return build_org(clerk, head, outsider)


def _post(client: Any, url: str, data: dict[str, Any] | None = None) -> Any:
    client.get(reverse("directory:visibility"))
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.cookies[settings.CSRF_COOKIE_NAME].value})


def _text(response: Any) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def _everywhere(client: Any, api: Any, org: dict[str, Any], text: str) -> dict[str, bool]:
    """Whether ``text`` appears in each page, search result and API answer that shows the head."""
    office, head = org["office"].pk, org["head"].pk
    answers = {
        "department page": client.get(reverse("directory:department", args=[office])).content.decode(),
        "person card": client.get(reverse("directory:person", args=[head])).content.decode(),
        "search page": client.get(reverse("ui:directory"), {"q": "李处长"}).content.decode(),
        "department API": _text(api.get(f"/api/directory/departments/{office}")),
        "person API": _text(api.get(f"/api/directory/people/{head}")),
        "search API": _text(api.get("/api/directory/search", {"q": "李处长"})),
    }
    assert all("李处长" in answer for answer in answers.values())  # the person is there, whatever the field
    return {where: text in answer for where, answer in answers.items()}


def test_only_the_security_administrator_manages_visibility(client_for: Any, org: dict[str, Any], sysadmin: Any, secadmin: Any,
                                                            auditor: Any) -> None:
    assert_access_matrix(client_for, "GET", reverse("directory:visibility"), allowed=[secadmin],
                         denied=[org["clerk"], sysadmin, auditor])
    for url in (reverse("directory:restriction_add"), reverse("directory:confidential")):
        assert_access_matrix(client_for, "POST", url, denied=[org["clerk"], sysadmin, auditor])
    assert "directory_visibility" in client_for(secadmin).get(reverse("ui:apps")).content.decode()
    assert "directory_visibility" not in client_for(sysadmin).get(reverse("ui:apps")).content.decode()


def test_a_leaders_mobile_hidden_from_other_departments_in_pages_search_and_api(
        client_for: Any, api_for: Any, org: dict[str, Any], secadmin: Any) -> None:
    admin = client_for(secadmin)
    response = _post(admin, reverse("directory:restriction_add"),
                     {"field": "mobile", "subjects": "leaders", "audience": "same_department"})
    assert response.status_code == 302
    restriction = FieldRestriction.objects.get()
    assert AuditRecord.objects.filter(action="directory.field_restriction_created", actor_id=secadmin.pk).exists()
    assert "本部门" in admin.get(reverse("directory:visibility")).content.decode().split('id="restrictions"')[1]
    outsider = _everywhere(client_for(org["outsider"]), api_for(org["outsider"]), org, HEAD_MOBILE)
    assert not any(outsider.values()), outsider
    colleague = _everywhere(client_for(org["clerk"]), api_for(org["clerk"]), org, HEAD_MOBILE)
    assert all(colleague.values()), colleague
    card = client_for(org["outsider"]).get(reverse("directory:person", args=[org["head"].pk])).content.decode()
    assert "不对您显示" in card.split('data-field="mobile"')[1].split("</dd>")[0]
    assert api_for(org["outsider"]).get(f"/api/directory/people/{org['head'].pk}").json()["mobile"] is None
    # The clerk is no leader: their mobile stays visible to everyone.
    assert api_for(org["outsider"]).get(f"/api/directory/people/{org['clerk'].pk}").json()["mobile"] == "13900000001"

    assert _post(admin, reverse("directory:restriction_delete", args=[restriction.pk])).status_code == 302
    assert all(_everywhere(client_for(org["outsider"]), api_for(org["outsider"]), org, HEAD_MOBILE).values())
    assert AuditRecord.objects.filter(action="directory.field_restriction_deleted", actor_id=secadmin.pk).exists()


def test_a_confidential_department_hidden_from_outsiders_in_tree_page_search_and_api(
        client_for: Any, api_for: Any, org: dict[str, Any], secadmin: Any) -> None:
    info = org["info"]
    admin = client_for(secadmin)
    assert _post(admin, reverse("directory:confidential"), {"department": info.pk, "confidential": "1"}).status_code == 302
    info.refresh_from_db()
    assert info.is_confidential and "信息中心" in admin.get(reverse("directory:visibility")).content.decode()
    outsider, api = client_for(org["outsider"]), api_for(org["outsider"])
    unit_page = outsider.get(reverse("directory:department", args=[org["unit"].pk])).content.decode()
    assert "信息中心" not in unit_page
    assert outsider.get(reverse("directory:department", args=[info.pk])).status_code == 404
    assert "信息中心" not in api.get("/api/directory/tree").content.decode()
    assert api.get(f"/api/directory/departments/{info.pk}").status_code == 404
    # The head also heads 办公室: found, but without the hidden post.
    found = api.get("/api/directory/search", {"q": "李处长"}).json()
    assert [post["department"] for post in found[0]["posts"]] == ["办公室"]
    assert "信息中心" not in outsider.get(reverse("ui:directory"), {"q": "李处长"}).content.decode().split('id="people"')[1]
    assert "信息中心" not in outsider.get(reverse("directory:person", args=[org["head"].pk])).content.decode()
    # Its own people still see it.
    assert client_for(org["head"]).get(reverse("directory:department", args=[info.pk])).status_code == 200

    assert _post(admin, reverse("directory:confidential"), {"department": info.pk, "confidential": "0"}).status_code == 302
    assert outsider.get(reverse("directory:department", args=[info.pk])).status_code == 200
    assert AuditRecord.objects.filter(action="directory.department_confidentiality", actor_id=secadmin.pk).count() == 2


def test_bad_restrictions_are_refused(client_for: Any, org: dict[str, Any], secadmin: Any) -> None:
    admin = client_for(secadmin)
    response = _post(admin, reverse("directory:restriction_add"), {"field": "mobile", "subjects": "department", "audience": "nobody"})
    assert response.status_code == 400 and "选择" in response.content.decode()
    fax = {"field": "fax", "subjects": "everyone", "audience": "nobody"}
    assert _post(admin, reverse("directory:restriction_add"), fax).status_code == 400
    assert _post(admin, reverse("directory:confidential"), {"department": 999999, "confidential": "1"}).status_code == 400
    assert not FieldRestriction.objects.exists() and not Department.objects.filter(is_confidential=True).exclude(
        pk=org["secret"].pk).exists()


def test_one_departments_people_restricted_to_nobody(client_for: Any, api_for: Any, org: dict[str, Any], secadmin: Any) -> None:
    services.create_field_restriction(acting_user=secadmin, field="email", subjects="department", audience="nobody",
                                      department=org["office"])
    assert api_for(org["head"]).get(f"/api/directory/people/{org['clerk'].pk}").json()["email"] is None
    assert api_for(org["clerk"]).get(f"/api/directory/people/{org['clerk'].pk}").json()["email"] == "clerk@swj.example.cn"
    assert api_for(org["head"]).get(f"/api/directory/people/{org['director'].pk}").json()["email"] == "director@swj.example.cn"


def test_a_persons_leaders_do_not_tell_who_heads_a_hidden_department(api_for: Any, org: dict[str, Any]) -> None:
    """An aide works in 保密办 first and in 办公室 too: outside 保密办, their superior is 办公室's head, not 保密办's."""
    from conftest import make_person

    services.add_membership(acting_user=None, user=org["director"], department=org["secret"], is_leader=True)
    aide = make_person("aide", "兼职秘书", roles=("staff",))
    services.add_membership(acting_user=None, user=aide, department=org["secret"], is_primary=True)
    services.add_membership(acting_user=None, user=aide, department=org["office"])
    outsider = api_for(org["outsider"])
    assert [leader["id"] for leader in outsider.get(f"/api/directory/people/{aide.pk}/leaders").json()] == [org["head"].pk]
    assert [superior["id"] for superior in outsider.get(f"/api/directory/people/{aide.pk}").json()["superiors"]] == [org["head"].pk]
    # Inside 保密办 its heads are the answer.
    inside = api_for(org["keeper"]).get(f"/api/directory/people/{aide.pk}/leaders").json()
    assert {leader["id"] for leader in inside} == {org["keeper"].pk, org["director"].pk}
