"""The app list (GET /api/apps): what the 应用 page shows, each app with the person's open to-dos in it."""

from typing import Any

from zhengtong.platform.todo import services as todo
from zhengtong.platform.todo.models import IntegratedSystem
from zhengtong.testing import assert_access_matrix


def test_each_person_gets_the_apps_their_roles_open_with_their_to_dos(api_for: Any, clerk: Any, auditor: Any, sysadmin: Any) -> None:
    assert_access_matrix(api_for, "GET", "/api/apps", allowed=[clerk, auditor])
    system, _token = todo.create_system(acting_user=sysadmin, name="防汛指挥系统", code="flood", base_url="https://flood.example.gov.cn",
                                        scopes=[IntegratedSystem.Scope.TODOS])
    todo.push_todo(system=system, external_id="w-1", username="clerk", title="汛情会商", link="https://flood.example.gov.cn/w/1")
    apps = {app["key"]: app for app in api_for(clerk).get("/api/apps").json()}
    assert {"workflow", "documents", "bulletins", "flood"} <= set(apps) and "audit" not in apps
    assert apps["flood"] == {"key": "flood", "label": "防汛指挥系统", "icon": "apps", "url": "https://flood.example.gov.cn",
                             "group": "business", "todo": 1, "builtin": False}
    assert apps["documents"]["url"] == "/apps/documents/" and apps["documents"]["builtin"] is True
    # The audit administrator sees the consoles of the audit trail, not the business apps (三权分立).
    assert {app["key"] for app in api_for(auditor).get("/api/apps").json()} == {"audit", "message_audit", "chat_audit"}
