"""A 公文 as DOCX, with the GB/T 9704-2012 page of ``layout`` (python-docx).

Word and WPS do their own line breaking, so the page is described the way a Word template
describes it: the page geometry, a document grid of 22 lines × 28 characters, an exact line
pitch, fonts by role and paragraph indents in characters. The fonts named are the standard's
(or the operator's override), not the server's substitutes: the file is rendered on the
reader's machine, where 仿宋_GB2312 and friends usually exist.
"""

from __future__ import annotations

import io
import math
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Length, Mm, Pt, RGBColor, Twips

from . import layout as L
from .compose import text_width_pt
from .content import PrintedDocument
from .fonts import preferred_family

TWIPS_PER_PT = 20
# w:docGrid of lines only: the line pitch in twips, rounded down so that 22 lines still fit. The 28
# characters come from the body's own advance (below), not from a character grid: LibreOffice gives
# a 16 pt character two cells of a 15.79 pt character grid (14 a line), while condensed characters
# set 28 a line in Word, WPS and LibreOffice alike (measured in LibreOffice 7.4).
GRID_LINE_PITCH_TWIPS = math.floor(L.LINE_PITCH_PT * TWIPS_PER_PT)  # 579
LINE_PITCH = Twips(GRID_LINE_PITCH_TWIPS)
# Body characters condensed (in twentieths of a point) to an advance of 15.75 pt: 28 fit in 156 mm, 29 do not.
BODY_CONDENSE_TWENTIETHS = math.floor(L.BODY_LETTER_SPACING_PT * 20)  # −5
RED_HEX = L.RED.removeprefix("#")
# Border widths are in eighths of a point.
RED_RULE_SIZE = round(L.RED_RULE_THICKNESS_MM * L.PT_PER_MM * 8)
THICK_RULE_SIZE = round(L.COLOPHON_THICK_RULE_MM * L.PT_PER_MM * 8)
THIN_RULE_SIZE = round(L.COLOPHON_THIN_RULE_MM * L.PT_PER_MM * 8)


# Child order inside w:pPr, w:rPr and w:tblPr (ECMA-376 part 1, 17.3.1.26, 17.3.2.28, 17.4.60):
# Word rejects a file whose property elements are out of order.
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr", "suppressLineNumbers",
    "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
    "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange",
)  # fmt: skip
RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow", "emboss",
    "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs",
    "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
    "specVanish", "oMath",
)  # fmt: skip
TBLPR_ORDER = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc",
    "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
)  # fmt: skip


def _put(parent: Any, tag: str, order: tuple[str, ...], **attributes: str) -> Any:
    """Replace or add the child ``w:tag`` of a property element, in schema order."""
    existing = parent.find(qn(f"w:{tag}"))
    if existing is not None:
        parent.remove(existing)
    child = OxmlElement(f"w:{tag}")
    for name, value in attributes.items():
        child.set(qn(f"w:{name}"), value)
    successors = order[order.index(tag) + 1 :]
    parent.insert_element_before(child, *(f"w:{name}" for name in successors))
    return child


def _chars(count: float) -> Pt:
    return Pt(count * L.CHAR_ADVANCE_PT)


def _lines(count: float) -> Twips:
    return Twips(round(count * GRID_LINE_PITCH_TWIPS))


def _width_pt(text: str, role: str = L.BODY_ROLE) -> float:
    return text_width_pt(text, role, size_pt=L.BODY_SIZE_PT, letter_spacing_pt=L.BODY_LETTER_SPACING_PT)


def _set_fonts(r_pr: Any, role: str) -> None:
    family = preferred_family(role)
    _put(r_pr, "rFonts", RPR_ORDER, ascii=family, hAnsi=family, eastAsia=family, cs=family, hint="eastAsia")


def _run(paragraph: Any, text: str, role: str, size_pt: float = L.BODY_SIZE_PT, color: str = "") -> Any:
    run = paragraph.add_run(text)
    run.font.size = Pt(size_pt)
    _set_fonts(run._element.get_or_add_rPr(), role)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def _paragraph(
    document: Any,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    before: Length | None = None,
    line: Any = LINE_PITCH,
    left: float = 0,
    right: float = 0,
    first_line: float = 0,
    container: Any = None,
) -> Any:
    """A paragraph with an exact line height; indents in characters of the grid."""
    paragraph = (container or document).add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = before or Twips(0)
    fmt.space_after = Twips(0)
    fmt.left_indent = _chars(left)
    fmt.right_indent = _chars(right)
    fmt.first_line_indent = _chars(first_line)
    return paragraph


