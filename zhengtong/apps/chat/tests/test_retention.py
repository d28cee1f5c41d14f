"""Retention: the system administrator's policy, and the worker's purge of what it no longer keeps."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from conftest import make_person
from zhengtong import worker
from zhengtong.apps.chat import retention, search, services
from zhengtong.apps.chat.models import Conversation, Message
from zhengtong.apps.chat.tests.conftest import say, staff
from zhengtong.errors import ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.files.models import StoredFile
from zhengtong.platform.files.services import blob_path
from zhengtong.platform.search.models import Entry


def _aged(message: Message, days: int) -> Message:
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(days=days))
    return message


def test_only_the_system_administrator_sets_the_policy(people: dict[str, Any], sysadmin: Any, secadmin: Any, auditor: Any) -> None:
    assert retention.policy().days == 0 and retention.cutoff(timezone.now()) is None
    kept = retention.set_policy(acting_user=sysadmin, days=180)
    assert (kept.days, kept.changed_by) == (180, sysadmin) and retention.policy().days == 180
    record = AuditRecord.objects.get(action="chat.retention_set")
    assert record.actor_id == sysadmin.pk and record.changes == {"days": [0, 180]}
    for someone in (people["zhang"], secadmin, auditor):
        with pytest.raises(PermissionDenied):
            retention.set_policy(acting_user=someone, days=1)
    with pytest.raises(ServiceError):
        retention.set_policy(acting_user=sysadmin, days=retention.MAX_DAYS + 1)
    assert retention.policy().days == 180


def test_expired_messages_go_with_their_files_for_everyone(people: dict[str, Any], group: Conversation, sysadmin: Any,
                                                           api_for: Any, django_capture_on_commit_callbacks: Any) -> None:
    old = _aged(say(people["zhang"], group, "去年的防汛通知"), 400)
    upload = SimpleUploadedFile("旧值班表.txt", "旧的值班安排".encode(), "text/plain")
    old_file = _aged(services.send_file(acting_user=people["li"], conversation_id=group.pk, client_msg_id="old-f", upload=upload), 400)
    stored = StoredFile.objects.get(pk=old_file.file_id)
    recent = say(people["wang"], group, "今天的防汛通知", quote_id=old.pk)
    retention.set_policy(acting_user=sysadmin, days=365)
    with django_capture_on_commit_callbacks(execute=True):  # the blob goes once the purge has committed
        assert retention.purge_expired(timezone.now()) == 2
    assert list(Message.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not StoredFile.objects.filter(pk=stored.pk).exists() and not blob_path(stored.sha256).exists()
    assert not Entry.objects.filter(kind=search.SEARCH_KIND, object_id=old.pk).exists()
    assert [m.text for m in search.find(people["li"], "防汛")] == ["今天的防汛通知"]
    record = AuditRecord.objects.get(action="chat.purged")
    assert record.detail.startswith("2 messages sent before ")
    assert AuditRecord.objects.filter(action="files.discarded", object_id=str(stored.pk)).exists()
    # The order and the cursors stay: positions are not reused, the next message comes after the last one.
    recent.refresh_from_db()
    assert recent.quote_id is None
    listed = api_for(people["li"]).get(f"/api/chat/conversations/{group.pk}/messages").json()
    assert [m["seq"] for m in listed["items"]] == [3] and listed["next_cursor"] is None
    assert api_for(people["li"]).get(f"/api/chat/conversations/{group.pk}/messages", {"before": "3"}).json()["items"] == []
    assert say(people["zhang"], group, "新消息").seq == 4
    assert retention.purge_expired(timezone.now()) == 0


def test_forever_purges_nothing(people: dict[str, Any], group: Conversation, sysadmin: Any) -> None:
    _aged(say(people["zhang"], group, "十年前的消息"), 3650)
    assert retention.purge_expired(timezone.now()) == 0
    retention.set_policy(acting_user=sysadmin, days=0)
    assert retention.purge_expired(timezone.now()) == 0 and Message.objects.count() == 1


def test_purging_goes_in_bounded_audited_batches(people: dict[str, Any], group: Conversation, sysadmin: Any,
                                                 monkeypatch: Any) -> None:
    for n in range(5):
        _aged(say(people["zhang"], group, f"旧消息{n}"), 40)
    retention.set_policy(acting_user=sysadmin, days=30)
    monkeypatch.setattr(retention, "BATCH", 2)
    monkeypatch.setattr(retention, "ROUND", 2)
    assert retention.purge_expired(timezone.now()) == 4  # two batches this round
    assert worker.run_once()["chat message retention"] == 1  # the rest next round, from the worker
    details = list(AuditRecord.objects.filter(action="chat.purged").order_by("pk").values_list("detail", flat=True))
    assert [detail.split(" ")[0] for detail in details] == ["2", "2", "1"]
    assert not Message.objects.exists()


def test_a_file_still_carried_by_a_kept_message_stays(people: dict[str, Any], group: Conversation, sysadmin: Any) -> None:
    upload = SimpleUploadedFile("通讯录.txt", "通讯录".encode(), "text/plain")
    old = _aged(services.send_file(acting_user=people["li"], conversation_id=group.pk, client_msg_id="f1", upload=upload), 40)
    # A message forwarded later carries the same stored file.
    seq = Conversation.objects.get(pk=group.pk).last_seq + 1
    kept = Message.objects.create(conversation=group, sender=people["wang"], client_msg_id="fw", seq=seq, kind="file",
                                  text=old.text, file_id=old.file_id)
    Conversation.objects.filter(pk=group.pk).update(last_seq=kept.seq)
    retention.set_policy(acting_user=sysadmin, days=30)
    assert retention.purge_expired(timezone.now()) == 1
    assert StoredFile.objects.filter(pk=old.file_id).exists()


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs a database server for concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_purge_each_message_once(monkeypatch: Any) -> None:
    owner, other = staff("zhang", "张三"), staff("li", "李四")
    group = services.create_group(acting_user=owner, title="并发群", member_ids=[other.pk])
    for n in range(30):
        say(owner, group, f"旧消息{n}")
    Message.objects.update(created_at=timezone.now() - timedelta(days=40))
    retention.set_policy(acting_user=make_person("sysadmin", "系统管理员", roles=("system_admin",)), days=30)
    monkeypatch.setattr(retention, "BATCH", 4)
    barrier = threading.Barrier(2)
    done: list[int] = []

    def run() -> None:
        barrier.wait()
        try:
            done.append(retention.purge_expired(timezone.now()))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(done) == 2 and sum(done) == 30 and not Message.objects.exists()
    counted = [int(detail.split(" ")[0]) for detail in AuditRecord.objects.filter(action="chat.purged").values_list("detail", flat=True)]
    assert sum(counted) == 30


def test_a_blob_another_stored_file_holds_stays_on_disk(people: dict[str, Any], group: Conversation, sysadmin: Any,
                                                       django_capture_on_commit_callbacks: Any) -> None:
    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("排班.txt", "同样的内容".encode(), "text/plain")

    old = _aged(services.send_file(acting_user=people["li"], conversation_id=group.pk, client_msg_id="a", upload=upload()), 40)
    again = services.send_file(acting_user=people["wang"], conversation_id=group.pk, client_msg_id="b", upload=upload())
    assert old.file_id != again.file_id and old.file.sha256 == again.file.sha256
    retention.set_policy(acting_user=sysadmin, days=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.purge_expired(timezone.now()) == 1
    assert not StoredFile.objects.filter(pk=old.file_id).exists() and blob_path(again.file.sha256).exists()


# --- 事务群: their own figure ---


def test_subject_groups_are_kept_by_their_own_figure(people: dict[str, Any], group: Conversation, sysadmin: Any) -> None:
    discussion = services.create_group(acting_user=people["zhang"], title="关于防汛的通知", member_ids=[people["li"].pk])
    Conversation.objects.filter(pk=discussion.pk).update(subject="documents.document:7")
    chat_old = _aged(say(people["zhang"], group, "日常闲聊"), 100)
    record_old = _aged(say(people["zhang"], discussion, "公文的讨论"), 100)
    record_older = _aged(say(people["li"], discussion, "两年前的讨论"), 800)
    # Empty: 事务群 follow the general figure.
    retention.set_policy(acting_user=sysadmin, days=400)
    assert retention.policy().subject_days_in_force == 400 and str(retention.policy()) == "400 天"
    assert retention.purge_expired(timezone.now()) == 1 and not Message.objects.filter(pk=record_older.pk).exists()
    # Kept longer than everyday chat.
    retention.set_policy(acting_user=sysadmin, days=30, subject_days=365)
    record = AuditRecord.objects.filter(action="chat.retention_set").order_by("-pk").first()
    assert record is not None and record.changes == {"days": [400, 30], "subject_days": [None, 365]}
    assert str(retention.policy()) == "30 天；事务群：365 天"
    assert retention.purge_expired(timezone.now()) == 1
    assert set(Message.objects.values_list("pk", flat=True)) == {record_old.pk}
    assert not Message.objects.filter(pk=chat_old.pk).exists()
    # 0: 事务群 kept forever while the others go.
    retention.set_policy(acting_user=sysadmin, days=1, subject_days=0)
    assert retention.subject_cutoff(timezone.now()) is None and retention.purge_expired(timezone.now()) == 0
    with pytest.raises(ServiceError) as refused:
        retention.set_policy(acting_user=sysadmin, days=30, subject_days=retention.MAX_DAYS + 1)
    assert list(refused.value.fields) == ["subject_days"] and retention.policy().subject_days == 0
    retention.set_policy(acting_user=sysadmin, days=0, subject_days=50)
    assert retention.cutoff(timezone.now()) is None and retention.purge_expired(timezone.now()) == 1
    assert not Message.objects.exists()
    assert AuditRecord.objects.filter(action="chat.purged", detail__endswith=" in 事务群").count() == 2


def test_open_devices_drop_purged_messages(people: dict[str, Any], group: Conversation, sysadmin: Any) -> None:
    from zhengtong.platform.notices.models import Event

    old = [_aged(say(people["zhang"], group, f"旧消息{n}"), 40) for n in range(3)]
    say(people["li"], group, "新消息")  # kept
    services.remove_member(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["wang"].pk)  # still reads the old
    elsewhere = services.create_group(acting_user=people["zhao"], title="别的群", member_ids=[people["li"].pk])
    _aged(say(people["zhao"], elsewhere, "别处的旧消息"), 40)
    retention.set_policy(acting_user=sysadmin, days=30)
    Event.objects.filter(kind=retention.EVENT_PURGED).delete()
    assert retention.purge_expired(timezone.now()) == 4
    told = {(e.user.username, e.payload["conversation"], tuple(e.payload["seqs"]))
            for e in Event.objects.filter(kind=retention.EVENT_PURGED).select_related("user")}
    assert told == {("zhang", group.pk, tuple(m.seq for m in old)), ("li", group.pk, tuple(m.seq for m in old)),
                    ("wang", group.pk, tuple(m.seq for m in old)), ("zhao", elsewhere.pk, (1,)), ("li", elsewhere.pk, (1,))}
    assert retention.purge_expired(timezone.now()) == 0 and Event.objects.filter(kind=retention.EVENT_PURGED).count() == 5
