"""Reaching people outside the app: e-mail, SMS, and DING-style escalation of urgent notices.

The in-app message center always receives a notice; the channels here are extra, chosen per
category (``settings.NOTICE_CHANNELS``) and subject to the person's preferences (muted
categories: never; quiet hours: held until they end). Every attempt is a ``Delivery`` row,
queued in the sending transaction and sent by the background worker, so a slow SMTP server
never holds up the person who sent the notice, and the message audit sees every attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from zhengtong.platform.notices.models import Delivery, Notice, NoticeRecipient, Preference

logger = logging.getLogger(__name__)
BATCH = 200


class Channel(Protocol):
    code: str

    def address(self, user: Any) -> str:
        """Where this person is reached; empty when they cannot be."""

    def send(self, address: str, notice: Notice) -> None:
        """Send or raise; the exception's text becomes the delivery's detail."""


class SMSBackend(Protocol):
    def send(self, mobile: str, text: str) -> None: ...


class LoggingSMS:
    """An SMS gateway stand-in that only logs: deployments plug in their operator's gateway."""

    def send(self, mobile: str, text: str) -> None:
        logger.info("SMS to %s: %s", mobile, text)


class EmailChannel:
    code = "email"

    def address(self, user: Any) -> str:
        return str(user.email or "")

    def send(self, address: str, notice: Notice) -> None:
        send_mail(notice.title, _text(notice), None, [address], fail_silently=False)


class SMSChannel:
    code = "sms"

    def address(self, user: Any) -> str:
        return str(user.mobile or "")

    def send(self, address: str, notice: Notice) -> None:
        sms_backend().send(address, notice.title)


def _text(notice: Notice) -> str:
    # Links are relative inside the platform; the mail carries them only when the site address is known.
    link = f"\n\n{settings.SITE_URL.rstrip('/')}{notice.link}" if notice.link and settings.SITE_URL else ""
    return f"{notice.body}{link}"


@cache
def sms_backend() -> SMSBackend:
    backend: SMSBackend = import_string(settings.SMS_BACKEND)()
    return backend


CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    CHANNELS[channel.code] = channel
    return channel


register(EmailChannel())
register(SMSChannel())


def channels_for(category: str) -> list[str]:
    return [code for code in settings.NOTICE_CHANNELS.get(category, ()) if code in CHANNELS]


def _preferences(user_ids: Iterable[int]) -> dict[int, Preference]:
    return {pref.user_id: pref for pref in Preference.objects.filter(user_id__in=list(user_ids))}


def is_quiet(pref: Preference | None, at: datetime) -> bool:
    """Whether ``at`` (local time) falls in the person's quiet hours; they may wrap midnight."""
    if pref is None or pref.quiet_from is None or pref.quiet_until is None or pref.quiet_from == pref.quiet_until:
        return False
    now: time = timezone.localtime(at).time()
    if pref.quiet_from < pref.quiet_until:
        return pref.quiet_from <= now < pref.quiet_until
    return now >= pref.quiet_from or now < pref.quiet_until


def queue(recipients: Iterable[NoticeRecipient], channels: Iterable[str], reason: str) -> list[Delivery]:
    """Queue deliveries inside the caller's transaction; a muted category is recorded as skipped."""
    recipients = list(recipients)
    codes = list(channels)
    if not recipients or not codes:
        return []
    prefs = _preferences(r.user_id for r in recipients)
    rows = []
    for recipient in recipients:
        pref = prefs.get(recipient.user_id)
        muted = pref is not None and recipient.category in (pref.muted_categories or [])
        for code in codes:
            # The message audit must not claim an e-mail went out where no mail server is configured.
            skipped = "muted" if muted else "not configured" if code == "email" and not settings.EMAIL_CONFIGURED else ""
            rows.append(Delivery(recipient=recipient, channel=code, reason=reason,
                                 state=Delivery.State.SKIPPED if skipped else Delivery.State.PENDING,
                                 detail=skipped, finished_at=timezone.now() if skipped else None))
    return Delivery.objects.bulk_create(rows, batch_size=500)


def escalate_due(now: datetime) -> int:
    """Queue an SMS for each urgent notice still unread after ``NOTICE_ESCALATE_MINUTES``, once.

    Each copy is claimed by a conditional update of ``escalated_at`` in the same transaction
    that queues its SMS, so two workers (or one run twice) escalate it exactly once. People in
    their quiet hours are left for a later round.
    """
    cutoff = now - timedelta(minutes=settings.NOTICE_ESCALATE_MINUTES)
    due = list(NoticeRecipient.objects.filter(
        read_at__isnull=True, escalated_at__isnull=True, notice__priority=Notice.Priority.URGENT,
        notice__recalled_at__isnull=True, notice__created_at__lte=cutoff,
    ).order_by("id")[:BATCH])
    prefs = _preferences(r.user_id for r in due)
    escalated = 0
    for recipient in due:
        if is_quiet(prefs.get(recipient.user_id), now):
            continue
        with transaction.atomic():
            if NoticeRecipient.objects.filter(pk=recipient.pk, escalated_at__isnull=True, read_at__isnull=True).update(escalated_at=now):
                queue([recipient], ["sms"], "escalation")
                escalated += 1
    return escalated


def deliver_pending(now: datetime) -> int:
    """Send the queued deliveries whose person is not in quiet hours; each claimed once."""
    pending = list(Delivery.objects.filter(state=Delivery.State.PENDING).select_related("recipient__notice", "recipient__user")
                   .order_by("id")[:BATCH])
    prefs = _preferences(d.recipient.user_id for d in pending)
    sent = 0
    for delivery in pending:
        if is_quiet(prefs.get(delivery.recipient.user_id), now):
            continue
        if not Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING).update(state=Delivery.State.SENDING):
            continue  # another worker has it
        state, detail = _send(delivery)
        Delivery.objects.filter(pk=delivery.pk).update(state=state, detail=detail[:300], finished_at=timezone.now())
        sent += state == Delivery.State.SENT
    return sent


def _send(delivery: Delivery) -> tuple[str, str]:
    notice, user = delivery.recipient.notice, delivery.recipient.user
    if notice.recalled_at is not None:
        return Delivery.State.SKIPPED, "recalled"
    channel = CHANNELS.get(delivery.channel)
    address = channel.address(user) if channel else ""
    if channel is None or not address:
        return Delivery.State.SKIPPED, "no address" if channel else "unknown channel"
    try:
        channel.send(address, notice)
    except Exception as exc:  # noqa: BLE001  (any gateway failure is recorded on the delivery, not raised into the worker)
        logger.warning("notice delivery %s by %s failed", delivery.pk, delivery.channel, exc_info=True)
        return Delivery.State.FAILED, str(exc) or exc.__class__.__name__
    return Delivery.State.SENT, ""


def run_due(now: datetime) -> int:
    """The worker's job: escalate what is due, then send what is queued."""
    return escalate_due(now) + deliver_pending(now)