def _off_grid(paragraph: Any) -> None:
    """Text that is not 3号 (mark, title, 版记, page number) keeps its own advance instead of
    taking whole grid cells, as "对齐到网格" unticked does in a Word template."""
    _put(paragraph._p.get_or_add_pPr(), "snapToGrid", PPR_ORDER, val="0")


def _bottom_border(p_pr: Any, size: int, color: str, space_pt: int) -> None:
    borders = _put(p_pr, "pBdr", PPR_ORDER)
    edge = OxmlElement("w:bottom")
    for name, value in (("val", "single"), ("sz", str(size)), ("space", str(space_pt)), ("color", color)):
        edge.set(qn(f"w:{name}"), value)
    borders.append(edge)


def _page_geometry(document: Any) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width = Mm(L.PAGE_WIDTH_MM)
    section.page_height = Mm(L.PAGE_HEIGHT_MM)
    section.top_margin = Mm(L.TOP_MARGIN_MM)
    section.bottom_margin = Mm(L.BOTTOM_MARGIN_MM)
    section.left_margin = Mm(L.LEFT_MARGIN_MM)
    section.right_margin = Mm(L.RIGHT_MARGIN_MM)
    section.header_distance = Mm(0)
    # 7.5: the page number's top 7 mm under the block; Word places a footer by its bottom edge.
    number_bottom_mm = L.TOP_MARGIN_MM + L.BLOCK_HEIGHT_MM + L.PAGE_NUMBER_GAP_MM + L.pt_to_mm(L.PAGE_NUMBER_SIZE_PT)
    section.footer_distance = Mm(L.PAGE_HEIGHT_MM - number_bottom_mm)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(GRID_LINE_PITCH_TWIPS))


def _normal_style(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.size = Pt(L.BODY_SIZE_PT)
    normal.font.color.rgb = RGBColor.from_string(L.TEXT_COLOR.removeprefix("#"))
    r_pr = normal.element.get_or_add_rPr()
    _set_fonts(r_pr, L.BODY_ROLE)
    _put(r_pr, "spacing", RPR_ORDER, val=str(BODY_CONDENSE_TWENTIETHS))
    _put(r_pr, "lang", RPR_ORDER, eastAsia="zh-CN")
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = Twips(0)
    fmt.space_after = Twips(0)


def _page_number(paragraph: Any) -> None:
    """The page number as "— PAGE —", PAGE being a field that Word fills in on each page."""
    size = L.PAGE_NUMBER_SIZE_PT
    _run(paragraph, L.page_number_text(0).split("0")[0], L.PAGE_NUMBER_ROLE, size)
    for kind, text in (("begin", ""), ("instr", " PAGE "), ("separate", ""), ("text", "1"), ("end", "")):
        run = _run(paragraph, "", L.PAGE_NUMBER_ROLE, size)
        if kind == "instr":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._element.append(instruction)
        elif kind == "text":
            run.text = text
        else:
            field_char = OxmlElement("w:fldChar")
            field_char.set(qn("w:fldCharType"), kind)
            run._element.append(field_char)
    _run(paragraph, L.page_number_text(0).split("0")[1], L.PAGE_NUMBER_ROLE, size)


def _footers(document: Any) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    side = L.PAGE_NUMBER_SIDE_CHARS * L.PAGE_NUMBER_SIZE_PT / L.CHAR_ADVANCE_PT
    line = Pt(L.PAGE_NUMBER_SIZE_PT)
    odd = section.footer.paragraphs[0]
    even = section.even_page_footer.paragraphs[0]
    for paragraph, align in ((odd, WD_ALIGN_PARAGRAPH.RIGHT), (even, WD_ALIGN_PARAGRAPH.LEFT)):
        fmt = paragraph.paragraph_format
        fmt.alignment = align
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = _chars(side)
        else:
            fmt.left_indent = _chars(side)
        _off_grid(paragraph)
        _page_number(paragraph)


def _header(document: Any, doc: PrintedDocument) -> None:
    fields = L.header_field_lines(doc)
    for text in fields:
        _run(_paragraph(document, align=WD_ALIGN_PARAGRAPH.LEFT), text, L.HEADER_FIELDS_ROLE)
    head = L.header(doc)
    mark_before = Mm(head.mark_top_mm) - len(fields) * LINE_PITCH
    mark = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, before=Emu(mark_before), line=Pt(head.mark_size_pt))
    _off_grid(mark)
    _run(mark, doc.issuer_mark, L.MARK_ROLE, head.mark_size_pt, color=RED_HEX)

    rows = L.signer_lines(doc.signers)
    right_tab = Pt(L.BLOCK_WIDTH_MM * L.PT_PER_MM - L.SIGNER_RIGHT_CHARS * L.CHAR_ADVANCE_PT)
    for index, names in enumerate(rows[:-1]):
        paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.LEFT, before=_lines(L.NUMBER_GAP_LINES) if index == 0 else None)
        paragraph.paragraph_format.tab_stops.add_tab_stop(right_tab, WD_TAB_ALIGNMENT.RIGHT)
        _run(paragraph, "\t" + (L.SIGNER_LABEL if index == 0 else ""), L.SIGNER_LABEL_ROLE)
        _run(paragraph, "　".join(names), L.SIGNER_NAME_ROLE)
    number = _paragraph(
        document,
        align=WD_ALIGN_PARAGRAPH.LEFT if rows else WD_ALIGN_PARAGRAPH.CENTER,
        before=_lines(L.NUMBER_GAP_LINES) if len(rows) <= 1 else None,
        left=L.UPWARD_NUMBER_INDENT_CHARS if rows else 0,
    )
    if doc.draft:
        marker = _run(number, L.DRAFT_MARKER, L.HEITI)
        _put(marker._element.get_or_add_rPr(), "bdr", RPR_ORDER, val="single", sz="12", space="0", color="000000")
    else:
        _run(number, doc.number, L.NUMBER_ROLE)
    if rows:
        number.paragraph_format.tab_stops.add_tab_stop(right_tab, WD_TAB_ALIGNMENT.RIGHT)
        _run(number, "\t" + (L.SIGNER_LABEL if len(rows) == 1 else ""), L.SIGNER_LABEL_ROLE)
        _run(number, "　".join(rows[-1]), L.SIGNER_NAME_ROLE)
    # 7.2.7: the red rule 4 mm under the number, as wide as the block: the paragraph's bottom border.
    _bottom_border(number._p.get_or_add_pPr(), RED_RULE_SIZE, RED_HEX, space_pt=round(L.RED_RULE_GAP_MM * L.PT_PER_MM))


