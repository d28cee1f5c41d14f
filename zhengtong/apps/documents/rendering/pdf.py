"""A 公文 as PDF, laid out per GB/T 9704-2012 by WeasyPrint from an HTML/CSS template.

The template (documents/print/document.html) holds the page structure and the CSS; the
numbers come from ``layout`` and the body lines are broken and justified by ``compose``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from . import layout as L
from . import special as S
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


def _body_lines(runs: list[Run], *, first_indent_chars: float = 0, rest_indent_chars: float = 0, script_gap_pt: float = 0.0) -> list[Line]:
    return compose(
        runs,
        width_pt=L.BLOCK_WIDTH_MM * L.PT_PER_MM,
        size_pt=L.BODY_SIZE_PT,
        letter_spacing_pt=L.BODY_LETTER_SPACING_PT,
        first_indent_pt=first_indent_chars * L.CHAR_ADVANCE_PT,
        rest_indent_pt=rest_indent_chars * L.CHAR_ADVANCE_PT,
        script_gap_pt=script_gap_pt,
    )


def _attachment_lines(doc: PrintedDocument, script_gap_pt: float = 0.0) -> list[Line]:
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
        lines.extend(_body_lines(runs, first_indent_chars=first_indent, rest_indent_chars=rest_indent, script_gap_pt=script_gap_pt))
    return lines


def _advance_pt(char: str) -> float:
    return advance_em(L.BODY_ROLE, char) * L.BODY_SIZE_PT + L.BODY_LETTER_SPACING_PT


def _copied_to_lines(doc: PrintedDocument, script_gap_pt: float = 0.0) -> list[Line]:
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
        script_gap_pt=script_gap_pt,
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


def context(doc: PrintedDocument, colophon_page: str = "") -> dict[str, object]:
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
        "colophon_page": colophon_page,
    }


def _attendance_lines(doc: PrintedDocument) -> list[list[Line]]:
    """10.3: each of 出席, 请假, 列席 two characters in, its names wrapped under the first name."""
    rows = []
    for label, names in S.attendance_rows(doc):
        head = f"{label}："
        rows.append(_body_lines([Run(head, S.MINUTES_LABEL_ROLE), Run(names, L.BODY_ROLE)], first_indent_chars=S.MINUTES_INDENT_CHARS,
                                rest_indent_chars=S.MINUTES_INDENT_CHARS + len(head)))
    return rows


def _special_context(doc: PrintedDocument, base: dict[str, object]) -> dict[str, object]:
    """What §10's layouts and 联合行文 change in the context of the standard page."""
    layout = S.layout_of(doc)
    date = L.chinese_date(doc.written_on)
    extra: dict[str, object] = {"layout": layout, "joint_mark": None, "signature_lines": S.signatures(doc), "seal_rows": [],
                                "attendance_lines": _attendance_lines(doc) if layout == S.MINUTES else [], "S": S,
                                "sp": S.lengths()}
    if layout == S.LETTER:
        letter = S.letter_header(doc)
        extra.update(header=letter, number_top_mm=letter.fields_top_mm, upward=False,
                     header_fields=[(text, letter.fields_top_mm + index * L.LINE_PITCH_MM)
                                    for index, text in enumerate(L.header_field_lines(doc))])
    elif layout == S.ORDER:
        order = S.order_header(doc)
        extra.update(header=order, number_top_mm=order.number_top_mm, upward=False, title_lines=[])
    else:
        head = S.header(doc)
        extra.update(header=head, joint_mark=S.joint_mark(doc),
                     number_top_mm=head.number_line_top_mm + (head.number_lines - 1) * L.LINE_PITCH_MM)
    if doc.sealed and len(S.signatures(doc)) > 1 and layout in (S.STANDARD, S.LETTER):
        extra["seal_rows"] = S.joint_seal_rows(doc, date)
    return extra


def render_html(doc: PrintedDocument, colophon_page: str = "") -> str:
    base = context(doc, colophon_page)
    return render_to_string(TEMPLATE, {**base, **_special_context(doc, base)})


def _has_colophon(doc: PrintedDocument) -> bool:
    if S.layout_of(doc) == S.LETTER:  # 10.1: a letter's 版记 is its 抄送 alone
        return bool(L.copied_to_text(doc.copied_to))
    return bool(L.copied_to_text(doc.copied_to) or doc.printed_by or doc.printed_on)


def _carries_text(box: Any) -> bool:
    """Whether a laid-out box holds text of the flow (not a page number, not the 版记 footnote)."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.FootnoteAreaBox | boxes.MarginBox):
        return False
    if isinstance(box, boxes.TextBox):
        return bool(box.text.strip())
    return any(_carries_text(child) for child in getattr(box, "children", ()))


def _seal_only(doc: PrintedDocument) -> Any:
    import weasyprint

    class _SealOnly(weasyprint.urls.URLFetcher):  # type: ignore[misc]
        # The page needs nothing from outside: no file:// or http:// fetch, whatever the text
        # holds; the one picture it has, the seal, is handed over in memory.
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url == SEAL_URL and doc.seal_image:
                return weasyprint.urls.URLFetcherResponse(url, body=doc.seal_image, headers={"Content-Type": "image/png"})
            return super().fetch(url, headers)

    return _SealOnly(allowed_protocols=())


def layout_document(doc: PrintedDocument) -> Any:
    """The laid-out pages (a WeasyPrint ``Document``), the 版记 on the last face: the PDF writes them, and so does ``ofd``."""
    import weasyprint  # imported here: loading Pango is only worth it when printing

    fetcher = _seal_only(doc)
    rendered = weasyprint.HTML(string=render_html(doc), url_fetcher=fetcher).render()
    pages = rendered.pages
    if _has_colophon(doc) and len(pages) % 2:
        # 7.4.1: the 版记's last rule on the foot of the block of the last face (最后一面); 6.2: printed on
        # both sides, so the last face is an even page. When the text ends on an odd page, the 版记
        # takes the next (even) page; when the text ends on a full even page (the 版记 was pushed to
        # an odd page of its own), an empty page comes first and 7.5 numbers neither of the two.
        alone = len(pages) > 1 and not _carries_text(pages[-1]._page_box)
        rendered = weasyprint.HTML(string=render_html(doc, "alone" if alone else "next"), url_fetcher=fetcher).render()
    return rendered


def render_pdf(doc: PrintedDocument) -> bytes:
    """The document as an A4 PDF laid out per GB/T 9704-2012."""
    pdf = layout_document(doc).write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf without a target always returns bytes
    return pdf


def render_pdf_copies(copies: list[PrintedDocument]) -> bytes:
    """7.2.1 份号: several printed copies in one PDF, each with its own 份号 and its own page numbers."""
    rendered = [layout_document(doc) for doc in copies]
    pdf = rendered[0].copy([page for document in rendered for page in document.pages]).write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf without a target always returns bytes
    return pdf
