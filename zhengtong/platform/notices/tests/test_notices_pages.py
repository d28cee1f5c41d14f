"""The 消息 tab, the sender's receipts page, compose and preferences."""

from typing import Any

import pytest

from zhengtong.platform.notices import services
from zhengtong.platform.notices.models import Notice, NoticeRecipient, Preference
from zhengtong.testing import assert_access_matrix


@pytest.fixture
def notice(org: Any, broadcaster: Any) -> Notice:
    return services.broadcast(acting_user=broadcaster, to=[f"dept:{org.office.pk}"], title="周五例会", link="/apps/bulletins/",
                              category="meeting")


def test_the_messages_tab_lists_my_notices_with_counts(client_for, notice, org):
    services.notify(sender=None, to=[org.clerk], title="系统维护", category="system")
    page = client_for(org.clerk).get("/messages/").content.decode()
    assert page.index("系统维护") < page.index("周五例会") and 'data-category="meeting"' in page
    only = client_for(org.clerk).get("/messages/", {"category": "meeting"}).content.decode()
    assert "周五例会" in only and "系统维护" not in only
    assert 'id="compose"' not in page


def test_opening_reads_and_follows_the_link(client_for, notice, org):
    client = client_for(org.clerk)
    response = client.post(f"/notices/{notice.pk}/open/", HTTP_X_CSRFTOKEN=_token(client))
    assert response.status_code == 302 and response["Location"] == "/apps/bulletins/"
    assert NoticeRecipient.objects.get(notice=notice, user=org.clerk).read_at
    assert client_for(org.outsider).post(f"/notices/{notice.pk}/open/").status_code in (403, 404)  # CSRF first, then 404


def test_read_all(client_for, notice, org):
    client = client_for(org.clerk)
    assert client.post("/notices/read-all/", {"category": "meeting"}, HTTP_X_CSRFTOKEN=_token(client)).status_code == 302
    assert services.unread_counts(org.clerk)["total"] == 0


def test_the_sender_sees_receipts_reminds_and_recalls(client_for, notice, org, broadcaster):
    services.mark_read(user=org.head, notice_id=notice.pk)
    client = client_for(broadcaster)
    page = client.get(f"/notices/sent/{notice.pk}/").content.decode()
    unread, read = page.split('id="unread"')[1].split("</ul>")[0], page.split('id="read"')[1].split("</ul>")[0]
    assert "王小明" in unread and "李处长" in read
    assert client.post(f"/notices/sent/{notice.pk}/remind/", HTTP_X_CSRFTOKEN=_token(client)).status_code == 302
    assert client.post(f"/notices/sent/{notice.pk}/recall/", HTTP_X_CSRFTOKEN=_token(client)).status_code == 302
    assert Notice.objects.get(pk=notice.pk).recalled_at
    assert_access_matrix(client_for, "GET", f"/notices/sent/{notice.pk}/", allowed=[broadcaster], hidden=[org.clerk])


def test_the_receipts_page_shows_each_list_a_page_at_a_time(client_for, org, broadcaster, monkeypatch):
    from zhengtong.platform.notices import views

    monkeypatch.setattr(views, "RECEIPTS_PER_PAGE", 1)
    notice = services.broadcast(acting_user=broadcaster, to=[f"dept+:{org.office.pk}"], title="周五例会", category="meeting")
    services.mark_read(user=org.head, notice_id=notice.pk)
    client = client_for(broadcaster)
    seen = []
    for number in (1, 2):
        page = client.get(f"/notices/sent/{notice.pk}/", {"unread_page": number}).content.decode()
        unread = page.split('id="unread"')[1].split("</ul>")[0]
        seen += [name for name in ("王小明", "安安") if name in unread]
        heading = page.split('id="unread"')[0].rsplit("<h2>", 1)[1]
        assert "2" in heading  # the heading counts everyone, not the page
        assert "李处长" in page.split('id="read"')[1].split("</ul>")[0]
    assert sorted(seen) == sorted(["王小明", "安安"])
    assert "unread_page=2" in client.get(f"/notices/sent/{notice.pk}/").content.decode()


def test_compose_needs_the_permission(client_for, org, broadcaster):
    assert_access_matrix(client_for, "GET", "/notices/compose/", allowed=[broadcaster], denied=[org.clerk])
    client = client_for(broadcaster)
    response = client.post("/notices/compose/", {"to": f"dept+:{org.office.pk}\nuser:outsider", "title": "防汛通知", "body": "",
                                                 "link": "", "category": "duty", "priority": "urgent"}, HTTP_X_CSRFTOKEN=_token(client))
    assert response.status_code == 302
    notice = Notice.objects.get(title="防汛通知")
    assert notice.priority == "urgent" and notice.recipients.count() == 4
    bad = client.post("/notices/compose/", {"to": "dept:999999", "title": "x", "category": "duty", "priority": "normal"},
                      HTTP_X_CSRFTOKEN=_token(client))
    assert bad.status_code == 200 and "999999" in bad.content.decode()


def test_preferences_page(client_for, org):
    client = client_for(org.clerk)
    assert client.get("/notices/preferences/").status_code == 200
    response = client.post("/notices/preferences/", {"quiet_from": "22:00", "quiet_until": "07:00", "muted_categories": ["duty"]},
                           HTTP_X_CSRFTOKEN=_token(client))
    assert response.status_code == 302
    pref = Preference.objects.get(user=org.clerk)
    assert pref.muted_categories == ["duty"] and pref.quiet_from.hour == 22


def test_quick_actions_run_in_place_and_report_refusals(client_for, org):
    notice = services.notify(sender=None, to=[org.clerk], title="请审批", category="approval", app="workflow",
                             quick_actions=[{"code": "approve", "label": "同意"}], target="workflow.item:999999")
    client = client_for(org.clerk)
    assert "同意" in client.get("/messages/").content.decode()
    response = client.post(f"/notices/{notice.pk}/actions/approve/", {"comment": "好"}, HTTP_X_CSRFTOKEN=_token(client))
    assert response.status_code in (302, 404)  # the workflow item does not exist
    assert NoticeRecipient.objects.get(notice=notice).read_at is None


def _token(client: Any) -> str:
    client.get("/messages/")
    return client.cookies["zt_csrf"].value
