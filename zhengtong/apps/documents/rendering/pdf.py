"""A 公文 as PDF, laid out per GB/T 9704-2012 by WeasyPrint from an HTML/CSS template.

The template (documents/print/document.html) holds the page structure and the CSS; the
numbers come from ``layout`` and the body lines are broken and justified by ``compose``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from . import layout as L
from .compose import Line, Run, compose
from .content import PrintedDocument
from .fonts import ROLES, advance_em, role_font

TEMPLATE = "documents/print/document.html"
SEAL_URL = "zt-seal:seal.png"  # the only URL the page may load: the seal image, from memory


@dataclass(frozen=True)
class SignatureBlock:
    signature: str
    date: str
    sealed: bool
    seal_url: str = ""  # the unit's seal, pressed on the 署名 and the date (7.3.5.1); empty: none


def _css_font(role: str) -> str:
    font = role_font(role)
    return f'font-family: "{font.family}", serif; font-weight: {font.weight};'


def _body_lines(runs: list[Run], *, first_indent_chars: float = 0, rest_indent_chars: float = 0) -> list[Line]:
    return compose(
        runs,
        width_pt=L.BLOCK_WIDTH_MM * L.PT_PER_MM,
        size_pt=L.BODY_SIZE_PT,
        letter_spacing_pt=L.BODY_LETTER_SPACING_PT,
        first_indent_pt=first_indent_chars * L.CHAR_ADVANCE_PT,
        rest_indent_pt=rest_indent_chars * L.CHAR_ADVANCE_PT,
    )


def _attachment_lines(doc: PrintedDocument) -> list[Line]:
    """7.3.4: names after "附件：", wrapped lines aligned with the first character of the name."""
    lines: list[Line] = []
    label_chars = len(L.ATTACHMENTS_LABEL)
    for position, item in enumerate(L.attachment_lines(doc.attachments)):
        numbered_prefix = item.split(".", 1)[0] + "." if len(doc.attachments) > 1 else ""
        prefix_pt = sum(_advance_pt(char) for char in numbered_prefix)
        rest_indent = L.ATTACHMENTS_INDENT_CHARS + label_chars + prefix_pt / L.CHAR_ADVANCE_PT
        if position == 0:
            runs = [Run(L.ATTACHMENTS_LABEL, L.BODY_ROLE), Run(item, L.BODY_ROLE)]
            first_indent = L.ATTACHMENTS_INDENT_CHARS
        else:
            runs = [Run(item, L.BODY_ROLE)]
            first_indent = L.ATTACHMENTS_INDENT_CHARS + label_chars
        lines.extend(_body_lines(runs, first_indent_chars=first_indent, rest_indent_chars=rest_indent))
    return lines


def _advance_pt(char: str) -> float:
    return advance_em(L.BODY_ROLE, char) * L.BODY_SIZE_PT + L.BODY_LETTER_SPACING_PT


def _copied_to_lines(doc: PrintedDocument) -> list[Line]:
    text = L.copied_to_text(doc.copied_to)
    if not text:
        return []
    side_pt = L.COLOPHON_SIDE_CHARS * L.COLOPHON_SIZE_PT
    label_pt = len(L.COPIED_TO_LABEL) * L.COLOPHON_SIZE_PT
    return compose(
        [Run(text, L.COLOPHON_ROLE)],
        width_pt=L.BLOCK_WIDTH_MM * L.PT_PER_MM - 2 * side_pt,
        size_pt=L.COLOPHON_SIZE_PT,
        letter_spacing_pt=0.0,
        rest_indent_pt=label_pt,
    )


def _derived_lengths(doc: PrintedDocument) -> dict[str, float]:
    """Lengths the template needs that are multiples of the standard's units."""
    char = L.CHAR_ADVANCE_PT
    return {
        "page_number_side_pt": L.PAGE_NUMBER_SIDE_CHARS * L.PAGE_NUMBER_SIZE_PT,
        "upward_number_indent_pt": L.UPWARD_NUMBER_INDENT_CHARS * char,
        "signer_right_pt": L.SIGNER_RIGHT_CHARS * char,
        "signer_label_pt": len(L.SIGNER_LABEL) * char,
        "recipients_gap_mm": L.RECIPIENTS_GAP_LINES * L.LINE_PITCH_MM,
        "attachments_gap_mm": L.ATTACHMENTS_GAP_LINES * L.LINE_PITCH_MM,
        "signature_gap_mm": (L.SEALED_GAP_LINES if doc.sealed else L.UNSEALED_GAP_LINES) * L.LINE_PITCH_MM,
        "sealed_date_right_pt": L.SEALED_DATE_RIGHT_CHARS * char,
        "unsealed_signature_right_pt": L.UNSEALED_SIGNATURE_RIGHT_CHARS * char,
        "unsealed_date_shift_pt": L.UNSEALED_DATE_SHIFT_CHARS * char,
        "colophon_side_pt": L.COLOPHON_SIDE_CHARS * L.COLOPHON_SIZE_PT,
    }


