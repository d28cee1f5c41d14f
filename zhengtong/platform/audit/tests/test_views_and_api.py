"""The audit administrator reads the trail; nobody else does."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zhengtong.platform.audit import services
from zhengtong.platform.audit.models import AuditRecord, Outcome
from zhengtong.platform.audit.verification import verify
from zhengtong.testing import assert_access_matrix


@pytest.fixture
def trail(db, clerk):
    services.record("bulletins.published", actor=clerk, object_type="bulletins.bulletin", object_id="7", object_repr="=HYPERLINK(\"x\")",
                    changes={"title": [None, "+1 通知"]}, detail="@SUM(A1)")
    services.record("accounts.sign_in", actor_name="mallory", outcome=Outcome.FAILURE, detail="-bad credentials")
    return AuditRecord.objects.order_by("pk")


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.parametrize("method, url", [
    ("GET", "/audit/"), ("GET", "/audit/{first}/"), ("GET", "/audit/export.csv"), ("GET", "/audit/verify/"), ("POST", "/audit/verify/"),
    ("GET", "/api/audit/records"), ("GET", "/api/audit/records/{first}"), ("GET", "/api/audit/export.csv"), ("POST", "/api/audit/verify"),
])
def test_only_the_audit_administrator_reads_the_trail(trail, method, url, auditor, sysadmin, secadmin, clerk, head, api_for):
    def make(user):
        if url.startswith("/api/"):
            return api_for(user)
        client = Client()  # the matrix is about permissions; CSRF has its own tests
        if user is not None:
            client.force_login(user)
        return client

    url = url.format(first=trail.first().pk)  # record numbers go on across tests on PostgreSQL and MariaDB
    assert_access_matrix(make, method, url, allowed=[auditor], denied=[sysadmin, secadmin, clerk, head])


def test_refusals_are_recorded_as_denied(trail, sysadmin, client_for):
    client_for(sysadmin).get("/audit/")
    denied = AuditRecord.objects.filter(action="access.denied").latest("pk")
    assert denied.outcome == Outcome.DENIED and denied.actor_id == sysadmin.pk
    assert "/audit/" in denied.detail and "audit.view" in denied.detail
    assert verify().ok


def test_browse_newest_first_with_filters(trail, auditor, clerk, client_for):
    client = client_for(auditor)
    page = client.get("/audit/")
    assert page.status_code == 200
    numbers = [entry.pk for entry in page.context["rows"]]
    assert numbers == sorted(numbers, reverse=True)
    assert [e.action for e in client.get("/audit/", {"actor": "mallo"}).context["rows"]] == ["accounts.sign_in"]
    assert [e.action for e in client.get("/audit/", {"outcome": "failure"}).context["rows"]] == ["accounts.sign_in"]
    assert [e.object_id for e in client.get("/audit/", {"object_type": "bulletins.bulletin", "object_id": "7"}).context["rows"]] == ["7"]
    under_accounts = {e.action for e in client.get("/audit/", {"action": "accounts."}).context["rows"]}
    assert under_accounts >= {"accounts.sign_in", "accounts.user_created"}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert list(client.get("/audit/", {"since": tomorrow}).context["rows"]) == []
    assert client.get("/audit/", {"until": timezone.localdate().isoformat()}).context["rows"]


def test_a_bad_filter_is_a_clear_error_not_everything(trail, auditor, client_for):
    client = client_for(auditor)
    for params, field in (({"outcome": "maybe"}, "outcome"), ({"since": "2026-13-01"}, "since"),
                          ({"since": "2026-12-01", "until": "2026-11-01"}, "until")):
        response = client.get("/audit/", params)
        assert response.status_code == 400
        assert set(response.context["errors"]) == {field}
        assert response.context["rows"] == []


def test_paging_by_record_number_sealed_or_not(seal, auditor, api_for):
    for n in range(7):
        services.record("test.event", detail=str(n))
        if n == 3:
            seal()
    api = api_for(auditor)
    first = api.get("/api/audit/records", {"action": "test.event", "limit": 3}).json()
    second = api.get("/api/audit/records", {"action": "test.event", "limit": 3, "cursor": first["next_cursor"]}).json()
    third = api.get("/api/audit/records", {"action": "test.event", "limit": 3, "cursor": second["next_cursor"]}).json()
    seen = [row["detail"] for page in (first, second, third) for row in page["items"]]
    assert seen == [str(n) for n in range(6, -1, -1)]
    assert third["next_cursor"] is None
    assert [row["sealed"] for page in (first, second, third) for row in page["items"]] == [False] * 3 + [True] * 4


def test_record_detail_shows_changed_fields_and_the_seal(trail, seal, auditor, client_for):
    entry = AuditRecord.objects.get(action="bulletins.published")
    page = client_for(auditor).get(f"/audit/{entry.pk}/")
    assert page.status_code == 200
    assert page.context["changes"] == [("title", "—", "+1 通知")]
    assert page.context["sealed_in"] is None
    seal()
    page = client_for(auditor).get(f"/audit/{entry.pk}/")
    assert page.context["sealed_in"].size >= AuditRecord.objects.get(pk=entry.pk).seq
    assert client_for(auditor).get("/audit/99999/").status_code == 404


def test_api_record_and_filters(trail, auditor, api_for):
    api = api_for(auditor)
    entry = AuditRecord.objects.get(action="bulletins.published")
    body = api.get(f"/api/audit/records/{entry.pk}").json()
    assert body["changes"] == {"title": [None, "+1 通知"]} and (body["id"], body["seq"], body["sealed"]) == (entry.pk, None, False)
    assert api.get("/api/audit/records", {"outcome": "maybe"}).status_code == 422
    assert api.get("/api/audit/records", {"since": "2026-12-01", "until": "2026-11-01"}).status_code == 422
    assert api.get("/api/audit/records/99999").status_code == 404


def test_csv_export_is_filtered_and_escapes_formulas(trail, auditor, client_for, api_for):
    for response in (client_for(auditor).get("/audit/export.csv", {"object_type": "bulletins.bulletin"}),
                     api_for(auditor).get("/api/audit/export.csv", {"object_type": "bulletins.bulletin"})):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        header, *rows = _csv(response)
        assert len(header) == 14 and len(rows) == 1
        row = dict(zip(header, rows[0], strict=True))
        cells = set(row.values())
        assert "'=HYPERLINK(\"x\")" in cells and "'@SUM(A1)" in cells
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
        assert '"+1 通知"' in next(cell for cell in cells if "title" in cell)  # JSON text, starting "{", left alone
    mallory = _csv(api_for(auditor).get("/api/audit/export.csv", {"actor": "mallory"}))[1]
    assert "'-bad credentials" in mallory
    exports = AuditRecord.objects.filter(action="audit.exported")
    assert exports.count() == 3 and "bulletins.bulletin" in exports.last().detail


def test_verify_action_shows_the_result_and_is_recorded(trail, seal, auditor, client_for, api_for):
    client = client_for(auditor)
    client.get("/audit/verify/")
    response = client.post("/audit/verify/", {"csrfmiddlewaretoken": client.cookies["zt_csrf"].value})
    assert response.status_code == 200 and response.context["result"].ok and response.context["result"].pending > 0
    seal()
    AuditRecord.objects.filter(seq=1).update(detail="edited")
    body = api_for(auditor).post("/api/audit/verify").json()
    assert body["ok"] is False and body["first_bad_seq"] == 1 and "#1" in body["problem"] and body["sealed"] > 0
    assert AuditRecord.objects.filter(action="audit.verified", outcome=Outcome.FAILURE, actor_id=auditor.pk).exists()


def test_the_verify_form_needs_its_csrf_token(trail, auditor, client_for):
    assert client_for(auditor).post("/audit/verify/").status_code == 403
    assert not AuditRecord.objects.filter(action="audit.verified").exists()


def test_no_endpoint_edits_or_deletes_records(trail, auditor, api_for):
    api = api_for(auditor)
    first = AuditRecord.objects.order_by("pk").first().pk
    assert api.delete(f"/api/audit/records/{first}").status_code == 405
    assert api.put(f"/api/audit/records/{first}", {}, content_type="application/json").status_code == 405
    assert AuditRecord.objects.filter(pk=first).exists()


def test_the_back_office_does_not_offer_the_trail(trail, sysadmin):
    client = Client()
    client.force_login(sysadmin)
    assert client.get("/admin/audit/auditrecord/").status_code == 404
    assert b"audit" not in client.get("/admin/").content.lower().replace(b"audit_", b"")