def _main(document: Any, doc: PrintedDocument) -> None:
    title = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, before=_lines(L.TITLE_GAP_LINES))
    _off_grid(title)
    for index, line in enumerate(L.title_lines(doc.title)):
        run = _run(title, line, L.TITLE_ROLE, L.TITLE_SIZE_PT)
        if index:
            run._element.addprevious(OxmlElement("w:br"))

    recipients = L.recipients_text(doc.main_recipients)
    if recipients:
        _run(_paragraph(document, before=_lines(L.RECIPIENTS_GAP_LINES)), recipients, L.BODY_ROLE)
    for index, text in enumerate(paragraph for paragraph in doc.body if paragraph.strip()):
        before = _lines(L.RECIPIENTS_GAP_LINES) if index == 0 and not recipients else None
        paragraph = _paragraph(document, before=before, first_line=L.PARAGRAPH_INDENT_CHARS)
        for run_text, role in L.split_heading(text):
            _run(paragraph, run_text, role)

    label = len(L.ATTACHMENTS_LABEL)
    for index, item in enumerate(L.attachment_lines(doc.attachments)):
        left = L.ATTACHMENTS_INDENT_CHARS + label
        if index == 0:
            paragraph = _paragraph(document, before=_lines(L.ATTACHMENTS_GAP_LINES), left=left, first_line=-label)
            _run(paragraph, L.ATTACHMENTS_LABEL + item, L.BODY_ROLE)
        else:
            _run(_paragraph(document, left=left), item, L.BODY_ROLE)

    _signature(document, doc)
    note = L.note_text(doc.note)
    if note:
        _run(_paragraph(document, align=WD_ALIGN_PARAGRAPH.LEFT, left=L.NOTE_INDENT_CHARS), note, L.BODY_ROLE)