def context(doc: PrintedDocument) -> dict[str, object]:
    """Everything the template needs, every length already in mm or pt."""
    head = L.header(doc)
    paragraphs = [
        _body_lines([Run(text, role) for text, role in L.split_heading(paragraph)], first_indent_chars=L.PARAGRAPH_INDENT_CHARS)
        for paragraph in doc.body
        if paragraph.strip()
    ]
    recipients = L.recipients_text(doc.main_recipients)
    note = L.note_text(doc.note)
    signer_rows = L.signer_lines(doc.signers)
    return {
        "doc": doc,
        "L": L,
        "fonts": {role: _css_font(role) for role in ROLES},
        "header": head,
        "header_fields": [(text, index * L.LINE_PITCH_MM) for index, text in enumerate(L.header_field_lines(doc))],
        "css": _derived_lengths(doc),
        "number": "" if doc.draft else doc.number,
        "draft_marker": L.DRAFT_MARKER if doc.draft else "",
        "upward": bool(signer_rows),
        "signer_rows": signer_rows,
        "number_top_mm": head.number_line_top_mm + (head.number_lines - 1) * L.LINE_PITCH_MM,
        "title_lines": L.title_lines(doc.title),
        "recipient_lines": _body_lines([Run(recipients, L.BODY_ROLE)]) if recipients else [],
        "paragraphs": paragraphs,
        "attachment_lines": _attachment_lines(doc),
        "signature": SignatureBlock(doc.issuer_signature, L.chinese_date(doc.written_on), doc.sealed,
                                    SEAL_URL if doc.sealed and doc.seal_image else ""),
        "seal": L.seal_placement(),
        "note_lines": _body_lines([Run(note, L.BODY_ROLE)], first_indent_chars=L.NOTE_INDENT_CHARS) if note else [],
        "copied_to_lines": _copied_to_lines(doc),
        "printed_by": doc.printed_by,
        "printed_on": f"{L.chinese_date(doc.printed_on)}{L.PRINTED_SUFFIX}" if doc.printed_on else "",
        "page_number_left": L.PAGE_NUMBER_DASH + " ",
        "page_number_right": " " + L.PAGE_NUMBER_DASH,
    }


def render_html(doc: PrintedDocument) -> str:
    return render_to_string(TEMPLATE, context(doc))


def layout_document(doc: PrintedDocument) -> Any:
    """The laid-out pages (a WeasyPrint ``Document``): the PDF writes them, and so does ``ofd``."""
    import weasyprint  # imported here: loading Pango is only worth it when printing

    class _SealOnly(weasyprint.urls.URLFetcher):  # type: ignore[misc]
        # The page needs nothing from outside: no file:// or http:// fetch, whatever the text
        # holds; the one picture it has, the seal, is handed over in memory.
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url == SEAL_URL and doc.seal_image:
                return weasyprint.urls.URLFetcherResponse(url, body=doc.seal_image, headers={"Content-Type": "image/png"})
            return super().fetch(url, headers)

    return weasyprint.HTML(string=render_html(doc), url_fetcher=_SealOnly(allowed_protocols=())).render()


def render_pdf(doc: PrintedDocument) -> bytes:
    """The document as an A4 PDF laid out per GB/T 9704-2012."""
    pdf = layout_document(doc).write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf without a target always returns bytes
    return pdf
