"""The document as paper: GB/T 9704 PDF, OFD and DOCX, each download audited.

An issued document (签发 and numbered: ``is_issued``) carries its unit's seal image over the
署名 and date, and its PDF is digitally signed (PAdES) with the unit's certificate; a draft
carries neither. A received copy (收文) prints as the document that was sent: the sender's
seal and signature.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import quote

from django.core.cache import cache
from django.http import HttpResponse

from zhengtong.apps.documents import queries
from zhengtong.apps.documents.models import Document
from zhengtong.apps.documents.rules import VIEW
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory import services as directory

FORMATS = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ISSUED_STATES = (Document.State.SIGNED, Document.State.REGISTERED, Document.State.DISPATCHED)
SIGNING_REASON = "发文机关电子签章"


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
    source = issued or document
    seal = directory.seal_image(issued.unit_id) if issued else b""
    if fmt == "pdf":
        copies = queries.printed_copies(source)  # a classified print run: every copy with its 份号
        copies = [_sealed(copy, seal) for copy in copies]
        content = pdf.render_pdf(copies[0]) if len(copies) == 1 else pdf.render_pdf_copies(copies)
        if issued:
            content = signing.sign_pdf(content, unit_id=issued.unit_id, unit_name=issued.unit.name, reason=SIGNING_REASON)
        return content
    printed = _sealed(queries.printed(source), seal)
    if fmt == "ofd":
        return ofd.render_ofd(printed)
    return docx.render_docx(printed)


def _sealed(printed: Any, seal: bytes) -> Any:
    return dataclasses.replace(printed, seal_image=seal) if seal and printed.sealed else printed


def signature_status(document: Document) -> Any:
    """The issued PDF's signature as verified (signer, time), cached per version of the document; None for a draft."""
    from zhengtong.apps.documents.rendering import signing

    issued = _issued(document)
    if issued is None:
        return None
    key = f"documents:signature:{issued.pk}:{issued.updated_at.timestamp()}:{issued.state}"
    status = cache.get(key)
    if status is None:
        status = signing.verify(render(issued, "pdf"))
        cache.set(key, status, 24 * 3600)
    return status


def download(*, acting_user: Any, document: Document, fmt: str) -> HttpResponse:
    require(acting_user, VIEW, document)
    content = render(document, fmt)
    audit.record("documents.downloaded", actor=acting_user, obj=document, detail=f"{fmt}: {document.number or document.title}"[:500])
    response = HttpResponse(content, content_type=FORMATS[fmt])
    name = f"{document.number or document.title}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename=\"document-{document.pk}.{fmt}\"; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
