"""What a bearer token stands for is cached per version of its person: every change shows on the very
next request, over real HTTP to a running server, with one query per request when nothing changed."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.platform.access.models import Role
from zhengtong.platform.access.services import assign_role, update_role
from zhengtong.platform.accounts import services
from zhengtong.platform.accounts.models import ApiToken


def call(live_server: Any, secret: str, path: str = "/api/accounts/me", method: str = "GET", body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{live_server.url}{path}", data=data, method=method,  # noqa: S310  (the test's own server)
                                     headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  (the test's own server)
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def reader(transactional_db: Any) -> Any:
    from conftest import make_person

    return make_person("reader", "读者", roles=("staff",), clearance=1)


def token_of(user: Any, *scopes: str) -> str:
    return services.create_token(user=user, name="script", scopes=list(scopes or ("read",)), days=1)[1]


def test_a_revoked_token_is_refused_on_the_next_request(live_server: Any, reader: Any) -> None:
    secret, admin = token_of(reader), token_of(reader, "read", "write")
    assert call(live_server, secret)[0] == 200  # cached now
    token_id = ApiToken.objects.get(prefix=secret.split("_")[1]).pk
    assert call(live_server, admin, f"/api/accounts/tokens/{token_id}", "DELETE")[0] == 204
    status, body = call(live_server, secret)
    assert status == 401 and body["error"] == "unauthenticated"


def test_a_disabled_person_is_refused_on_the_next_request(live_server: Any, reader: Any, sysadmin: Any) -> None:
    secret = token_of(reader)
    assert call(live_server, secret)[0] == 200
    services.disable_user(acting_user=sysadmin, user=reader)
    assert call(live_server, secret)[0] == 401
    services.enable_user(acting_user=sysadmin, user=reader)
    assert call(live_server, secret)[0] == 401  # disabling revoked the person's tokens for good


def test_a_role_change_shows_on_the_next_request(live_server: Any, reader: Any, secadmin: Any) -> None:
    secret = token_of(reader)
    assert call(live_server, secret)[1]["roles"] == ["staff"]
    assert call(live_server, secret, "/api/audit/records")[0] == 403
    admin = token_of(secadmin, "read", "write")
    assert call(live_server, admin, f"/api/access/people/{reader.pk}/roles", "POST", {"role": "audit_admin"})[0] == 201
    assert call(live_server, secret)[1]["roles"] == ["audit_admin", "staff"]
    assert call(live_server, secret, "/api/audit/records")[0] == 200
    assert call(live_server, admin, f"/api/access/people/{reader.pk}/roles/audit_admin", "DELETE")[0] == 204
    assert call(live_server, secret)[1]["roles"] == ["staff"]
    assert call(live_server, secret, "/api/audit/records")[0] == 403


def test_a_roles_new_permissions_reach_its_holders_on_the_next_request(live_server: Any, reader: Any, secadmin: Any) -> None:
    role = Role.objects.create(code="integrators", name="对接组", permissions=[])
    assign_role(acting_user=None, user=reader, role=role)
    secret = token_of(reader)
    assert call(live_server, secret, "/api/directory/sync/changes")[0] == 403
    update_role(acting_user=secadmin, role=role, name=role.name, permissions=["directory.sync"])
    assert call(live_server, secret, "/api/directory/sync/changes")[0] == 200


def test_a_changed_name_and_clearance_show_on_the_next_request(live_server: Any, reader: Any, sysadmin: Any, secadmin: Any) -> None:
    from zhengtong.platform.access.services import set_clearance

    secret = token_of(reader)
    assert call(live_server, secret)[1]["display_name"] == "读者"
    services.update_user(acting_user=sysadmin, user=reader, display_name="读者甲")
    set_clearance(acting_user=secadmin, user=reader, rank=0)
    me = call(live_server, secret)[1]
    assert me["display_name"] == "读者甲" and me["clearance"] == 0


def test_an_unchanged_token_costs_one_query(client: Any, reader: Any) -> None:
    secret = token_of(reader)
    assert client.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["roles"] == ["staff"]
    assert len(queries) == 1, [query["sql"] for query in queries]
