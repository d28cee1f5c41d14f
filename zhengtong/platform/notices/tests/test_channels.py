"""E-mail and SMS outside the app: per category, preferences respected, urgent notices escalate once."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from zhengtong import worker
from zhengtong.platform.notices import channels, services
from zhengtong.platform.notices.models import Delivery, NoticeRecipient

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=SHANGHAI)
NIGHT = dt.datetime(2026, 11, 27, 23, 30, tzinfo=SHANGHAI)


class RecordingSMS:
    sent: list[tuple[str, str]] = []

    def send(self, mobile: str, text: str) -> None:
        RecordingSMS.sent.append((mobile, text))


@pytest.fixture(autouse=True)
def mail_server(settings):
    """A configured mail server; Django's test runner captures what is "sent" in mail.outbox."""
    settings.EMAIL_CONFIGURED = True


@pytest.fixture
def sms():
    RecordingSMS.sent = []
    channels.sms_backend.cache_clear()
    with override_settings(SMS_BACKEND=f"{__name__}.RecordingSMS"):
        yield RecordingSMS.sent
    channels.sms_backend.cache_clear()


@pytest.fixture
def reachable(org):
    for person, mobile in ((org.clerk, "13800000001"), (org.head, "13800000002")):
        person.email, person.mobile = f"{person.username}@example.gov.cn", mobile
        person.save(update_fields=["email", "mobile"])
    return org


def send(to: list[Any], category: str = "approval", priority: str = "normal", at: dt.datetime = NOON) -> Any:
    with override_settings(NOTICE_CHANNELS={"approval": ["email"], "duty": ["email", "sms"], "system": []}):
        notice = services.notify(sender=None, to=to, title="请审批", body="正文", link="/workflow/", category=category, priority=priority)
    notice.created_at = at
    notice.save(update_fields=["created_at"])
    return notice


def test_channels_follow_the_category_and_every_delivery_is_recorded(reachable, sms):
    send([reachable.clerk], "approval")
    send([reachable.clerk], "duty")
    send([reachable.clerk], "system")
    assert channels.deliver_pending(NOON) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["clerk@example.gov.cn", "clerk@example.gov.cn"]
    assert sms == [("13800000001", "请审批")]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    assert all(d.finished_at for d in Delivery.objects.all())


def test_without_a_mail_server_e_mail_is_recorded_as_not_sent(reachable, sms, settings):
    settings.EMAIL_CONFIGURED = False
    send([reachable.clerk], "duty")
    channels.deliver_pending(NOON)
    assert mail.outbox == []
    assert sorted(Delivery.objects.values_list("channel", "state", "detail")) == [("email", "skipped", "not configured"),
                                                                                  ("sms", "sent", "")]


def test_no_address_is_recorded_as_skipped(reachable, sms):
    send([reachable.ann], "duty")
    channels.deliver_pending(NOON)
    assert sorted(Delivery.objects.values_list("channel", "state", "detail")) == [("email", "skipped", "no address"),
                                                                                  ("sms", "skipped", "no address")]


def test_a_gateway_failure_is_recorded(reachable):
    with override_settings(SMS_BACKEND="zhengtong.platform.notices.tests.test_channels.Broken"):
        channels.sms_backend.cache_clear()
        send([reachable.clerk], "duty")
        channels.deliver_pending(NOON)
    channels.sms_backend.cache_clear()
    assert Delivery.objects.get(channel="sms").state == "failed"
    assert Delivery.objects.get(channel="sms").detail == "gateway down"


class Broken:
    def send(self, mobile: str, text: str) -> None:
        raise ConnectionError("gateway down")


def test_muted_categories_are_not_sent(reachable, sms):
    services.set_preferences(user=reachable.clerk, quiet_from=None, quiet_until=None, muted_categories=["duty"])
    send([reachable.clerk, reachable.head], "duty")
    channels.deliver_pending(NOON)
    assert [m.to[0] for m in mail.outbox] == ["head@example.gov.cn"] and sms == [("13800000002", "请审批")]
    assert set(Delivery.objects.filter(recipient__user=reachable.clerk).values_list("state", "detail")) == {("skipped", "muted")}
    # The message center still has it.
    assert services.unread_counts(reachable.clerk)["total"] == 1


def test_quiet_hours_hold_deliveries_until_they_end(reachable, sms):
    services.set_preferences(user=reachable.clerk, quiet_from=dt.time(22), quiet_until=dt.time(7), muted_categories=[])
    send([reachable.clerk], "approval", at=NIGHT)
    assert channels.deliver_pending(NIGHT) == 0
    assert channels.deliver_pending(NIGHT + dt.timedelta(hours=3)) == 0  # 02:30, still quiet (wraps midnight)
    assert mail.outbox == []
    assert channels.deliver_pending(NIGHT + dt.timedelta(hours=8)) == 1  # 07:30
    assert len(mail.outbox) == 1


def test_urgent_unread_escalates_to_sms_exactly_once_after_the_delay(reachable, sms):
    urgent = send([reachable.clerk, reachable.head], "system", priority="urgent")
    send([reachable.clerk], "system", priority="normal")
    services.mark_read(user=reachable.head, notice_id=urgent.pk)
    with override_settings(NOTICE_ESCALATE_MINUTES=10):
        worker.run_once(NOON + dt.timedelta(minutes=9))
        assert sms == []
        worker.run_once(NOON + dt.timedelta(minutes=11))
        worker.run_once(NOON + dt.timedelta(minutes=12))  # a second run (or worker) sends nothing more
    assert sms == [("13800000001", "请审批")]
    copy = NoticeRecipient.objects.get(notice=urgent, user=reachable.clerk)
    assert copy.escalated_at is not None
    assert list(copy.deliveries.values_list("channel", "reason", "state")) == [("sms", "escalation", "sent")]


def test_escalation_waits_for_the_end_of_quiet_hours_and_skips_recalled(reachable, sms, broadcaster):
    services.set_preferences(user=reachable.clerk, quiet_from=dt.time(22), quiet_until=dt.time(7), muted_categories=[])
    send([reachable.clerk], "system", priority="urgent", at=NIGHT)
    assert channels.escalate_due(NIGHT + dt.timedelta(minutes=30)) == 0
    assert channels.escalate_due(NIGHT + dt.timedelta(hours=8)) == 1
    recalled = services.broadcast(acting_user=broadcaster, to=[reachable.head], title="作废", priority="urgent")
    services.recall(acting_user=broadcaster, notice_id=recalled.pk)
    assert channels.escalate_due(timezone.now() + dt.timedelta(hours=1)) == 0


def test_preferences_must_be_whole(org):
    from zhengtong.errors import ServiceError

    with pytest.raises(ServiceError):
        services.set_preferences(user=org.clerk, quiet_from=dt.time(22), quiet_until=None, muted_categories=[])
    with pytest.raises(ServiceError):
        services.set_preferences(user=org.clerk, quiet_from=None, quiet_until=None, muted_categories=["gossip"])
