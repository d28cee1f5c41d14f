"""The message audit (the audit administrator's alone) and the back office (the system administrator's, without messages)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from zhengtong.apps.chat import oversight, retention, services
from zhengtong.apps.chat.models import Conversation, Message, RetentionPolicy
from zhengtong.apps.chat.tests.conftest import say
from zhengtong.platform.audit.models import AuditRecord


@pytest.fixture
def said(people: dict[str, Any], group: Conversation) -> dict[str, Message]:
    """张三 and 王五 speak in the group; 李四 reads the first; 张三 recalls one; 赵六 talks to 李四 alone."""
    first = say(people["zhang"], group, "今晚加强防汛值守")
    second = say(people["wang"], group, "=HYPERLINK(\"http://x\")收到")
    services.mark_read(acting_user=people["li"], conversation_id=group.pk, seq=first.seq)
    recalled = say(people["zhang"], group, "发错的名单")
    services.recall(acting_user=people["zhang"], message_id=recalled.pk)
    direct = services.open_direct(acting_user=people["zhao"], other_id=people["li"].pk)
    private = say(people["zhao"], direct, "私下说一句")
    Message.objects.filter(pk=private.pk).update(created_at=timezone.now() - timedelta(days=3))
    return {"first": first, "second": second, "recalled": recalled, "private": private}


def test_the_auditor_finds_who_said_what_and_who_read_it(auditor: Any, people: dict[str, Any], group: Conversation,
                                                         said: dict[str, Message]) -> None:
    rows, more = oversight.search(auditor, oversight.MessageFilter(conversation=group.pk))
    assert [found.message.text for found in rows] == ["发错的名单", said["second"].text, "今晚加强防汛值守"] and more is None
    recalled, second, first = rows
    assert recalled.message.recalled_at is not None  # the audit keeps what was said
    # Watermarks: 李四 read up to the first message; 王五 and 张三 read what came before what they sent.
    assert [p.username for p in first.read] == ["li", "wang"] and first.unread == []
    assert [p.username for p in second.read] == ["zhang"] and [p.username for p in second.unread] == ["li"]
    by_person, _ = oversight.search(auditor, oversight.MessageFilter(person="zhao"))
    assert [found.message.text for found in by_person] == ["私下说一句"]
    assert [p.username for p in by_person[0].unread] == ["li"]
    by_text, _ = oversight.search(auditor, oversight.MessageFilter(text="防汛"))
    assert [found.message.pk for found in by_text] == [said["first"].pk]
    today = timezone.localdate()
    by_time, _ = oversight.search(auditor, oversight.MessageFilter(until=today - timedelta(days=1)))
    assert [found.message.pk for found in by_time] == [said["private"].pk]
    page, cursor = oversight.search(auditor, oversight.MessageFilter(since=today), limit=2)
    older, end = oversight.search(auditor, oversight.MessageFilter(since=today), before=cursor, limit=2)
    assert [f.message.pk for f in page + older] == [said["recalled"].pk, said["second"].pk, said["first"].pk] and end is None
    searches = AuditRecord.objects.filter(action="chat.audit_searched", actor_id=auditor.pk).order_by("pk")
    assert searches.count() == 6
    assert searches[1].detail == '{"person": "zhao"}' and searches[2].detail == '{"text": "防汛"}'


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "clerk"])
def test_nobody_but_the_auditor_reads_messages_here(who: str, request: Any, said: dict[str, Message], api_for: Any,
                                                    client_for: Any) -> None:
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        oversight.search(person, oversight.MessageFilter())
    with pytest.raises(PermissionDenied):
        oversight.export(person, oversight.MessageFilter(), "csv")
    assert api_for(person).get("/api/chat/audit/messages").status_code == 403
    assert api_for(person).get("/api/chat/audit/messages/export", {"format": "xlsx"}).status_code == 403
    assert client_for(person).get("/apps/chat/audit/").status_code == 403
    assert client_for(person).get("/apps/chat/audit/export/", {"format": "csv"}).status_code == 403
    assert not AuditRecord.objects.filter(action__startswith="chat.audit_").exists()


def test_a_member_of_the_conversation_cannot_audit_it(people: dict[str, Any], said: dict[str, Message], api_for: Any) -> None:
    response = api_for(people["zhang"]).get("/api/chat/audit/messages", {"person": "zhao"})
    assert response.status_code == 403 and "私下说一句" not in response.content.decode()


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_export_is_audited_and_safe_to_open(auditor: Any, group: Conversation, said: dict[str, Message], api_for: Any) -> None:
    response = api_for(auditor).get("/api/chat/audit/messages/export", {"conversation": group.pk, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="chat-audit-')
    header, *rows = _csv(response)
    assert header[:3] == ["消息", "发送时间", "会话"] and len(rows) == 3
    first = rows[-1]
    assert (first[3], first[5], first[8], first[10], first[11], first[12], first[13]) == (
        "防汛工作群", "zhang", "今晚加强防汛值守", "2", "李四(li)、王五(wang)", "0", "")
    assert rows[1][8] == "'" + said["second"].text  # a formula is kept as text
    assert rows[0][9]  # recalled, and when
    record = AuditRecord.objects.get(action="chat.audit_exported")
    assert record.actor_id == auditor.pk and record.detail == f'csv {{"conversation": {group.pk}}}'
    workbook = api_for(auditor).get("/api/chat/audit/messages/export", {"person": "zhao", "format": "xlsx"})
    assert workbook.status_code == 200 and workbook["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content)), read_only=True).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(cells) == 2 and cells[1][3] == "单聊" and cells[1][8] == "私下说一句" and cells[1][13] == "李四(li)"
    assert AuditRecord.objects.filter(action="chat.audit_exported").count() == 2
    assert api_for(auditor).get("/api/chat/audit/messages/export", {"format": "pdf"}).status_code == 422


def test_the_audit_api_and_page(auditor: Any, group: Conversation, said: dict[str, Message], api_for: Any, client_for: Any) -> None:
    body = api_for(auditor).get("/api/chat/audit/messages", {"conversation": group.pk, "limit": 2}).json()
    assert [item["text"] for item in body["items"]] == ["发错的名单", said["second"].text] and body["next_cursor"]
    rest = api_for(auditor).get("/api/chat/audit/messages", {"conversation": group.pk, "before": body["next_cursor"]}).json()
    (first,) = rest["items"]
    assert first["sender"]["username"] == "zhang" and [p["username"] for p in first["read"]] == ["li", "wang"]
    assert first["unread"] == [] and rest["next_cursor"] is None
    bad = api_for(auditor).get("/api/chat/audit/messages", {"since": "2026-05-02", "until": "2026-05-01"})
    assert bad.status_code == 422
    page = client_for(auditor).get("/apps/chat/audit/", {"person": "zhang"})
    html = page.content.decode()
    assert page.status_code == 200 and "今晚加强防汛值守" in html and "发错的名单" in html and "私下说一句" not in html
    assert 'id="chat-audit-xlsx"' in html
    csv_page = client_for(auditor).get("/apps/chat/audit/export/", {"person": "zhang", "format": "csv"})
    assert csv_page.status_code == 200 and len(_csv(csv_page)) == 3
    wrong = client_for(auditor).get("/apps/chat/audit/", {"until": "2026-05-01", "since": "2026-05-02"})
    assert wrong.status_code == 400 and wrong.context["form"].errors["until"]
    assert AuditRecord.objects.filter(action="chat.audit_searched").count() == 3
    assert AuditRecord.objects.filter(action="chat.audit_exported").count() == 1


def test_the_back_office_lists_conversations_and_members_not_what_was_said(sysadmin: Any, people: dict[str, Any], group: Conversation,
                                                                            said: dict[str, Message], client_for: Any) -> None:
    back_office = client_for(sysadmin)
    listing = back_office.get("/admin/chat/conversation/")
    html = listing.content.decode()
    assert listing.status_code == 200 and listing.context["cl"].result_count == 2
    assert "防汛工作群" not in html and "今晚加强防汛值守" not in html
    assert back_office.get(f"/admin/chat/conversation/{group.pk}/change/").status_code == 403
    members = back_office.get("/admin/chat/member/")
    assert members.status_code == 200 and members.context["cl"].result_count == 5 and "防汛工作群" not in members.content.decode()
    assert back_office.get("/admin/chat/message/").status_code == 404
    staff = client_for(people["zhang"]).get("/admin/chat/conversation/", follow=True)
    assert staff.status_code == 403 and "防汛工作群" not in staff.content.decode()


def test_the_system_administrator_sets_retention_in_the_back_office(sysadmin: Any, client_for: Any) -> None:
    back_office = client_for(sysadmin)
    back_office.get("/admin/chat/retentionpolicy/add/")
    token = back_office.cookies["zt_csrf"].value
    added = back_office.post("/admin/chat/retentionpolicy/add/", {"days": "90", "csrfmiddlewaretoken": token})
    assert added.status_code == 302 and retention.policy().days == 90
    assert AuditRecord.objects.filter(action="chat.retention_set", actor_id=sysadmin.pk).exists()
    assert back_office.get("/admin/chat/retentionpolicy/add/").status_code == 403  # one policy: changed, not added again
    assert RetentionPolicy.objects.get().subject_days is None  # 事务群: as the others
    page = back_office.get(f"/admin/chat/retentionpolicy/{retention.POLICY}/change/")
    assert 'name="subject_days"' in page.content.decode()
    changed = back_office.post(f"/admin/chat/retentionpolicy/{retention.POLICY}/change/",
                               {"days": "0", "subject_days": "3650", "csrfmiddlewaretoken": token})
    assert changed.status_code == 302 and (RetentionPolicy.objects.get().days, RetentionPolicy.objects.get().subject_days) == (0, 3650)
