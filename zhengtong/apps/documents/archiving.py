"""Hand-over for archiving (整理归档, 条例 第二十三条): what the archives app receives for one document.

The archives app calls ``package_for_archives``; it never reads these tables itself (DESIGN:
apps talk through explicit functions). The package is self-contained: the elements as
metadata, the GB/T 9704 text as PDF, every file with its SHA-256, the processing record
(who did what at which step, with their opinions), instructions, receipts and circulation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhengtong.apps.documents import output, queries
from zhengtong.apps.documents.models import Document
from zhengtong.apps.documents.rules import REGISTRY, VIEW
from zhengtong.errors import Conflict
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit import services as audit

FINISHED = (Document.State.DISPATCHED, Document.State.CLOSED)


@dataclass(frozen=True)
class ArchivedFile:
    name: str
    kind: str
    sha256: str
    size: int
    purpose: str
    stored_file_id: int


@dataclass(frozen=True)
class ArchivePackage:
    document_id: int
    direction: str
    doc_type: str
    title: str
    number: str
    register_number: str
    unit: str
    sender: str
    classification: int
    secrecy_mark: str
    written_on: date | None
    finished_at: datetime | None
    text_pdf: bytes
    files: list[ArchivedFile] = field(default_factory=list)
    record: list[dict[str, Any]] = field(default_factory=list)
    instructions: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)


def package_for_archives(*, acting_user: Any, document: Document) -> ArchivePackage:
    """The package of a finished document, for its unit's registry (who 整理归档); audited."""
    from zhengtong.apps.documents.services import secrecy_mark

    require(acting_user, VIEW, document)
    require(acting_user, REGISTRY, document.unit)
    if document.state not in FINISHED:
        raise Conflict("not_finished", _("Only a dispatched or closed document is handed over for archiving."))
    files = [ArchivedFile(name=a.file.name, kind=a.file.kind, sha256=a.file.sha256, size=a.file.size, purpose=a.purpose,
                          stored_file_id=a.file_id) for a in document.attachments.select_related("file")]
    receipts = [{"unit": d.unit.name, "state": d.state, "received_at": d.received_at, "reason": d.reason}
                for d in queries.deliveries(document)]
    readers = [{"reader": c.user.get_full_name(), "read_at": c.read_at} for c in queries.circulation(document)]
    with transaction.atomic():
        package = ArchivePackage(
            document_id=document.pk, direction=document.direction, doc_type=document.doc_type, title=document.title,
            number=document.number, register_number=document.register_number, unit=document.unit.name,
            sender=document.sender_name or document.unit.name, classification=document.classification,
            secrecy_mark=secrecy_mark(document), written_on=document.written_on,
            finished_at=document.closed_at or document.dispatched_at, text_pdf=output.render(document, "pdf"), files=files,
            record=queries.opinions(document),
            instructions=[{"by": i.author.get_full_name(), "text": i.text, "ink": i.ink, "at": i.created_at}
                          for i in document.instructions.select_related("author")],
            receipts=receipts + readers,
        )
        audit.record("documents.handed_to_archives", actor=acting_user, obj=document, detail=document.number or document.register_number)
    return package
