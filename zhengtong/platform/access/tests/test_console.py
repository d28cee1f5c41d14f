"""The security administrator's console and API: who may use them, and what they change."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from zhengtong.platform.access.models import ClassificationLevel, ObjectGrant, Role
from zhengtong.platform.access.policy import role_codes_of
from zhengtong.platform.access.services import grant
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.testing import assert_access_matrix


def _plain_client(user):
    """A signed-in client without CSRF enforcement: the matrix is about permissions."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _form_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/security/levels/")  # a page with a form sets the CSRF cookie
    return client


def _post(client: Client, url: str, data: dict | None = None, **extra):
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.cookies["zt_csrf"].value}, **extra)


PAGES = [
    ("GET", "/security/", 200), ("GET", "/security/people/{clerk}/", 200), ("GET", "/security/roles/", 200),
    ("GET", "/security/roles/new/", 200), ("GET", "/security/roles/staff/", 200), ("GET", "/security/levels/", 200),
    ("GET", "/security/grants/", 200), ("GET", "/security/policy/", 200),
    ("POST", "/security/people/{clerk}/roles/", 302), ("POST", "/security/people/{clerk}/roles/staff/revoke/", 302),
    ("POST", "/security/people/{clerk}/clearance/", 302), ("POST", "/security/levels/1/", 302),
]
ENDPOINTS = [
    ("GET", "/api/access/roles", None, 200), ("GET", "/api/access/people", None, 200), ("GET", "/api/access/levels", None, 200),
    ("GET", "/api/access/policy", None, 200),
    ("POST", "/api/access/people/{clerk}/roles", {"role": "security_admin"}, 201),
    ("PUT", "/api/access/people/{clerk}/clearance", {"rank": 2}, 200),
    ("PATCH", "/api/access/levels/1", {"name": "内部事项"}, 200),
]


@pytest.mark.parametrize("method, url, status", PAGES)
def test_console_pages_are_the_security_administrators(method, url, status, secadmin, sysadmin, auditor, clerk):
    assert_access_matrix(_plain_client, method, url.format(clerk=clerk.pk), allowed=[secadmin], denied=[sysadmin, auditor, clerk],
                         allowed_status=status)


@pytest.mark.parametrize("method, url, data, status", ENDPOINTS)
def test_console_api_is_the_security_administrators(method, url, data, status, secadmin, sysadmin, auditor, clerk, api_for):
    assert_access_matrix(api_for, method, url.format(clerk=clerk.pk), data=data, allowed=[secadmin],
                         denied=[sysadmin, auditor, clerk], allowed_status=status)


def test_revoke_endpoint_matrix(secadmin, sysadmin, auditor, clerk, api_for):
    assert_access_matrix(api_for, "DELETE", f"/api/access/people/{clerk.pk}/roles/staff", denied=[sysadmin, auditor, clerk],
                         allowed=[secadmin], allowed_status=204)
    assert "staff" not in role_codes_of(clerk)


def test_add_level_endpoint_matrix(secadmin, sysadmin, auditor, clerk, api_for):
    with override_settings(MAX_CLASSIFICATION=3):
        assert_access_matrix(api_for, "POST", "/api/access/levels", data={"name": "机密"}, denied=[sysadmin, auditor, clerk],
                             allowed=[secadmin], allowed_status=201)
    assert ClassificationLevel.objects.get(rank=3).name == "机密"


