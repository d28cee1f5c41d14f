"""Reading the message center: my notices, a sender's read receipts, the message audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.notices.models import Delivery, Notice, NoticeRecipient, Preference


def inbox(user: Any, *, category: str = "", unread_only: bool = False) -> QuerySet[NoticeRecipient]:
    """My live notices, unread first, newest first within each."""
    copies = NoticeRecipient.objects.filter(user=user, notice__recalled_at__isnull=True).select_related("notice__sender")
    if category:
        copies = copies.filter(category=category)
    if unread_only:
        copies = copies.filter(read_at__isnull=True)
    return copies.order_by(F("read_at").asc(nulls_first=True), "-notice_id")


def sent_by(user: Any) -> QuerySet[Notice]:
    return Notice.objects.filter(sender=user).order_by("-created_at", "-id")


def receipts(notice: Notice) -> tuple[QuerySet[NoticeRecipient], QuerySet[NoticeRecipient]]:
    """(已读, 未读): who has read the notice and when, and who has not; slice them, a notice may reach thousands."""
    copies = notice.recipients.select_related("user").order_by("user__display_name", "user_id")
    return copies.filter(read_at__isnull=False), copies.filter(read_at__isnull=True)


@dataclass(frozen=True)
class AuditFilter:
    sender: str = ""
    recipient: str = ""
    category: str = ""
    channel: str = ""
    since: datetime | None = None
    until: datetime | None = None


def message_audit(acting_user: Any, filters: AuditFilter) -> QuerySet[NoticeRecipient]:
    """Who was sent what, when, by which channel, delivered and read when: the audit administrator's alone."""
    require(acting_user, perms.VIEW_AUDIT)
    copies = NoticeRecipient.objects.select_related("notice__sender", "user").prefetch_related(
        Prefetch("deliveries", queryset=Delivery.objects.order_by("id")))
    if filters.sender:
        copies = copies.filter(notice__sender__username=filters.sender)
    if filters.recipient:
        copies = copies.filter(user__username=filters.recipient)
    if filters.category:
        copies = copies.filter(category=filters.category)
    if filters.channel:
        copies = copies.filter(deliveries__channel=filters.channel).distinct()
    if filters.since:
        copies = copies.filter(notice__created_at__gte=filters.since)
    if filters.until:
        copies = copies.filter(notice__created_at__lt=filters.until)
    return copies.order_by("-notice_id", "user_id")


def preferences(user: Any) -> Preference:
    """A person's preferences; the defaults (no quiet hours, nothing muted) when never set."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def category_counts(user: Any) -> list[tuple[str, str, int]]:
    """Every category with my unread count in it: (code, label, count)."""
    from zhengtong.platform.notices import categories
    from zhengtong.platform.notices.services import unread_counts

    by_category = unread_counts(user)["by_category"]
    return [(code, label, by_category.get(code, 0)) for code, label in categories.choices()]
