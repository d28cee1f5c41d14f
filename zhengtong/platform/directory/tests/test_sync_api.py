"""The sync API by external id, through the full API stack (mounted test-locally at /api/directory/sync)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path
from ninja import NinjaAPI

from zhengtong.api import api
from zhengtong.platform.access.services import assign_role, create_role
from zhengtong.platform.directory.models import ChangeEvent, Department, Membership
from zhengtong.platform.directory.sync_api import router
from zhengtong.testing import assert_access_matrix

# Until zhengtong/api.py mounts the router, the tests mount it on an API of their own with
# the same authentication and error handlers, and point the URLs at it.
_test_api = NinjaAPI(auth=api.auth, urls_namespace="sync_test")
for _exception, _handler in api._exception_handlers.items():
    _test_api.add_exception_handler(_exception, _handler)
_test_api.add_router("/directory/sync", router)
urlpatterns = [path("api/", _test_api.urls)]
pytestmark = pytest.mark.urls(__name__)

BASE = "/api/directory/sync"


def _send(client: Any, method: str, url: str, data: Any = None) -> Any:
    return client.generic(method, BASE + url, json.dumps(data) if data is not None else "", content_type="application/json")


@pytest.fixture
def integration(secadmin: Any) -> Any:
    """An HR system's account: directory.sync through a custom role, nothing else."""
    from conftest import make_person

    user = make_person("hr-sync", "人事系统")
    role = create_role(acting_user=secadmin, code="hr_sync", name="人事同步", permissions=["directory.sync"])
    assign_role(acting_user=None, user=user, role=role)
    return user


@pytest.fixture
def hr(api_for: Any, integration: Any) -> Any:
    return api_for(integration)


def test_access_matrix(api_for: Any, clerk: Any, secadmin: Any, sysadmin: Any, integration: Any) -> None:
    for method, url, data, status in [
        ("GET", f"{BASE}/departments", None, 200),
        ("GET", f"{BASE}/changes", None, 200),
        ("PUT", f"{BASE}/departments/u1", {"name": "市水务局", "kind": "unit"}, 201),
    ]:
        assert_access_matrix(api_for, method, url, data=data, denied=[clerk, secadmin], allowed=[integration], allowed_status=status)
    assert_access_matrix(api_for, "PUT", f"{BASE}/departments/u1", data={"name": "市水务局", "kind": "unit"},
                         denied=[clerk], allowed=[sysadmin, integration])


def test_departments_created_updated_moved_disabled_enabled(hr: Any) -> None:
    assert _send(hr, "PUT", "/departments/u1", {"name": "市水务局", "kind": "unit"}).status_code == 201
    assert _send(hr, "PUT", "/departments/d1", {"name": "办公室", "parent": "u1"}).status_code == 201
    assert _send(hr, "PUT", "/departments/d2", {"name": "信息中心", "parent": "u1"}).status_code == 201
    response = _send(hr, "PUT", "/departments/d1", {"name": "办公室（新）", "parent": "u1", "order": 3})
    assert response.status_code == 200 and response.json()["name"] == "办公室（新）"
    before = ChangeEvent.objects.count()
    assert _send(hr, "PUT", "/departments/d1", {"name": "办公室（新）", "parent": "u1", "order": 3}).status_code == 200
    assert ChangeEvent.objects.count() == before  # the same again changes nothing
    assert _send(hr, "POST", "/departments/d1/move", {"parent": "d2"}).json()["parent"] == "d2"
    assert _send(hr, "POST", "/departments/d2/move", {"parent": "d1"}).status_code == 422  # into its own subtree
    assert _send(hr, "POST", "/departments/d1/disable").json()["is_active"] is False
    assert _send(hr, "POST", "/departments/d1/enable").json()["is_active"] is True
    assert hr.get(f"{BASE}/departments/d1").json()["parent"] == "d2"
    assert [e.action for e in ChangeEvent.objects.filter(external_id="d1").order_by("id")] == [
        "created", "updated", "moved", "disabled", "enabled"]


def test_errors_change_nothing(hr: Any) -> None:
    assert hr.get(f"{BASE}/departments/nope").status_code == 404
    assert _send(hr, "POST", "/departments/nope/disable").status_code == 404
    response = _send(hr, "PUT", "/departments/d1", {"name": "办公室", "parent": "nowhere"})
    assert response.status_code == 422 and "parent" in response.json()["fields"]
    assert _send(hr, "PUT", "/departments/d1", {"name": "办公室"}).status_code == 422  # a department needs a parent
    assert _send(hr, "PUT", "/departments/d1", {"kind": "unit"}).status_code == 422  # no name
    assert Department.objects.count() == 0 and ChangeEvent.objects.count() == 0
    _send(hr, "PUT", "/departments/u1", {"name": "市水务局", "kind": "unit", "code": "SWJ"})
    response = _send(hr, "PUT", "/departments/u2", {"name": "市环保局", "kind": "unit", "code": "SWJ"})
    assert response.status_code == 422 and "code" in response.json()["fields"]
    response = _send(hr, "PUT", "/departments/u1", {"name": "市水务局", "kind": "unit", "is_confidential": True})
    assert response.status_code == 403 and not Department.objects.get(external_id="u1").is_confidential



def _writes(queries: CaptureQueriesContext) -> list[str]:
    """The statements that wrote to the organisation's tables, rolled back or not (the audit trail aside)."""
    return [query["sql"] for query in queries.captured_queries if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", query["sql"], re.IGNORECASE)
            and re.search(r"directory_|accounts_user\b", query["sql"])]