def _signature(document: Any, doc: PrintedDocument) -> None:
    """7.3.5: both lines right-aligned, with right indents that reproduce the standard's offsets."""
    signature, written = doc.issuer_signature, L.chinese_date(doc.written_on)
    signature_width, date_width = _width_pt(signature), _width_pt(written)
    char = L.CHAR_ADVANCE_PT
    if doc.sealed:
        # The date four characters in from the right, the issuer centred over it.
        date_right = L.SEALED_DATE_RIGHT_CHARS * char
        signature_right = date_right + (date_width - signature_width) / 2
        gap = L.SEALED_GAP_LINES
    else:
        # The issuer two in from the right, the date starting two characters further right.
        block = max(signature_width, L.UNSEALED_DATE_SHIFT_CHARS * char + date_width)
        signature_right = L.UNSEALED_SIGNATURE_RIGHT_CHARS * char + block - signature_width
        date_right = L.UNSEALED_SIGNATURE_RIGHT_CHARS * char + block - L.UNSEALED_DATE_SHIFT_CHARS * char - date_width
        gap = L.UNSEALED_GAP_LINES
    first = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT, before=_lines(gap), right=max(signature_right, 0) / char)
    _run(first, signature, L.BODY_ROLE)
    _run(_paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT, right=date_right / char), written, L.BODY_ROLE)


def _colophon(document: Any, doc: PrintedDocument) -> None:
    """7.4: a borderless floating table anchored to the bottom of the last page's text block."""
    copied_to = L.copied_to_text(doc.copied_to)
    printed_on = f"{L.chinese_date(doc.printed_on)}{L.PRINTED_SUFFIX}" if doc.printed_on else ""
    if not (copied_to or doc.printed_by or printed_on):
        return
    rows = 2 if copied_to else 1
    table = document.add_table(rows=rows, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    _put(tbl_pr, "tblpPr", TBLPR_ORDER, vertAnchor="margin", horzAnchor="margin", tblpYSpec="bottom", tblpXSpec="center")
    _put(tbl_pr, "tblW", TBLPR_ORDER, w=str(round(L.BLOCK_WIDTH_MM * L.PT_PER_MM * TWIPS_PER_PT)), type="dxa")
    borders = _put(tbl_pr, "tblBorders", TBLPR_ORDER)
    for edge_name, rule_size in (("top", THICK_RULE_SIZE), ("bottom", THICK_RULE_SIZE), ("insideH", THIN_RULE_SIZE)):
        edge = OxmlElement(f"w:{edge_name}")
        for name, value in (("val", "single"), ("sz", str(rule_size)), ("space", "0"), ("color", "000000")):
            edge.set(qn(f"w:{name}"), value)
        borders.append(edge)
    margins = _put(tbl_pr, "tblCellMar", TBLPR_ORDER)
    for edge_name in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{edge_name}")
        edge.set(qn("w:w"), "0")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)

    size = L.COLOPHON_SIZE_PT
    side = L.COLOPHON_SIDE_CHARS * size / L.CHAR_ADVANCE_PT
    cells = [row.cells[0] for row in table.rows]
    if copied_to:
        label = len(L.COPIED_TO_LABEL) * size / L.CHAR_ADVANCE_PT
        paragraph = cells[0].paragraphs[0]
        _format_cell_paragraph(paragraph, left=side + label, right=side, first_line=-label)
        _run(paragraph, copied_to, L.COLOPHON_ROLE, size)
    paragraph = cells[-1].paragraphs[0]
    _format_cell_paragraph(paragraph, left=side, right=side)
    paragraph.paragraph_format.tab_stops.add_tab_stop(Pt(L.BLOCK_WIDTH_MM * L.PT_PER_MM - side * L.CHAR_ADVANCE_PT), WD_TAB_ALIGNMENT.RIGHT)
    _run(paragraph, f"{doc.printed_by}\t{printed_on}", L.COLOPHON_ROLE, size)
    # A document may not end with a table; this hair-thin paragraph takes no room on the page.
    _paragraph(document, line=Pt(1))


def _format_cell_paragraph(paragraph: Any, *, left: float, right: float, first_line: float = 0) -> None:
    _off_grid(paragraph)
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.left_indent = _chars(left)
    fmt.right_indent = _chars(right)
    fmt.first_line_indent = _chars(first_line)


def render_docx(doc: PrintedDocument) -> bytes:
    """The document as a DOCX with the GB/T 9704-2012 page, grid and typefaces."""
    document = Document()
    _page_geometry(document)
    _normal_style(document)
    _footers(document)
    body = document.element.body
    for paragraph in list(document.paragraphs):  # the template's empty first paragraph
        body.remove(paragraph._p)
    _header(document, doc)
    _main(document, doc)
    _colophon(document, doc)
    document.core_properties.title = doc.title.replace("\n", "")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
