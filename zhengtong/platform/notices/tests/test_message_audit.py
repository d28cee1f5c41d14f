"""Message audit: the audit administrator's alone; everybody else sees only their own notices."""

from typing import Any

import pytest

from zhengtong.platform.notices import channels, services
from zhengtong.testing import assert_access_matrix


@pytest.fixture
def sent(org: Any, broadcaster: Any) -> Any:
    notice = services.broadcast(acting_user=broadcaster, to=["user:clerk", "user:head"], title="周五例会", category="meeting")
    services.mark_read(user=org.head, notice_id=notice.pk)
    channels.deliver_pending(notice.created_at)
    return notice


def test_the_audit_page_and_api_are_the_auditors_alone(client_for, api_for, sent, auditor, sysadmin, secadmin, org):
    for make, url in ((client_for, "/notices/audit/"), (api_for, "/api/notices/audit")):
        assert_access_matrix(make, "GET", url, allowed=[auditor], denied=[sysadmin, secadmin, org.clerk, org.head])


def test_the_audit_shows_who_got_what_when_by_which_channel(api_for, client_for, sent, auditor):
    rows = api_for(auditor).get("/api/notices/audit", {"sender": "issuer"}).json()["items"]
    by_person = {row["recipient"]: row for row in rows}
    assert set(by_person) == {"clerk", "head"}
    assert by_person["head"]["read_at"] and not by_person["clerk"]["read_at"]
    assert by_person["clerk"]["deliveries"][0]["channel"] == "email" and by_person["clerk"]["title"] == "周五例会"
    assert api_for(auditor).get("/api/notices/audit", {"recipient": "head"}).json()["items"][0]["recipient"] == "head"
    assert api_for(auditor).get("/api/notices/audit", {"category": "duty"}).json()["items"] == []
    assert len(api_for(auditor).get("/api/notices/audit", {"channel": "email"}).json()["items"]) == 2
    page = client_for(auditor).get("/notices/audit/", {"recipient": "clerk"})
    assert "周五例会" in page.content.decode() and page.content.decode().count("<tr>") == 2  # header + one row


def test_staff_see_only_their_own_notices(api_for, sent, org):
    assert [n["title"] for n in api_for(org.clerk).get("/api/notices/").json()["items"]] == ["周五例会"]
    assert api_for(org.outsider).get("/api/notices/").json()["items"] == []
    assert api_for(org.outsider).post(f"/api/notices/{sent.pk}/read").status_code == 404
    assert api_for(org.clerk).get(f"/api/notices/{sent.pk}/receipts").status_code == 404