def test_a_refused_relabelling_is_refused_before_anything_is_written(hr: Any) -> None:
    """Confidentiality is the security administrator's: the HR system's department is not made first and rolled back."""
    with CaptureQueriesContext(connection) as queries:
        response = _send(hr, "PUT", "/departments/u9", {"name": "保密办", "kind": "unit", "is_confidential": True})
    assert response.status_code == 403
    assert not _writes(queries)
    # The refusal comes first: an unauthorised caller learns nothing from the validation of the rest.
    assert _send(hr, "PUT", "/departments/u9", {"name": "", "kind": "unit", "is_confidential": True}).status_code == 403
    assert not Department.objects.filter(external_id="u9").exists()


def test_a_person_refused_for_a_bad_status_is_refused_before_the_account_is_touched(hr: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = _send(hr, "PUT", "/people/e9", {"username": "newbie", "display_name": "新人", "status": "bogus"})
    assert response.status_code == 422 and "status" in response.json()["fields"]
    assert not _writes(queries)
    assert _send(hr, "PUT", "/people/e9", {"username": "newbie", "display_name": "新人"}).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = _send(hr, "PUT", "/people/e9", {"username": "newbie", "display_name": "新名字", "status": "bogus"})
    assert response.status_code == 422 and not _writes(queries)
    assert get_user_model().objects.get(username="newbie").display_name == "新人"

def test_posts_and_people(hr: Any, clerk: Any) -> None:
    _send(hr, "PUT", "/departments/u1", {"name": "市水务局", "kind": "unit"})
    _send(hr, "PUT", "/departments/d1", {"name": "办公室", "parent": "u1"})
    _send(hr, "PUT", "/departments/d2", {"name": "信息中心", "parent": "u1"})
    assert _send(hr, "PUT", "/posts/p1", {"department": "d1", "name": "主任"}).status_code == 201
    assert _send(hr, "PUT", "/posts/p2", {"department": "d2", "name": "科员"}).status_code == 201
    response = _send(hr, "PUT", "/people/e1", {"username": "zhangsan", "display_name": "张三", "mobile": "13800000001"})
    assert response.status_code == 201
    zhang = get_user_model().objects.get(username="zhangsan")
    assert not zhang.has_usable_password()
    assert _send(hr, "PUT", "/people/e2", {"username": "clerk", "display_name": "冒名"}).status_code == 409
    assert _send(hr, "PUT", "/people/e1", {"username": "zhangsan2", "display_name": "张三"}).status_code == 409
    assert _send(hr, "PUT", "/people/e1", {"username": "zhangsan", "display_name": "张三", "mobile": "12"}).status_code == 422
    response = _send(hr, "PUT", "/people/e1", {"username": "zhangsan", "display_name": "张叁", "status": "on_leave"})
    assert response.status_code == 200 and response.json()["display_name"] == "张叁"
    memberships = [{"department": "d1", "post": "p1", "is_leader": True}, {"department": "d2", "order": 2}]
    response = _send(hr, "PUT", "/people/e1/memberships", memberships)
    assert response.status_code == 200, response.json()
    assert [(m["department"], m["is_primary"]) for m in response.json()["memberships"]] == [("d1", True), ("d2", False)]
    assert _send(hr, "PUT", "/people/e1/memberships", [{"department": "d1", "post": "p2"}]).status_code == 422
    assert _send(hr, "POST", "/posts/p1/move", {"department": "d2"}).status_code == 409  # held
    assert _send(hr, "DELETE", "/posts/p1").status_code == 409
    response = _send(hr, "PUT", "/people/e1/memberships", [{"department": "d2", "post": "p2", "is_primary": True}])  # a move
    assert [m["post"] for m in response.json()["memberships"]] == ["p2"]
    assert _send(hr, "POST", "/posts/p1/move", {"department": "d2"}).json()["department"] == "d2"
    assert _send(hr, "DELETE", "/posts/p1").status_code == 204
    assert hr.get(f"{BASE}/posts/p1").status_code == 404
    assert _send(hr, "POST", "/people/e1/disable", {"reason": "调离"}).json()["is_active"] is False
    assert Membership.objects.filter(user=zhang).count() == 1
    assert _send(hr, "POST", "/people/e1/enable").json()["is_active"] is True
    assert [p["external_id"] for p in hr.get(f"{BASE}/people").json()["items"]] == ["e1"]
    assert hr.get(f"{BASE}/people/nope").status_code == 404


def test_change_feed_by_cursor(hr: Any) -> None:
    assert hr.get(f"{BASE}/changes").json() == {"items": [], "next_cursor": "0", "more": False}
    for key in ("u1", "u2", "u3"):
        _send(hr, "PUT", f"/departments/{key}", {"name": key, "kind": "unit"})
    first = hr.get(f"{BASE}/changes", {"limit": 2}).json()
    assert [e["external_id"] for e in first["items"]] == ["u1", "u2"] and first["more"] is True
    rest = hr.get(f"{BASE}/changes", {"cursor": first["next_cursor"]}).json()
    assert [e["external_id"] for e in rest["items"]] == ["u3"] and rest["items"][0]["action"] == "created"
    assert hr.get(f"{BASE}/changes", {"cursor": rest["next_cursor"]}).json() == {"items": [], "next_cursor": rest["next_cursor"],
                                                                               "more": False}
    assert hr.get(f"{BASE}/changes", {"limit": 0}).status_code == 422
