"""Sending, audiences, read state, receipts, reminders, recall and quick actions."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from conftest import make_person
from zhengtong.errors import Conflict, ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.notices import queries, services
from zhengtong.platform.notices.models import Event, Notice, NoticeRecipient
from zhengtong.platform.notices.recipients import Audience


def send(to: list[Any], **kwargs: Any) -> Any:
    return services.notify(sender=kwargs.pop("sender", None), to=to, title=kwargs.pop("title", "防汛值班安排"),
                           category=kwargs.pop("category", "duty"), **kwargs)


def names(notice: Any) -> list[str]:
    return sorted(NoticeRecipient.objects.filter(notice=notice).values_list("user__username", flat=True))


def test_a_department_notice_reaches_every_member_once(org):
    notice = send([f"dept:{org.office.pk}"])
    # The clerk holds two posts in 办公室 and is one recipient; dora is disabled; 文书科 is below.
    assert names(notice) == ["clerk", "head"]
    assert Event.objects.filter(kind="notice.new", user=org.clerk).count() == 1


def test_with_subdepartments(org):
    assert names(send([Audience("dept+", str(org.office.pk))])) == ["ann", "clerk", "head"]
    assert names(send([f"dept+:{org.unit.pk}"])) == ["ann", "clerk", "head"]


def test_post_group_role_and_person_audiences_merge_without_duplicates(org, auditor):
    assert names(send([f"post:{org.clerk_post.pk}"])) == ["clerk"]
    assert names(send([f"group:{org.group.pk}"])) == ["ann", "outsider"]
    assert names(send(["role:audit_admin"])) == ["auditor"]
    assert names(send([org.clerk, f"post:{org.writer_post.pk}", "user:head", org.dora])) == ["clerk", "head"]


def test_bad_audiences_and_fields_change_nothing(org):
    for to in (["dept:999999"], ["nonsense"], ["user:nobody"], [org.dora]):
        with pytest.raises(ServiceError):
            send(to)
    for bad in ({"link": "https://evil.example/"}, {"link": "//evil.example/x"}, {"category": "gossip"}, {"title": " "},
                {"quick_actions": [{"code": "approve", "label": "同意"}], "app": "nothing"}):
        with pytest.raises(ServiceError):
            send(["user:clerk"], **bad)
    assert not NoticeRecipient.objects.exists()


def test_sending_is_audited(org):
    notice = send(["user:clerk"])
    assert AuditRecord.objects.filter(action="notices.sent", object_id=str(notice.pk)).exists()


def test_read_one_all_and_per_category(org):
    first = send(["user:clerk"], category="duty")
    send(["user:clerk"], category="meeting")
    send(["user:clerk"], category="meeting")
    assert services.unread_counts(org.clerk) == {"total": 3, "by_category": {"duty": 1, "meeting": 2}}
    assert [c.notice_id for c in queries.inbox(org.clerk)][-1] == first.pk  # newest first
    services.mark_read(user=org.clerk, notice_id=first.pk)
    assert [c.notice_id for c in queries.inbox(org.clerk)][-1] == first.pk  # read ones after unread
    event = Event.objects.filter(user=org.clerk, kind="notice.read").last()
    assert event.payload["notices"] == [first.pk] and event.payload["unread"]["total"] == 2
    assert services.mark_all_read(user=org.clerk, category="meeting") == 2
    assert services.unread_counts(org.clerk)["total"] == 0
    with pytest.raises(Http404):
        services.mark_read(user=org.head, notice_id=first.pk)


def test_read_receipts_and_reminding_the_unread(org, broadcaster):
    notice = services.broadcast(acting_user=broadcaster, to=[f"dept:{org.office.pk}"], title="周五例会", category="meeting")
    services.mark_read(user=org.head, notice_id=notice.pk)
    read, unread = queries.receipts(services.sent_notice(broadcaster, notice.pk))
    assert [c.user.username for c in read] == ["head"] and [c.user.username for c in unread] == ["clerk"]
    assert services.remind_unread(acting_user=broadcaster, notice_id=notice.pk) == 1
    assert Event.objects.filter(kind="notice.reminded").get().user == org.clerk
    assert NoticeRecipient.objects.get(notice=notice, user=org.clerk).deliveries.filter(reason="reminder", channel="email").exists()
    with pytest.raises(Http404):  # only the sender follows up
        services.remind_unread(acting_user=org.head, notice_id=notice.pk)


def test_the_unread_are_reminded_at_most_once_per_workflow_remind_minutes(org, broadcaster, settings):
    settings.WORKFLOW_REMIND_MINUTES = 30
    notice = services.broadcast(acting_user=broadcaster, to=["user:clerk"], title="报送材料", category="document")
    assert services.remind_unread(acting_user=broadcaster, notice_id=notice.pk) == 1
    with pytest.raises(Conflict) as refused:
        services.remind_unread(acting_user=broadcaster, notice_id=notice.pk)
    assert refused.value.code == "too_soon"
    assert Event.objects.filter(kind="notice.reminded").count() == 1
    # Once the window has passed, they may be reminded again.
    Notice.objects.filter(pk=notice.pk).update(last_reminded_at=timezone.now() - timedelta(minutes=31))
    assert services.remind_unread(acting_user=broadcaster, notice_id=notice.pk) == 1
    assert Event.objects.filter(kind="notice.reminded").count() == 2


def test_broadcast_needs_the_permission(org):
    with pytest.raises(PermissionDenied):
        services.broadcast(acting_user=org.clerk, to=["user:head"], title="全体注意")


def test_a_recalled_notice_disappears(org, broadcaster):
    notice = services.broadcast(acting_user=broadcaster, to=["user:clerk", "user:head"], title="错发的通知", category="document")
    services.mark_read(user=org.head, notice_id=notice.pk)
    services.recall(acting_user=broadcaster, notice_id=notice.pk)
    assert list(queries.inbox(org.clerk)) == [] and list(queries.inbox(org.head)) == []
    assert services.unread_counts(org.clerk)["total"] == 0
    assert sorted(Event.objects.filter(kind="notice.recalled").values_list("user__username", flat=True)) == ["clerk", "head"]
    assert set(NoticeRecipient.objects.get(notice=notice, user=org.clerk).deliveries.values_list("state", flat=True)) == {"skipped"}
    with pytest.raises(Http404):
        services.mark_read(user=org.clerk, notice_id=notice.pk)
    with pytest.raises(ServiceError):
        services.recall(acting_user=broadcaster, notice_id=notice.pk)


def test_disabled_people_are_not_counted_as_recipients_later(org):
    person = make_person("eve", "伊芙", roles=("staff",))
    notice = send([person])
    person.is_active = False
    person.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        services.own_copy(person, notice.pk)
