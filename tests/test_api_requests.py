"""What every API caller gets: one error shape, size and type limits, CSRF for browsers."""

import json

import pytest

from zhengtong.apps.bulletins.models import Bulletin
from zhengtong.platform.audit.models import AuditRecord

URL = "/api/bulletins/"


def post_json(client, body, **extra):
    return client.post(URL, body if isinstance(body, (str, bytes)) else json.dumps(body), content_type="application/json", **extra)


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    return body


def test_anonymous_gets_401_as_json(client):
    assert_error(client.get("/api/accounts/me"), 401, "unauthenticated")


def test_a_ten_megabyte_body_gets_413_and_nothing_is_stored(api_for, clerk):
    api = api_for(clerk)
    before = (Bulletin.objects.count(), AuditRecord.objects.count())
    huge = json.dumps({"title": "x", "body": "水" * (10 * 1024 * 1024 // 3), "classification": 0})
    assert len(huge.encode()) >= 10 * 1024 * 1024
    assert_error(post_json(api, huge), 413, "too_large")
    assert (Bulletin.objects.count(), AuditRecord.objects.count()) == before


def test_a_body_that_is_not_json_gets_415(api_for, clerk):
    response = api_for(clerk).post(URL, "title=x", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")
    assert not Bulletin.objects.exists()


def test_invalid_fields_get_422_naming_them_and_nothing_is_stored(api_for, clerk):
    body = assert_error(post_json(api_for(clerk), {"title": "缺正文"}), 422, "invalid")
    assert "body" in body["fields"]
    assert not Bulletin.objects.exists()


def test_malformed_json_is_refused_and_nothing_is_stored(api_for, clerk):
    response = post_json(api_for(clerk), '{"title": ')
    assert response.status_code in (400, 422)
    assert response.json()["error"]
    assert not Bulletin.objects.exists()


def test_a_service_refusal_is_a_clear_422(api_for, clerk):
    body = assert_error(post_json(api_for(clerk), {"title": "超密级", "body": "x", "classification": 2}), 422, "invalid")
    assert "classification" in body["fields"]
    assert not Bulletin.objects.exists()


def test_browser_session_calls_need_the_csrf_token(client_for, clerk):
    browser = client_for(clerk)
    response = post_json(browser, {"title": "t", "body": "b"})
    assert response.status_code == 403
    assert not Bulletin.objects.exists()
    browser.get("/me/")  # a page with a form sets the CSRF cookie
    token = browser.cookies["zt_csrf"].value
    response = post_json(browser, {"title": "t", "body": "b"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
    assert Bulletin.objects.count() == 1


def test_bearer_token_calls_need_no_csrf_token(api_for, clerk):
    response = post_json(api_for(clerk), {"title": "令牌发布", "body": "正文"})
    assert response.status_code == 201
    assert response.json()["title"] == "令牌发布"


@pytest.mark.parametrize("path", ["/api/openapi.json", "/api/docs"])
def test_the_api_describes_itself(client, path):
    assert client.get(path).status_code == 200


def test_a_refused_api_call_is_audited_as_denied(api_for, auditor):
    response = api_for(auditor).get(URL)
    assert_error(response, 403, "forbidden")
    denied = AuditRecord.objects.filter(action="access.denied", outcome="denied").latest("pk")
    assert denied.actor_name == "auditor"
    assert "GET /api/bulletins/" in denied.detail


def test_the_status_of_a_refusal_follows_its_meaning(api_for, secadmin, clerk):
    api = api_for(secadmin)
    roles = f"/api/access/people/{clerk.pk}/roles"
    assert_error(api.delete(f"{roles}/audit_admin"), 404, "not_found")  # a role the clerk does not hold
    assert_error(api.post(roles, {"role": "staff"}, content_type="application/json"), 409, "duplicate")
    assert_error(api.post(f"/api/access/people/{secadmin.pk}/roles", {"role": "staff"}, content_type="application/json"), 403, "self")
    assert_error(api.put(f"/api/access/people/{clerk.pk}/clearance", {"rank": 9}, content_type="application/json"), 422, "invalid")


def test_an_id_too_large_for_any_database_is_a_clear_4xx_not_a_500(api_for, clerk):
    # Found by the API fuzz run (tests/fuzz): an id past 64 bits overflowed SQLite's integer (500).
    # PostgreSQL and MariaDB compare it and find nothing (404); SQLite cannot bind it at all (422).
    too_large = 2**64
    for response in (api_for(clerk).get(f"/api/directory/people/{too_large}"),
                     api_for(clerk).post(f"/api/notices/{too_large}/actions/sign", json.dumps({}), content_type="application/json")):
        assert response.status_code in (404, 422), response.content
        assert_error(response, response.status_code, {404: "not_found", 422: "out_of_range"}[response.status_code])
