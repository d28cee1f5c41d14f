"""The /api/notices endpoints."""

from typing import Any

from zhengtong.platform.notices import services
from zhengtong.platform.notices.models import Event, Notice, Preference
from zhengtong.testing import assert_access_matrix


def test_send_list_count_read_receipts_remind_recall(api_for, org, broadcaster):
    issuer = api_for(broadcaster)
    assert_access_matrix(api_for, "POST", "/api/notices/", data={"to": ["user:clerk"], "title": "x"}, denied=[org.clerk])
    response = issuer.post("/api/notices/", {"to": [f"dept:{org.office.pk}"], "title": "周五例会", "category": "meeting"},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["recipients"] == 2
    notice_id = response.json()["id"]
    event = Event.objects.filter(kind="notice.new", user=org.clerk).get()
    assert event.payload["counts"] == {"messages": 1} and event.payload["notice"]["title"] == "周五例会"

    clerk = api_for(org.clerk)
    assert clerk.get("/api/notices/counts").json() == {"total": 1, "by_category": {"meeting": 1}}
    assert [n["id"] for n in clerk.get("/api/notices/", {"unread": True}).json()["items"]] == [notice_id]
    assert api_for(org.head).post(f"/api/notices/{notice_id}/read").json() == {"changed": 1}
    read = issuer.get(f"/api/notices/{notice_id}/receipts", {"state": "read"}).json()
    unread = issuer.get(f"/api/notices/{notice_id}/receipts").json()
    assert [r["username"] for r in read["items"]] == ["head"] and [r["username"] for r in unread["items"]] == ["clerk"]
    assert issuer.post(f"/api/notices/{notice_id}/remind").json() == {"changed": 1}
    assert clerk.post(f"/api/notices/{notice_id}/recall").status_code == 404
    assert issuer.post(f"/api/notices/{notice_id}/recall").status_code == 200
    assert clerk.get("/api/notices/").json()["items"] == [] and clerk.get("/api/notices/counts").json()["total"] == 0
    assert Notice.objects.get(pk=notice_id).recalled_at


def test_read_receipts_come_a_slice_at_a_time(api_for, org, broadcaster):
    notice = services.broadcast(acting_user=broadcaster, to=[f"dept+:{org.office.pk}"], title="周五例会", category="meeting")
    issuer = api_for(broadcaster)
    pages, cursor = [], ""
    while cursor is not None:
        pages.append(issuer.get(f"/api/notices/{notice.pk}/receipts", {"limit": 1, "cursor": cursor}).json())
        cursor = pages[-1]["next_cursor"]
    assert [len(page["items"]) for page in pages] == [1, 1, 1]
    assert {page["unread_total"] for page in pages} == {3} and {page["read_total"] for page in pages} == {0}
    assert sorted(page["items"][0]["username"] for page in pages) == ["ann", "clerk", "head"]
    assert issuer.get(f"/api/notices/{notice.pk}/receipts", {"limit": 1001}).status_code == 422


def test_a_second_reminder_too_soon_is_refused(api_for, org, broadcaster):
    notice = services.broadcast(acting_user=broadcaster, to=["user:clerk"], title="报送材料", category="document")
    issuer = api_for(broadcaster)
    assert issuer.post(f"/api/notices/{notice.pk}/remind").json() == {"changed": 1}
    again = issuer.post(f"/api/notices/{notice.pk}/remind")
    assert again.status_code == 409 and again.json()["error"] == "too_soon"


def test_read_all_and_bad_input(api_for, org):
    services.notify(sender=None, to=[org.clerk], title="一", category="system")
    services.notify(sender=None, to=[org.clerk], title="二", category="duty")
    clerk = api_for(org.clerk)
    assert clerk.post("/api/notices/read-all", {"category": "duty"}, content_type="application/json").json() == {"changed": 1}
    assert clerk.post("/api/notices/read-all", {}, content_type="application/json").json() == {"changed": 1}
    assert clerk.get("/api/notices/preferences").json() == {"quiet_from": None, "quiet_until": None, "muted_categories": []}
    bad = clerk.put("/api/notices/preferences", {"quiet_from": "22:00:00", "muted_categories": []}, content_type="application/json")
    assert bad.status_code == 422 and "quiet_until" in bad.json()["fields"]
    ok = clerk.put("/api/notices/preferences", {"quiet_from": "22:00:00", "quiet_until": "07:00:00", "muted_categories": ["duty"]},
                   content_type="application/json")
    assert ok.json()["muted_categories"] == ["duty"]


def test_quick_action_through_the_api_is_refused_to_non_recipients(api_for, org: Any):
    notice = services.notify(sender=None, to=[org.clerk], title="请审批", category="approval", app="workflow",
                             quick_actions=[{"code": "approve", "label": "同意"}], target="workflow.item:1")
    assert api_for(org.head).post(f"/api/notices/{notice.pk}/actions/approve", {"comment": ""},
                                  content_type="application/json").status_code == 404
    assert api_for(org.clerk).post(f"/api/notices/{notice.pk}/actions/reject", {"comment": ""},
                                   content_type="application/json").status_code == 422


def test_quiet_hours_with_a_time_zone_are_refused_and_nothing_is_kept(api_for, org):
    # Found by the API fuzz run (tests/fuzz): "01:35:01+15:58" was kept on PostgreSQL and then
    # failed to be sent back (500); SQLite refused to store it (500 too).
    clerk = api_for(org.clerk)
    response = clerk.put("/api/notices/preferences", {"quiet_from": "00:00:00Z", "quiet_until": "01:35:01+15:58", "muted_categories": []},
                         content_type="application/json")
    assert response.status_code == 422, response.content
    without_zone = ["请输入不带时区的时刻（时:分）。"]
    assert response.json()["fields"] == {"quiet_from": without_zone, "quiet_until": without_zone}
    assert not Preference.objects.filter(user=org.clerk).exclude(quiet_from=None).exists()
