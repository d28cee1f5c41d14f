"""The message audit: the audit administrator's reading of chat (三员: theirs alone).

Who said what, when, in which conversation, and who has read it (the members' watermarks); found
by person, conversation, time range and text, and exported as CSV or XLSX. Every search and every
export is itself written to the audit trail first, with what was asked. The checks are the audit
trail's own permissions (``audit.view``, ``audit.export``), which only the audit administrator's
built-in role holds, so the system and security administrators are refused, as is every member of
staff: a conversation's own members read it in chat, not here.

Recalled messages are found too (the audit sees what was said, marked as recalled); purged ones
are gone for everybody.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import chain, islice
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import model_validator

from zhengtong.apps.chat.models import Conversation, Member, Message
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.audit.exports import safe_cell

PAGE = 50
CHUNK = 1000
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class MessageFilter(Schema):
    """Which messages: the one definition for the page, the API and both exports."""

    person: str = Field("", max_length=150, description="The sender's username.")
    conversation: int | None = Field(None, ge=1, description="A conversation's id.")
    since: date | None = Field(None, description="Sent on or after this day (local time).")
    until: date | None = Field(None, description="Sent on or before this day (local time).")
    text: str = Field("", max_length=100, description="Part of the text (case-insensitive), recalled messages included.")

    @model_validator(mode="after")
    def _dates_in_order(self) -> MessageFilter:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since is after until")
        return self

    def apply(self, rows: QuerySet[Message]) -> QuerySet[Message]:
        if self.person:
            rows = rows.filter(sender__username=self.person)
        if self.conversation:
            rows = rows.filter(conversation_id=self.conversation)
        if self.since:
            rows = rows.filter(created_at__gte=_local_midnight(self.since))
        if self.until:
            rows = rows.filter(created_at__lt=_local_midnight(self.until + timedelta(days=1)))
        if self.text:
            rows = rows.filter(text__icontains=self.text)
        return rows

    def describe(self) -> str:
        """The filter as it was asked, for the audit record of the search or export."""
        return json.dumps(self.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class AuditedMessage:
    message: Message
    read: list[Any]  # the people (members who may see it, the sender aside) whose watermark reached it
    unread: list[Any]


def _matching(query: MessageFilter) -> QuerySet[Message]:
    return query.apply(Message.objects.select_related("sender", "conversation")).order_by("-pk")


def _with_readers(messages: list[Message], members: dict[int, list[Member]]) -> list[AuditedMessage]:
    """Each message with who has and has not read it; ``members`` (by conversation) is filled as needed."""
    wanted = {m.conversation_id for m in messages} - set(members)
    for member in Member.objects.filter(conversation_id__in=wanted).select_related("person").order_by("pk"):
        members.setdefault(member.conversation_id, []).append(member)
    found = []
    for message in messages:
        audience = [m for m in members.get(message.conversation_id, []) if m.person_id != message.sender_id
                    and m.sees(message.conversation, message.seq)]
        found.append(AuditedMessage(message, [m.person for m in audience if m.read_seq >= message.seq],
                                    [m.person for m in audience if m.read_seq < message.seq]))
    return found


def search(acting_user: Any, query: MessageFilter, *, before: int | None = None,
           limit: int = PAGE) -> tuple[list[AuditedMessage], int | None]:
    """One page of matching messages, newest first, and the cursor of the next (older) page; the search is audited."""
    require(acting_user, perms.VIEW_AUDIT)
    audit.record("chat.audit_searched", actor=acting_user, detail=query.describe()[:500])
    rows = _matching(query)
    if before is not None:
        rows = rows.filter(pk__lt=before)
    window = list(rows[:limit + 1])
    next_before = window[limit - 1].pk if len(window) > limit else None
    return _with_readers(window[:limit], {}), next_before


def title_of(conversation: Conversation, direct: str = "") -> str:
    """A group's name; a 1:1 conversation has none of its own (its members are listed)."""
    return conversation.title if conversation.kind == Conversation.Kind.GROUP else direct or _("Direct conversation")


def _names(people: Iterable[Any]) -> str:
    return "、".join(f"{person.get_full_name()}({person.username})" for person in people)


def _cells(found: AuditedMessage, labels: dict[str, str]) -> list[str]:
    message = found.message
    return [safe_cell(value) for value in (
        message.pk, timezone.localtime(message.created_at).isoformat(), message.conversation_id,
        title_of(message.conversation, labels["direct"]), message.seq, message.sender.username, message.sender.get_full_name(),
        labels.get(message.kind, message.kind), message.text,
        timezone.localtime(message.recalled_at).isoformat() if message.recalled_at else "",
        len(found.read), _names(found.read), len(found.unread), _names(found.unread))]


def _header() -> list[str]:
    return [_("Message"), _("Sent at"), _("Conversation"), _("Conversation name"), _("Position"), _("Sender (username)"),
            _("Sender"), _("Kind"), _("Text"), _("Recalled at"), _("Read (count)"), _("Read by"), _("Unread (count)"), _("Not read by")]


def _rows(query: MessageFilter) -> Iterator[list[str]]:
    """Every matching message as cells, newest first, read from the database a chunk at a time."""
    labels = {"direct": str(_("Direct conversation")), **{value: str(label) for value, label in Message.Kind.choices}}
    return _chunked(query, labels)


def _chunked(query: MessageFilter, labels: dict[str, str]) -> Iterator[list[str]]:
    members: dict[int, list[Member]] = {}
    messages = _matching(query).iterator(chunk_size=CHUNK)
    while chunk := list(islice(messages, CHUNK)):
        yield from (_cells(found, labels) for found in _with_readers(chunk, members))


class _Echo:
    def write(self, value: str) -> str:
        return value


def export(acting_user: Any, query: MessageFilter, fmt: str) -> Iterator[bytes]:
    """The matching messages as a CSV (streamed) or XLSX file; the export is audited first, with what was asked.

    Labels are translated now, while the request's language is active."""
    require(acting_user, perms.EXPORT_AUDIT)
    if fmt not in FORMATS:
        raise ValueError(fmt)
    audit.record("chat.audit_exported", actor=acting_user, detail=f"{fmt} {query.describe()}"[:500])
    header, rows = _header(), _rows(query)
    if fmt == "csv":
        writer = csv.writer(_Echo())
        # A byte-order mark: Excel and WPS otherwise read UTF-8 as the local code page and garble Chinese.
        lines = chain(["\ufeff" + writer.writerow(header)], (writer.writerow(cells) for cells in rows))
        return (line.encode() for line in lines)
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Messages"))
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    target = io.BytesIO()
    workbook.save(target)
    return iter([target.getvalue()])


def export_response(acting_user: Any, query: MessageFilter, fmt: str) -> StreamingHttpResponse:
    """The export as a download named after the moment it was taken."""
    response = StreamingHttpResponse(export(acting_user, query, fmt), content_type=FORMATS[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="chat-audit-{stamp}.{fmt}"'
    return response
