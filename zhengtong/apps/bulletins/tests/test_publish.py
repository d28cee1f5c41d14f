"""Publishing: at or below one's own clearance and the deployment's maximum, audited; otherwise refused, nothing stored."""

from typing import Any

import pytest
from django.test import override_settings

from zhengtong.apps.bulletins.models import Bulletin
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.testing import assert_access_matrix


def _csrf_post(client: Any, url: str, data: dict[str, Any]) -> Any:
    client.get(url)
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["zt_csrf"].value})


def test_publish_page_stores_and_audits(client_for: Any, clerk: Any) -> None:
    response = _csrf_post(client_for(clerk), "/apps/bulletins/new/", {"title": "汛期值班安排", "body": "见附件", "classification": 1})
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/apps/bulletins/{bulletin.pk}/"
    assert (bulletin.author, bulletin.classification) == (clerk, 1)
    assert AuditRecord.objects.filter(action="bulletins.published", object_id=str(bulletin.pk), actor_id=clerk.pk).exists()


def test_publish_page_refuses_above_own_clearance(client_for: Any, clerk: Any) -> None:
    response = _csrf_post(client_for(clerk), "/apps/bulletins/new/", {"title": "t", "body": "b", "classification": 2})
    assert response.status_code == 200
    assert response.context["form"].errors["classification"]
    assert not Bulletin.objects.exists()


def test_api_refuses_above_own_clearance(api_for: Any, clerk: Any) -> None:
    response = api_for(clerk).post("/api/bulletins/", {"title": "t", "body": "b", "classification": 2}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid" and "classification" in response.json()["fields"]
    assert not Bulletin.objects.exists()


@override_settings(MAX_CLASSIFICATION=1)
def test_refuses_above_deployment_maximum(api_for: Any, client_for: Any, head: Any) -> None:
    response = api_for(head).post("/api/bulletins/", {"title": "t", "body": "b", "classification": 2}, content_type="application/json")
    assert response.status_code == 422 and "classification" in response.json()["fields"]
    page = _csrf_post(client_for(head), "/apps/bulletins/new/", {"title": "t", "body": "b", "classification": 2})
    assert page.status_code == 200 and page.context["form"].errors["classification"]
    assert not Bulletin.objects.exists()


INVALID = [{"title": " ", "body": "b"}, {"title": "t", "body": ""}, {"title": "t", "body": "b", "classification": 9}]


@pytest.mark.parametrize("payload", INVALID)
def test_api_refuses_invalid_items(api_for: Any, clerk: Any, payload: dict[str, Any]) -> None:
    response = api_for(clerk).post("/api/bulletins/", payload, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert not Bulletin.objects.exists()


def test_api_publish_matrix(api_for: Any, clerk: Any, sysadmin: Any, secadmin: Any, auditor: Any) -> None:
    assert_access_matrix(api_for, "POST", "/api/bulletins/", data={"title": "t", "body": "b"}, allowed=[clerk],
                         denied=[sysadmin, secadmin, auditor], allowed_status=201)
    assert Bulletin.objects.count() == 1
