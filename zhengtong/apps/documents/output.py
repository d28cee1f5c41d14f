"""The document as paper: GB/T 9704 PDF, OFD and DOCX, each download audited.

An issued document (签发 and numbered: ``is_issued``) carries its unit's seal image over the
署名 and date, and its PDF is digitally signed (PAdES) with the unit's certificate; a draft
carries neither. A received copy (收文) prints as the document that was sent: the sender's
seal and signature. Once dispatched, the signed PDF is made once and kept (``keep_issued``, the
worker's job): every later download is those bytes, and the page verifies them, so a changed
stored file or a foreign signature shows as not valid.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse

from zhengtong.apps.documents import queries
from zhengtong.apps.documents.models import Document
from zhengtong.apps.documents.rules import VIEW
from zhengtong.errors import ServiceError
from zhengtong.platform import batch
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory import services as directory
from zhengtong.platform.files import services as files
from zhengtong.platform.files.models import owner_of

FORMATS = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ISSUED_STATES = (Document.State.SIGNED, Document.State.REGISTERED, Document.State.DISPATCHED)
SIGNING_REASON = "发文机关电子签章"
KEEP_BATCH = 5  # dispatched documents kept per worker round: each costs seconds of layout and signing


def is_issued(document: Document) -> bool:
    return document.direction == Document.Direction.OUTGOING and document.state in ISSUED_STATES and bool(document.number)


def _issued(document: Document) -> Document | None:
    """The issued document whose seal and signature the print carries: itself, or the one a received copy came from."""
    if is_issued(document):
        return document
    source = document.source if document.direction == Document.Direction.INCOMING else None
    return source if source is not None and is_issued(source) else None


def render(document: Document, fmt: str) -> bytes:
    from zhengtong.apps.documents.rendering import docx, ofd, pdf, signing

    issued = _issued(document)
    if fmt == "pdf" and issued is not None and issued.issued_file is not None:
        return files.read_bytes(issued.issued_file)
    source = issued or document
    seal = directory.seal_image(issued.unit_id) if issued else b""
    if fmt == "pdf":
        copies = queries.printed_copies(source)  # a classified print run: every copy with its 份号
        copies = [_sealed(copy, seal) for copy in copies]
        content = pdf.render_pdf(copies[0]) if len(copies) == 1 else pdf.render_pdf_copies(copies)
        if issued:
            content = signing.sign_pdf(content, unit_id=issued.unit_id, unit_name=issued.unit.name, reason=SIGNING_REASON)
        return content
    if fmt == "ofd":
        return ofd.render_ofd(_sealed(queries.printed(source), seal))
    # The DOCX too is printed from: one 份号 a copy, as the PDF (rendering/docx.render_docx_copies).
    copies = [_sealed(copy, seal) for copy in queries.printed_copies(source)]
    return docx.render_docx(copies[0]) if len(copies) == 1 else docx.render_docx_copies(copies)


def _sealed(printed: Any, seal: bytes) -> Any:
    return dataclasses.replace(printed, seal_image=seal) if seal and printed.sealed else printed


def signature_status(document: Document) -> Any:
    """The kept PDF's signature as verified (signer, time); None while there is no kept PDF (a draft, or not yet dispatched)."""
    from zhengtong.apps.documents.rendering import signing

    issued = _issued(document)
    if issued is None or issued.issued_file is None:
        return None
    try:
        content = files.read_bytes(issued.issued_file)
    except ServiceError:  # the stored bytes no longer match their hash
        return signing.Verification(False, "", None, "stored file damaged")
    return signing.verify(content)


def signature_pending(document: Document) -> bool:
    """Dispatched, and the worker has not yet kept its signed PDF (seconds after 核发)."""
    issued = _issued(document)
    return issued is not None and issued.state == Document.State.DISPATCHED and issued.issued_file_id is None


def keep_issued(now: Any = None) -> int:
    """The worker's job: make and keep the signed PDF of each newly dispatched document, once."""
    kept = 0
    waiting = Document.objects.filter(direction=Document.Direction.OUTGOING, state=Document.State.DISPATCHED,
                                      issued_file__isnull=True).exclude(number="").select_related("unit", "drafter")
    for document in waiting.order_by("dispatched_at", "pk")[:KEEP_BATCH]:
        content = render(document, "pdf")  # outside the transaction: seconds of layout and signing
        with batch.atomic():
            if not Document.objects.select_for_update().filter(pk=document.pk, issued_file__isnull=True).exists():
                continue  # another worker kept it first
            stored = files.keep_generated(content=content, name=f"{document.number}.pdf", owner=owner_of(document),
                                          kept_for=document.drafter, allowed_kinds={"pdf"})
            Document.objects.filter(pk=document.pk).update(issued_file=stored)
            audit.record("documents.issued_file_kept", obj=document, detail=f"sha256 {stored.sha256}")
        kept += 1
    return kept


def download(*, acting_user: Any, document: Document, fmt: str) -> HttpResponse:
    require(acting_user, VIEW, document)
    content = render(document, fmt)
    audit.record("documents.downloaded", actor=acting_user, obj=document, detail=f"{fmt}: {document.number or document.title}"[:500])
    response = HttpResponse(content, content_type=FORMATS[fmt])
    name = f"{document.number or document.title}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename=\"document-{document.pk}.{fmt}\"; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
