"""The message center's API: my notices, read state, sending, read receipts, recall, quick actions, audit."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zhengtong.pagination import Page, PageIn, page
from zhengtong.platform.notices import queries, services
from zhengtong.platform.notices.models import Notice, NoticeRecipient

router = Router(tags=["notices"])


class NoticeOut(Schema):
    id: int
    title: str
    body: str
    link: str
    category: str
    priority: str
    app: str
    sender: str
    quick_actions: list[dict[str, str]]
    created_at: datetime
    read_at: datetime | None


class UnreadCountsOut(Schema):
    total: int
    by_category: dict[str, int]


class ChangedOut(Schema):
    changed: int


class ReadAllIn(Schema):
    category: str = ""


class SendIn(Schema):
    to: list[str] = Field(..., min_length=1, max_length=200, description="Audiences: user:<username>, dept:<id>, dept+:<id> "
                                                                         "(with subdepartments), post:<id>, group:<id>, role:<code>")
    title: str = Field(..., max_length=200)
    body: str = Field("", max_length=20000)
    link: str = Field("", max_length=500)
    category: str = "system"
    priority: str = "normal"


class SentOut(Schema):
    id: int
    recipients: int


class ReceiptOut(Schema):
    username: str
    name: str
    read_at: datetime | None


class ReceiptsQuery(PageIn):
    state: Literal["read", "unread"] = Field("unread", description="Who has read it, or who has not.")


class ReceiptsOut(Page[ReceiptOut]):
    read_total: int = Field(..., description="Everyone who has read it.")
    unread_total: int = Field(..., description="Everyone who has not.")


class ActionIn(Schema):
    comment: str = Field("", max_length=2000)


class ActionResultOut(Schema):
    message: str


class DeliveryOut(Schema):
    channel: str
    reason: str
    state: str
    created_at: datetime
    finished_at: datetime | None
    detail: str


class AuditRowOut(Schema):
    notice: int
    title: str
    category: str
    priority: str
    sender: str
    recipient: str
    sent_at: datetime
    delivered_at: datetime
    read_at: datetime | None
    recalled_at: datetime | None
    deliveries: list[DeliveryOut]


class AuditQuery(Schema):
    sender: str = ""
    recipient: str = ""
    category: str = ""
    channel: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(50, ge=1, le=200, description="At most this many items.")
    cursor: str = Field("", max_length=40, description="`next_cursor` of the previous page; empty for the first page.")


class PreferencesIO(Schema):
    quiet_from: time | None = None
    quiet_until: time | None = None
    muted_categories: list[str] = []


def _notice(copy: NoticeRecipient) -> NoticeOut:
    notice = copy.notice
    return NoticeOut(id=notice.pk, title=notice.title, body=notice.body, link=notice.link, category=notice.category,
                     priority=notice.priority, app=notice.app, sender=notice.sender.get_full_name() if notice.sender else "",
                     quick_actions=notice.quick_actions, created_at=notice.created_at, read_at=copy.read_at)


def _receipt(copy: NoticeRecipient) -> ReceiptOut:
    return ReceiptOut(username=copy.user.username, name=copy.user.get_full_name(), read_at=copy.read_at)


def _sender(notice: Notice) -> str:
    return notice.sender.username if notice.sender else ""


@router.get("/", response=Page[NoticeOut], summary="My notices, unread first")
def list_notices(request: HttpRequest, paging: Query[PageIn], category: str = "", unread: bool = False) -> dict[str, Any]:
    return page(queries.inbox(request.user, category=category, unread_only=unread), paging, _notice)


@router.get("/counts", response=UnreadCountsOut, summary="My unread counts per category")
def counts(request: HttpRequest) -> UnreadCountsOut:
    return UnreadCountsOut(**services.unread_counts(request.user))


@router.post("/read-all", response=ChangedOut, summary="Mark all my notices read (or those of one category)")
def read_all(request: HttpRequest, payload: ReadAllIn) -> ChangedOut:
    return ChangedOut(changed=services.mark_all_read(user=request.user, category=payload.category))


@router.get("/preferences", response=PreferencesIO, summary="My delivery preferences")
def get_preferences(request: HttpRequest) -> PreferencesIO:
    pref = queries.preferences(request.user)
    return PreferencesIO(quiet_from=pref.quiet_from, quiet_until=pref.quiet_until, muted_categories=pref.muted_categories)


@router.put("/preferences", response=PreferencesIO, summary="Set my quiet hours and muted categories")
def put_preferences(request: HttpRequest, payload: PreferencesIO) -> PreferencesIO:
    pref = services.set_preferences(user=request.user, quiet_from=payload.quiet_from, quiet_until=payload.quiet_until,
                                    muted_categories=payload.muted_categories)
    return PreferencesIO(quiet_from=pref.quiet_from, quiet_until=pref.quiet_until, muted_categories=pref.muted_categories)


def _audit_row(row: NoticeRecipient) -> AuditRowOut:
    return AuditRowOut(notice=row.notice_id, title=row.notice.title, category=row.category, priority=row.notice.priority,
                       sender=_sender(row.notice), recipient=row.user.username, sent_at=row.notice.created_at,
                       delivered_at=row.delivered_at, read_at=row.read_at, recalled_at=row.notice.recalled_at,
                       deliveries=[DeliveryOut(channel=d.channel, reason=d.reason, state=d.state, created_at=d.created_at,
                                               finished_at=d.finished_at, detail=d.detail) for d in row.deliveries.all()])


@router.get("/audit", response=Page[AuditRowOut], summary="Message audit (audit administrator)")
def audit(request: HttpRequest, filters: Query[AuditQuery]) -> dict[str, Any]:
    rows = queries.message_audit(request.user, queries.AuditFilter(
        sender=filters.sender, recipient=filters.recipient, category=filters.category, channel=filters.channel,
        since=filters.since, until=filters.until))
    return page(rows, PageIn(limit=filters.limit, cursor=filters.cursor), _audit_row)


@router.post("/", response={201: SentOut}, summary="Send a notice (needs notices.broadcast)")
def send(request: HttpRequest, payload: SendIn) -> Status[SentOut]:
    notice = services.broadcast(acting_user=request.user, to=payload.to, title=payload.title, body=payload.body,
                                link=payload.link, category=payload.category, priority=payload.priority)
    return Status(201, SentOut(id=notice.pk, recipients=notice.recipients.count()))


@router.post("/{notice_id}/read", response=ChangedOut, summary="Mark one notice read")
def read(request: HttpRequest, notice_id: int) -> ChangedOut:
    return ChangedOut(changed=services.mark_read(user=request.user, notice_id=notice_id))


@router.get("/{notice_id}/receipts", response=ReceiptsOut, summary="Who has and has not read a notice I sent")
def receipts(request: HttpRequest, notice_id: int, paging: Query[ReceiptsQuery]) -> dict[str, Any]:
    read_copies, unread_copies = queries.receipts(services.sent_notice(request.user, notice_id))
    listed = page(read_copies if paging.state == "read" else unread_copies, paging, _receipt)
    return {**listed, "read_total": read_copies.count(), "unread_total": unread_copies.count()}


@router.post("/{notice_id}/remind", response=ChangedOut,
             summary="Remind those who have not read a notice I sent; 409 too_soon within WORKFLOW_REMIND_MINUTES of the last")
def remind(request: HttpRequest, notice_id: int) -> ChangedOut:
    return ChangedOut(changed=services.remind_unread(acting_user=request.user, notice_id=notice_id))


@router.post("/{notice_id}/recall", response=ChangedOut, summary="Recall a notice I sent")
def recall(request: HttpRequest, notice_id: int) -> ChangedOut:
    services.recall(acting_user=request.user, notice_id=notice_id)
    return ChangedOut(changed=1)


@router.post("/{notice_id}/actions/{code}", response=ActionResultOut, summary="Run a quick action of a notice I received")
def run_action(request: HttpRequest, notice_id: int, code: str, payload: ActionIn) -> ActionResultOut:
    return ActionResultOut(message=services.run_action(user=request.user, notice_id=notice_id, code=code, comment=payload.comment))
