"""The document as paper: GB/T 9704 PDF and DOCX, each download audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpResponse

from zhengtong.apps.documents import queries
from zhengtong.apps.documents.models import Document
from zhengtong.apps.documents.rules import VIEW
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit import services as audit

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def render(document: Document, fmt: str) -> bytes:
    from zhengtong.apps.documents.rendering import docx, pdf

    copies = queries.printed_copies(document)  # a classified print run: every copy with its 份号
    if fmt == "pdf":
        return pdf.render_pdf(copies[0]) if len(copies) == 1 else pdf.render_pdf_copies(copies)
    # The DOCX too: what is printed from it must carry one 份号 a copy (rendering/docx.py).
    return docx.render_docx(copies[0]) if len(copies) == 1 else docx.render_docx_copies(copies)


def download(*, acting_user: Any, document: Document, fmt: str) -> HttpResponse:
    require(acting_user, VIEW, document)
    content = render(document, fmt)
    audit.record("documents.downloaded", actor=acting_user, obj=document, detail=f"{fmt}: {document.number or document.title}"[:500])
    response = HttpResponse(content, content_type=FORMATS[fmt])
    name = f"{document.number or document.title}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename=\"document-{document.pk}.{fmt}\"; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