def test_an_audit_administrator_cannot_change_a_role(auditor, clerk, api_for):
    api = api_for(auditor)
    before_roles, before_records = set(role_codes_of(clerk)), AuditRecord.objects.exclude(action="access.denied").count()
    response = api.post(f"/api/access/people/{clerk.pk}/roles", {"role": "system_admin"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert api.delete(f"/api/access/people/{clerk.pk}/roles/staff").status_code == 403
    assert set(role_codes_of(clerk)) == before_roles
    assert AuditRecord.objects.exclude(action="access.denied").count() == before_records


def test_a_second_administrator_role_is_refused_with_a_clear_message(secadmin, sysadmin, api_for):
    client = _form_client(secadmin)
    response = _post(client, f"/security/people/{sysadmin.pk}/roles/", {"role": "audit_admin"}, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert any("sysadmin" in message for message in shown), shown
    assert set(role_codes_of(sysadmin)) == {"system_admin"}
    refused = api_for(secadmin).post(f"/api/access/people/{sysadmin.pk}/roles", {"role": "security_admin"}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["error"] == "separation_of_duties"
    assert set(role_codes_of(sysadmin)) == {"system_admin"}
    assert not AuditRecord.objects.filter(action="access.role_assigned", object_id=str(sysadmin.pk), actor_id=secadmin.pk).exists()


def test_assign_and_revoke_on_the_page(secadmin, clerk):
    client = _form_client(secadmin)
    _post(client, f"/security/people/{clerk.pk}/roles/", {"role": "audit_admin"})
    assert set(role_codes_of(clerk)) == {"staff", "audit_admin"}
    _post(client, f"/security/people/{clerk.pk}/roles/audit_admin/revoke/")
    assert set(role_codes_of(clerk)) == {"staff"}
    revoked = AuditRecord.objects.filter(action="access.role_revoked").latest("pk")
    assert revoked.changes == {"roles": [["audit_admin", "staff"], ["staff"]]} and revoked.actor_id == secadmin.pk


def test_clearance_change_is_audited_old_to_new(secadmin, clerk, api_for):
    client = _form_client(secadmin)
    _post(client, f"/security/people/{clerk.pk}/clearance/", {"rank": "2"})
    clerk.refresh_from_db()
    assert clerk.clearance == 2
    entry = AuditRecord.objects.filter(action="access.clearance_set").latest("pk")
    assert entry.changes == {"clearance": [1, 2]} and entry.actor_id == secadmin.pk and entry.object_id == str(clerk.pk)
    response = api_for(secadmin).put(f"/api/access/people/{clerk.pk}/clearance", {"rank": 0}, content_type="application/json")
    assert response.json()["clearance"] == 0
    assert AuditRecord.objects.filter(action="access.clearance_set").latest("pk").changes == {"clearance": [2, 0]}
    bad = api_for(secadmin).put(f"/api/access/people/{clerk.pk}/clearance", {"rank": 9}, content_type="application/json")
    assert bad.status_code == 422 and "rank" in bad.json()["fields"]


def test_nobody_changes_their_own_roles_or_clearance(secadmin, api_for):
    api = api_for(secadmin)
    assert api.post(f"/api/access/people/{secadmin.pk}/roles", {"role": "staff"}, content_type="application/json").json()["error"] == "self"
    assert api.put(f"/api/access/people/{secadmin.pk}/clearance", {"rank": 2}, content_type="application/json").json()["error"] == "self"
    assert api.delete(f"/api/access/people/{secadmin.pk}/roles/security_admin").status_code == 403
    secadmin.refresh_from_db()
    assert set(role_codes_of(secadmin)) == {"security_admin"} and secadmin.clearance == 0


def test_people_list_shows_roles_and_clearance(secadmin, clerk, head, api_for):
    page = _plain_client(secadmin).get("/security/", {"q": "王小"})
    assert [person.username for person in page.context["page"]] == ["clerk"]
    assert "工作人员".encode() in page.content or b"Staff" in page.content
    people = {p["username"]: p for p in api_for(secadmin).get("/api/access/people").json()["items"]}
    assert people["head"] == {**people["head"], "roles": ["staff"], "clearance": 2}


def test_custom_roles_are_created_and_edited_built_in_ones_are_read_only(secadmin):
    client = _form_client(secadmin)
    response = _post(client, "/security/roles/new/", {"code": "news_editor", "name": "新闻编辑", "permissions": ["staff.use_apps"]})
    assert response.status_code == 302
    role = Role.objects.get(code="news_editor")
    assert role.permissions == ["staff.use_apps"] and not role.is_builtin
    _post(client, "/security/roles/news_editor/", {"name": "新闻审核", "permissions": []})
    role.refresh_from_db()
    assert role.name == "新闻审核" and role.permissions == []
    assert AuditRecord.objects.filter(action="access.role_updated").latest("pk").changes["name"] == ["新闻编辑", "新闻审核"]
    refused = _post(client, "/security/roles/new/", {"code": "sneaky", "name": "偷偷", "permissions": ["audit.view"]})
    assert refused.status_code == 400 and not Role.objects.filter(code="sneaky").exists()
    duplicate = _post(client, "/security/roles/new/", {"code": "staff", "name": "重复"})
    assert duplicate.status_code == 400
    builtin = client.get("/security/roles/audit_admin/")
    assert builtin.context["form"] is None
    _post(client, "/security/roles/audit_admin/", {"name": "改", "permissions": ["staff.use_apps"]})
    assert Role.objects.get(code="audit_admin").permissions == ["audit.view", "audit.export", "audit.verify"]


def test_levels_are_added_on_top_and_renamed(secadmin):
    client = _form_client(secadmin)
    refused = _post(client, "/security/levels/", {"name": "机密"})
    assert refused.status_code == 400 and not ClassificationLevel.objects.filter(name="机密").exists()
    with override_settings(MAX_CLASSIFICATION=3):
        assert _post(client, "/security/levels/", {"name": "机密", "description": "限少数人员"}).status_code == 302
    assert ClassificationLevel.objects.get(name="机密").rank == 3
    _post(client, "/security/levels/0/", {"name": "公开信息", "description": "可对外公开"})
    assert ClassificationLevel.objects.get(rank=0).name == "公开信息"
    duplicate = _post(client, "/security/levels/0/", {"name": "内部"}, follow=True)
    assert ClassificationLevel.objects.get(rank=0).name == "公开信息"
    assert any("内部" in str(message) for message in duplicate.context["messages"])
    assert AuditRecord.objects.filter(action="access.level_renamed").latest("pk").changes["name"] == ["公开", "公开信息"]


def test_grants_are_listed_and_revoked(secadmin, clerk, head):
    object_grant = grant(acting_user=secadmin, user=clerk, action="bulletins.view", obj=head)
    client = _form_client(secadmin)
    listing = client.get("/security/grants/")
    assert list(listing.context["page"]) == [object_grant]
    # The object is shown by type and id, never by what it says.
    assert "李处长".encode() not in listing.content and f"accounts.user</code> #{head.pk}".encode() in listing.content
    _post(client, f"/security/grants/{object_grant.pk}/revoke/")
    assert not ObjectGrant.objects.exists()
    assert AuditRecord.objects.filter(action="access.grant_revoked", actor_id=secadmin.pk).exists()


def test_policy_values_come_from_settings(secadmin, api_for):
    with override_settings(LOCKOUT_THRESHOLD=7, AUDIT_RETENTION_DAYS=365):
        page = _plain_client(secadmin).get("/security/policy/")
        values = {item["setting"]: item["value"] for item in api_for(secadmin).get("/api/access/policy").json()}
    assert b"LOCKOUT_THRESHOLD" in page.content
    assert values["LOCKOUT_THRESHOLD"] == "7" and values["AUDIT_RETENTION_DAYS"] == "365"
    assert {"SESSION_IDLE_MINUTES", "PASSWORD_MIN_LENGTH", "MFA_REQUIRED_FOR"} <= set(values)

