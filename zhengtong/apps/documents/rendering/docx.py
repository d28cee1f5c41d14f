"""A 公文 as DOCX, with the GB/T 9704-2012 page of ``layout`` (python-docx).

The page is described the way a Word template describes it (page geometry, a line grid, an exact
line pitch, fonts by role, indents), but the lines and pages are not left to the reader's word
processor: the composer's lines are written with explicit breaks and the pages are broken here
(see ``_paginate``), so Word, WPS and LibreOffice show the same pages and drop no character. The
版记 sits in the footers of a last section of its own, on the last even page. The fonts named are
the standard's (or the operator's override), not the server's substitutes: the file is rendered
on the reader's machine, where 仿宋_GB2312 and friends usually exist; the font table names the
open face each falls back to.

The §10 layouts and 联合行文 take their numbers from ``special`` as the PDF does. What must sit at
a fixed place on the page whatever the flow does (a 信函's mark in the top margin and its red
double lines, a joint mark's "文件") is a DrawingML shape anchored to the page; the rest is flow.
A classified document's copies are sections of one file, each with its 份号 (render_docx_copies).
"""

from __future__ import annotations

import copy
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Emu, Length, Mm, Pt, RGBColor, Twips

from . import layout as L
from . import special as S
from .compose import Line, Run, compose, script_changes, text_width_pt
from .content import PrintedDocument
from .fonts import preferred_family, role_font

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
    """A short line's width as LibreOffice sets it: with its space between Chinese and digits (SCRIPT_GAP_EM).
    Right-aligned lines (the date) keep their right edge in every reader; in Word and WPS, which add
    no such space, what is centred on or aligned with a date's other end sits that much off."""
    gaps = SCRIPT_GAP_EM * L.BODY_SIZE_PT * script_changes(text)
    return text_width_pt(text, role, size_pt=L.BODY_SIZE_PT, letter_spacing_pt=L.BODY_LETTER_SPACING_PT) + gaps


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
    _cjk_settings(paragraph._p.get_or_add_pPr())
    return paragraph


def _cjk_settings(p_pr: Any) -> None:
    """No widow/orphan moves of the reader's own (the pages are broken here, see _paginate), no
    punctuation hanging past the margin (LibreOffice 7.4 did not draw it), no extra space between
    Chinese and Latin letters or digits (the 28 characters a line count no added gaps). Set on
    each paragraph as well as on Normal: LibreOffice reads the spacing switches only there."""
    for tag in ("widowControl", "overflowPunct", "autoSpaceDE", "autoSpaceDN"):
        _put(p_pr, tag, PPR_ORDER, val="0")


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
    _cjk_settings(normal.element.get_or_add_pPr())


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
    layout = S.layout_of(doc)
    if layout == S.LETTER:
        _letter_header(document, doc)
        return
    fields = L.header_field_lines(doc)
    for text in fields:
        _run(_paragraph(document, align=WD_ALIGN_PARAGRAPH.LEFT), text, L.HEADER_FIELDS_ROLE)
    if layout == S.ORDER:
        _order_header(document, doc, len(fields))
        return
    head = S.header(doc)
    shift = _mark_shift_mm(head.mark_size_pt)
    mark_before = Emu(Mm(head.mark_top_mm + shift) - len(fields) * LINE_PITCH)
    joint = S.joint_mark(doc)
    if joint is not None:
        _joint_mark(document, joint, mark_before)
    else:
        mark = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, before=mark_before, line=Pt(head.mark_size_pt))
        _off_grid(mark)
        _run(mark, doc.issuer_mark, L.MARK_ROLE, head.mark_size_pt, color=RED_HEX)

    # The line under the mark comes up by the mark's shift (MARK_SHIFT_EM): it keeps its place.
    number_gap = Emu(_lines(L.NUMBER_GAP_LINES) - Mm(shift))
    rows = L.signer_lines(doc.signers)
    right_tab = Pt(L.BLOCK_WIDTH_MM * L.PT_PER_MM - L.SIGNER_RIGHT_CHARS * L.CHAR_ADVANCE_PT)
    for index, names in enumerate(rows[:-1]):
        paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.LEFT, before=number_gap if index == 0 else None)
        paragraph.paragraph_format.tab_stops.add_tab_stop(right_tab, WD_TAB_ALIGNMENT.RIGHT)
        _run(paragraph, "\t" + (L.SIGNER_LABEL if index == 0 else ""), L.SIGNER_LABEL_ROLE)
        _run(paragraph, "　".join(names), L.SIGNER_NAME_ROLE)
    number = _paragraph(
        document,
        align=WD_ALIGN_PARAGRAPH.LEFT if rows else WD_ALIGN_PARAGRAPH.CENTER,
        before=number_gap if len(rows) <= 1 else None,
        left=L.UPWARD_NUMBER_INDENT_CHARS if rows else 0,
    )
    _number_run(number, doc)
    if rows:
        number.paragraph_format.tab_stops.add_tab_stop(right_tab, WD_TAB_ALIGNMENT.RIGHT)
        _run(number, "\t" + (L.SIGNER_LABEL if len(rows) == 1 else ""), L.SIGNER_LABEL_ROLE)
        _run(number, "　".join(rows[-1]), L.SIGNER_NAME_ROLE)
    # 7.2.7: the red rule 4 mm under the number, as wide as the block: the paragraph's bottom border.
    _bottom_border(number._p.get_or_add_pPr(), RED_RULE_SIZE, RED_HEX, space_pt=RED_RULE_SPACE_PT)


# LibreOffice sets a line exactly as high as its font with the characters' em square about 0.068
# em above the line box's top (measured in LibreOffice 7.4 with the Noto CJK faces: 1.0 mm for an
# 初号 mark, 0.7 mm at 31.5 pt). The mark's line is written that much lower, and the line under it
# that much closer, so that the mark prints 35 mm (信函: 30 mm, 令: 20 mm) under its reference and
# nothing under it moves.
MARK_SHIFT_EM = 0.068


def _mark_shift_mm(size_pt: float) -> float:
    return MARK_SHIFT_EM * L.pt_to_mm(size_pt)


def _mark_paragraph(document: Any, text: str, size_pt: float, before: Length) -> Any:
    mark = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, before=before, line=Pt(size_pt))
    _off_grid(mark)
    _run(mark, text, L.MARK_ROLE, size_pt, color=RED_HEX)
    return mark


def _joint_mark(document: Any, mark: S.JointMark, before: Length) -> None:
    """7.2.4 联合行文: the names one under another, each spaced to the longest's width, the suffix
    ("文件") in a frame to their right, centred on them vertically (special.joint_mark)."""
    first = None
    for index, (name, spacing) in enumerate(mark.rows):
        paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.LEFT, before=before if index == 0 else Mm(mark.gap_mm),
                               line=Pt(mark.size_pt))
        paragraph.paragraph_format.left_indent = Pt(mark.left_pt)
        _off_grid(paragraph)
        _set_spacing(_run(paragraph, name, L.MARK_ROLE, mark.size_pt, color=RED_HEX), spacing)
        first = first or paragraph
    if mark.suffix and first is not None:
        top_mm = L.TOP_MARGIN_MM + L.MARK_TOP_MM + _mark_shift_mm(mark.size_pt) + mark.suffix_top_mm
        _text_box(first, mark.suffix, L.MARK_ROLE, mark.size_pt, left_mm=L.LEFT_MARGIN_MM + L.pt_to_mm(mark.suffix_left_pt),
                  top_mm=top_mm, width_mm=L.pt_to_mm(len(mark.suffix) * mark.size_pt) + 1, color=RED_HEX)


# A rectangle anchored to the page at (x, y), size (cx, cy), in EMU; ``{body}`` is what it is: filled, or a text box.
_ANCHORED_XML = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
    ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><w:drawing>'
    '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{z}" behindDoc="0" locked="1"'
    ' layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
    '<wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
    '<wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
    '<wp:docPr id="{id}" name="{name}"/><wp:cNvGraphicFramePr/>'
    '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    '<wps:wsp>{body}</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>'
)
_GEOMETRY = '<a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
_SHAPE_XML = _ANCHORED_XML.replace("{body}", (
    '<wps:cNvSpPr/><wps:spPr>' + _GEOMETRY + '<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'
    '<a:ln><a:noFill/></a:ln></wps:spPr><wps:bodyPr/>'))
_TEXT_BOX_XML = _ANCHORED_XML.replace("{body}", (
    '<wps:cNvSpPr txBox="1"/><wps:spPr>' + _GEOMETRY + '<a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
    '<wps:txbx><w:txbxContent/></wps:txbx>'
    '<wps:bodyPr lIns="0" tIns="0" rIns="0" bIns="0" wrap="none" anchor="t"><a:noAutofit/></wps:bodyPr>'))


def _next_shape_id(paragraph: Any) -> int:
    """A w:docPr id no other drawing of the document has (Word refuses duplicates)."""
    ids = [int(element.get("id")) for element in paragraph.part.element.iter(qn("wp:docPr"))]
    return max(ids, default=0) + 1


def _text_box(anchor: Any, text: str, role: str, size_pt: float, *, left_mm: float, top_mm: float, width_mm: float,
              color: str = "", align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT) -> None:
    """One line of text in a text box at a fixed place on the page, anchored to ``anchor``'s page; no
    text wraps around it (a frame of w:framePr would push the line beside it away in LibreOffice)."""
    shape_id = _next_shape_id(anchor)
    height_mm = L.pt_to_mm(size_pt) + 1
    xml = _TEXT_BOX_XML.format(x=Mm(left_mm), y=Mm(top_mm), cx=Mm(width_mm), cy=Mm(height_mm), z=shape_id, id=shape_id,
                               name=f"Text {shape_id}")
    run = parse_xml(xml)
    anchor._p.append(run)
    content = run.find(".//" + qn("w:txbxContent"))
    paragraph = anchor.insert_paragraph_before()  # built with python-docx, then moved into the box
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(size_pt)
    fmt.space_before = fmt.space_after = Twips(0)
    fmt.left_indent = fmt.right_indent = fmt.first_line_indent = Twips(0)
    _cjk_settings(paragraph._p.get_or_add_pPr())
    _off_grid(paragraph)
    _set_spacing(_run(paragraph, text, role, size_pt, color=color), 0.0)
    content.append(paragraph._p)


def _rule(paragraph: Any, *, left_mm: float, top_mm: float, width_mm: float, height_mm: float, color: str) -> None:
    """A filled rectangle (a rule) at a fixed place on the page, anchored to ``paragraph``'s page."""
    shape_id = _next_shape_id(paragraph)
    xml = _SHAPE_XML.format(x=Mm(left_mm), y=Mm(top_mm), cx=Mm(width_mm), cy=Mm(height_mm), z=shape_id, id=shape_id,
                            name=f"Rule {shape_id}", color=color)
    paragraph._p.append(parse_xml(xml))


def _letter_header(document: Any, doc: PrintedDocument) -> None:
    """10.1 信函格式 (special.letter_header): the mark 30 mm under the page's top edge, in a text box
    (it lies in the top margin), the red double lines drawn as rules at their places on the first
    page, 份号/密级/紧急程度 flush left with the 发文字号 flush right on the first of their lines."""
    head = S.letter_header(doc)
    fields = L.header_field_lines(doc) or [""]
    first = None
    right_tab = Pt(L.BLOCK_WIDTH_MM * L.PT_PER_MM)
    for index, text in enumerate(fields):
        paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.LEFT, before=Mm(head.fields_top_mm) if index == 0 else None)
        if text:
            _run(paragraph, text, L.HEADER_FIELDS_ROLE)
        if index == 0:
            first = paragraph
            paragraph.paragraph_format.tab_stops.add_tab_stop(right_tab, WD_TAB_ALIGNMENT.RIGHT)
            _run(paragraph, "\t", L.BODY_ROLE)
            _number_run(paragraph, doc)
    assert first is not None  # noqa: S101 - there is always a first line
    _text_box(first, doc.issuer_mark, L.MARK_ROLE, head.mark_size_pt, left_mm=L.LEFT_MARGIN_MM,
              top_mm=L.TOP_MARGIN_MM + head.mark_top_mm + _mark_shift_mm(head.mark_size_pt), width_mm=L.BLOCK_WIDTH_MM, color=RED_HEX,
              align=WD_ALIGN_PARAGRAPH.CENTER)
    left = L.LEFT_MARGIN_MM + head.rule_left_mm
    top = L.TOP_MARGIN_MM + head.rule_top_mm
    bottom = L.TOP_MARGIN_MM + head.bottom_rule_top_mm
    for offset, height in ((0.0, S.LETTER_THICK_MM), (S.LETTER_THICK_MM + S.LETTER_RULE_SPACE_MM, S.LETTER_THIN_MM)):
        _rule(first, left_mm=left, top_mm=top + offset, width_mm=S.LETTER_RULE_LENGTH_MM, height_mm=height, color=RED_HEX)
    for offset, height in ((0.0, S.LETTER_THIN_MM), (S.LETTER_THIN_MM + S.LETTER_RULE_SPACE_MM, S.LETTER_THICK_MM)):
        _rule(first, left_mm=left, top_mm=bottom + offset, width_mm=S.LETTER_RULE_LENGTH_MM, height_mm=height, color=RED_HEX)
    # No page number on the first page, where the second double line lies (10.1).
    section = document.sections[-1]
    section.different_first_page_header_footer = True
    section.first_page_footer.is_linked_to_previous = False


def _number_run(paragraph: Any, doc: PrintedDocument) -> None:
    if doc.draft:
        marker = _run(paragraph, L.DRAFT_MARKER, L.HEITI)
        _put(marker._element.get_or_add_rPr(), "bdr", RPR_ORDER, val="single", sz="12", space="0", color="000000")
    else:
        _run(paragraph, doc.number, L.NUMBER_ROLE)


def _order_header(document: Any, doc: PrintedDocument, field_lines: int) -> None:
    """10.2 命令(令)格式 (special.order_header): the mark 20 mm under the block's top, the 令号 two
    blank lines under it, centred; no red rule and no title."""
    head = S.order_header(doc)
    shift = _mark_shift_mm(head.mark_size_pt)
    _mark_paragraph(document, doc.issuer_mark, head.mark_size_pt, Emu(Mm(head.mark_top_mm + shift) - field_lines * LINE_PITCH))
    number_before = Emu(_lines(S.ORDER_NUMBER_GAP_LINES) - Mm(shift))
    _number_run(_paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, before=number_before), doc)


# The main flow (title to 附注) is broken into lines and pages here, not by the reader's word
# processor. Word, WPS and LibreOffice each break Chinese lines their own way, and LibreOffice 7.4
# let punctuation hang past the margin and then did not draw it. So the composer's lines are
# written with explicit line breaks, each condensed or stretched to the width it was measured at,
# and the pages are broken here too: each page after the first begins with an explicit page break,
# so keep-with-next, the signature-page rule and the place of the 版记 hold in every reader.
# Lengths of the flow are whole lines of the grid; the header's are the paragraphs' own.
GRID_PITCH_MM = L.pt_to_mm(GRID_LINE_PITCH_TWIPS / TWIPS_PER_PT)
# LibreOffice puts a fifth of the font size between Chinese and Latin letters or digits (its
# "ParaIsCharacterDistance") and does not read w:autoSpaceDE/DN, which turn that off in Word and
# WPS: every line keeps that much room free at each such change, so nothing is pushed over the
# margin; Word and WPS justify the room away.
SCRIPT_GAP_EM = 0.2
# Room left unused at the foot of a page, so that a reader's rounding never pushes a line over.
PAGE_SAFETY_MM = 0.5
# The red rule is a bottom border of the number's line box, whose exact height centres the
# characters in the line: half the leading already lies between their foot and the border.
RED_RULE_SPACE_PT = round(L.RED_RULE_GAP_MM * L.PT_PER_MM - (GRID_LINE_PITCH_TWIPS / TWIPS_PER_PT - L.BODY_SIZE_PT) / 2)


@dataclass(eq=False)
class _Para:
    """How the lines of one paragraph are set (compared by identity: lines of one paragraph share it)."""

    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT
    right_pt: float = 0.0
    keep_next: bool = False  # a heading: never the last line of a page
    size_pt: float = L.BODY_SIZE_PT
    letter_spacing_pt: float = L.BODY_LETTER_SPACING_PT  # the spacing the composer measured with
    centre_tabs_pt: tuple[float, ...] = ()  # centred tab stops (joint 署名 in rows), from the block's left


@dataclass
class _FlowLine:
    line: Line | None  # None: a blank line the standard asks for (dropped at the top of a page)
    para: _Para
    break_before: bool = True  # may a page end just before this line
    write: Callable[[Any], None] | None = None  # writes the line itself (a 签名章), instead of its runs


def _composed_lines(text_runs: list[Run], *, first_chars: float = 0, rest_chars: float = 0) -> list[Line]:
    from .pdf import _body_lines  # the PDF's composition, with room for LibreOffice's script gaps

    return _body_lines(
        text_runs, first_indent_chars=first_chars, rest_indent_chars=rest_chars, script_gap_pt=SCRIPT_GAP_EM * L.BODY_SIZE_PT
    )


def _title_lines(doc: PrintedDocument) -> list[Line]:
    """The title as the author broke it, each line wrapped inside the block, set without spacing."""
    lines: list[Line] = []
    for text in L.title_lines(doc.title):
        lines.extend(
            compose(
                [Run(text, L.TITLE_ROLE)],
                width_pt=L.BLOCK_WIDTH_MM * L.PT_PER_MM,
                size_pt=L.TITLE_SIZE_PT,
                letter_spacing_pt=0.0,
                script_gap_pt=SCRIPT_GAP_EM * L.TITLE_SIZE_PT,
            )
        )
    return [Line(runs=line.runs, indent_pt=0.0, letter_spacing_pt=0.0) for line in lines]


def _gap(count: int) -> list[_FlowLine]:
    return [_FlowLine(None, _Para()) for _ in range(count)]


def _signature_lines(doc: PrintedDocument) -> list[_FlowLine]:
    """7.3.5: both lines right-aligned, with right indents that reproduce the standard's offsets."""
    signature, written = doc.issuer_signature, L.chinese_date(doc.written_on)
    signature_width, date_width = _width_pt(signature), _width_pt(written)
    char = L.CHAR_ADVANCE_PT
    if doc.sealed:
        # The date four characters in from the right, the issuer centred over it.
        date_right = L.SEALED_DATE_RIGHT_CHARS * char
        signature_right = date_right + (date_width - signature_width) / 2
    else:
        # The issuer two in from the right, the date starting two characters further right.
        block = max(signature_width, L.UNSEALED_DATE_SHIFT_CHARS * char + date_width)
        signature_right = L.UNSEALED_SIGNATURE_RIGHT_CHARS * char + block - signature_width
        date_right = L.UNSEALED_SIGNATURE_RIGHT_CHARS * char + block - L.UNSEALED_DATE_SHIFT_CHARS * char - date_width
    flow = []
    for text, right in ((signature, max(signature_right, 0)), (written, date_right)):
        line = Line(runs=(Run(text, L.BODY_ROLE),), indent_pt=0.0, letter_spacing_pt=L.BODY_LETTER_SPACING_PT)
        flow.append(_FlowLine(line, _Para(align=WD_ALIGN_PARAGRAPH.RIGHT, right_pt=right), break_before=False))
    return flow


def _joint_signature_lines(doc: PrintedDocument) -> list[_FlowLine]:
    """7.3.5 for several organs: sealed, the 署名 in rows at the seals' centres (special.joint_seal_rows),
    the last over the date; unsealed, one under another, lead first, aligned on the left."""
    written = L.chinese_date(doc.written_on)
    flow: list[_FlowLine] = []
    if doc.sealed:
        for number, row in enumerate(S.joint_seal_rows(doc, written, script_gap_pt=SCRIPT_GAP_EM * L.BODY_SIZE_PT)):
            if number:
                flow += _gap(S.JOINT_ROW_LINES - 1)
            line = Line(runs=(Run("".join(f"\t{slot.text}" for slot in row), L.BODY_ROLE),), indent_pt=0.0,
                        letter_spacing_pt=L.BODY_LETTER_SPACING_PT)
            flow.append(_FlowLine(line, _Para(centre_tabs_pt=tuple(slot.centre_pt for slot in row))))
        date_right = L.SEALED_DATE_RIGHT_CHARS * L.CHAR_ADVANCE_PT
        line = Line(runs=(Run(written, L.BODY_ROLE),), indent_pt=0.0, letter_spacing_pt=L.BODY_LETTER_SPACING_PT)
        flow.append(_FlowLine(line, _Para(align=WD_ALIGN_PARAGRAPH.RIGHT, right_pt=date_right)))
    else:
        names = S.signatures(doc)
        char = L.CHAR_ADVANCE_PT
        block = max(max(_width_pt(name) for name in names), L.UNSEALED_DATE_SHIFT_CHARS * char + _width_pt(written))
        right_edge = L.UNSEALED_SIGNATURE_RIGHT_CHARS * char + block  # the block's left edge, from the right margin
        for text, left_in in ((name, 0.0) for name in names):
            line = Line(runs=(Run(text, L.BODY_ROLE),), indent_pt=0.0, letter_spacing_pt=L.BODY_LETTER_SPACING_PT)
            flow.append(_FlowLine(line, _Para(align=WD_ALIGN_PARAGRAPH.RIGHT, right_pt=max(right_edge - left_in - _width_pt(text), 0))))
        line = Line(runs=(Run(written, L.BODY_ROLE),), indent_pt=0.0, letter_spacing_pt=L.BODY_LETTER_SPACING_PT)
        date_right = right_edge - L.UNSEALED_DATE_SHIFT_CHARS * char - _width_pt(written)
        flow.append(_FlowLine(line, _Para(align=WD_ALIGN_PARAGRAPH.RIGHT, right_pt=date_right)))
    for item in flow:
        item.break_before = False
    return flow


# The 签名章 stands in as the name framed in red (special.py): a character border, 1 pt off the name.
STAMP_BORDER_EIGHTHS = 9
STAMP_BORDER_SPACE_PT = 1


def _order_signature_lines(doc: PrintedDocument) -> list[_FlowLine]:
    """7.3.5.3 签发人签名章: each organ's 职务 then its stamp (the name in red 楷体, framed), the stamp
    four characters in from the right, the 职务 two left of it; the date one blank line under."""
    length = S.lengths()
    flow: list[_FlowLine] = []
    for title, name in doc.signatories:
        line = Line(runs=(Run(title, L.BODY_ROLE), Run(name, L.KAITI)), indent_pt=0.0, letter_spacing_pt=L.BODY_LETTER_SPACING_PT)

        def write(paragraph: Any, title: str = title, name: str = name) -> None:
            if title:
                if len(title) > 1:
                    _set_spacing(_run(paragraph, title[:-1], L.BODY_ROLE), L.BODY_LETTER_SPACING_PT)
                _set_spacing(_run(paragraph, title[-1], L.BODY_ROLE), L.BODY_LETTER_SPACING_PT + length["order_title_gap_pt"])
            stamp = _run(paragraph, name, L.KAITI, color=RED_HEX)
            _set_spacing(stamp, L.BODY_LETTER_SPACING_PT)
            _put(stamp._element.get_or_add_rPr(), "bdr", RPR_ORDER, val="single", sz=str(STAMP_BORDER_EIGHTHS),
                 space=str(STAMP_BORDER_SPACE_PT), color=RED_HEX)

        # The frame is drawn outside the name (as the PDF's outline): its space and width come off the indent.
        right = length["order_stamp_right_pt"] - STAMP_BORDER_SPACE_PT - STAMP_BORDER_EIGHTHS / 8
        flow.append(_FlowLine(line, _Para(align=WD_ALIGN_PARAGRAPH.RIGHT, right_pt=right), write=write))
    flow += _gap(S.ORDER_DATE_GAP_LINES)
    line = Line(runs=(Run(L.chinese_date(doc.written_on), L.BODY_ROLE),), indent_pt=0.0, letter_spacing_pt=L.BODY_LETTER_SPACING_PT)
    flow.append(_FlowLine(line, _Para(align=WD_ALIGN_PARAGRAPH.RIGHT, right_pt=length["order_date_right_pt"])))
    for item in flow:
        item.break_before = False
    return flow


def _attendance_flow(doc: PrintedDocument) -> list[_FlowLine]:
    """10.3: 出席, 请假, 列席 two characters in, the label in 黑体, names wrapped under the first name."""
    flow: list[_FlowLine] = []
    for label, names in S.attendance_rows(doc):
        head = f"{label}："
        para = _Para()
        lines = _composed_lines([Run(head, S.MINUTES_LABEL_ROLE), Run(names, L.BODY_ROLE)], first_chars=S.MINUTES_INDENT_CHARS,
                                rest_chars=S.MINUTES_INDENT_CHARS + len(head))
        flow += [_FlowLine(line, para) for line in lines]
    return flow


def _closing_lines(doc: PrintedDocument) -> list[_FlowLine]:
    """What follows the text: the 署名 and date, the 令's 签名章, or a 纪要's attendance (special.py)."""
    layout = S.layout_of(doc)
    if layout == S.ORDER:
        gap = _gap(S.ORDER_SIGNATURE_GAP_LINES)
        lines = _order_signature_lines(doc)
    elif layout == S.MINUTES:
        gap = _gap(S.MINUTES_GAP_LINES)
        lines = _attendance_flow(doc)
        if lines:
            lines[0].break_before = False
    else:
        gap = _gap(L.SEALED_GAP_LINES if doc.sealed else L.UNSEALED_GAP_LINES)
        lines = _joint_signature_lines(doc) if len(S.signatures(doc)) > 1 else _signature_lines(doc)
    if not lines:
        return []
    for item in gap:
        item.break_before = False
    return gap + lines


def _flow(doc: PrintedDocument) -> list[_FlowLine]:
    """Every line under the title, with the places a page may not end."""
    from .pdf import _attachment_lines  # the PDF's composition of 7.3.4, shared

    flow: list[_FlowLine] = []
    recipients = L.recipients_text(doc.main_recipients)
    # A 令's text lies two blank lines under the 令号 (10.2), which has no title under it.
    flow += _gap(S.ORDER_BODY_GAP_LINES if S.layout_of(doc) == S.ORDER else L.RECIPIENTS_GAP_LINES)
    if recipients:
        para = _Para()
        flow += [_FlowLine(line, para) for line in _composed_lines([Run(recipients, L.BODY_ROLE)])]
    for text in (paragraph for paragraph in doc.body if paragraph.strip()):
        runs = [Run(run_text, role) for run_text, role in L.split_heading(text)]
        heading = L.heading_role(text) is not None and len(runs) == 1
        para = _Para(align=WD_ALIGN_PARAGRAPH.JUSTIFY, keep_next=heading)
        lines = [_FlowLine(line, para) for line in _composed_lines(runs, first_chars=L.PARAGRAPH_INDENT_CHARS)]
        if flow and flow[-1].para.keep_next:
            lines[0].break_before = False  # a heading stays with the first line of what follows it
        flow += lines
    # 7.3.5 (and 7.3.5.5): the page carrying 署名 and 成文日期 carries body text too. From the last
    # body line on, no page may end: the attachment list and the signature come with that line.
    attachments = _attachment_lines(doc, script_gap_pt=SCRIPT_GAP_EM * L.BODY_SIZE_PT)
    if attachments:
        chain = _gap(L.ATTACHMENTS_GAP_LINES)
        para = _Para()
        chain += [_FlowLine(line, para) for line in attachments]
        for item in chain:
            item.break_before = False
        flow += chain
    flow += _closing_lines(doc)
    note = L.note_text(doc.note)
    if note:
        para = _Para()
        flow += [_FlowLine(line, para) for line in _composed_lines([Run(note, L.BODY_ROLE)], first_chars=L.NOTE_INDENT_CHARS)]
    return flow


def _paginate(flow: list[_FlowLine], first_capacity: int) -> list[list[_FlowLine]]:
    """Greedy page filling that ends a page only where ``break_before`` allows (else where it must)."""
    pages: list[list[_FlowLine]] = []
    start = 0
    while start < len(flow):
        if pages and flow[start].line is None:
            start += 1  # no blank line at the top of a page
            continue
        capacity = first_capacity if not pages else L.LINES_PER_PAGE
        end = min(start + max(capacity, 1), len(flow))
        if end < len(flow):
            cut = end
            while cut > start and not flow[cut].break_before:
                cut -= 1
            end = cut if cut > start else end
        pages.append(flow[start:end])
        start = end
    return pages or [[]]


def _first_page_capacity(doc: PrintedDocument, title_lines: int) -> int:
    """How many grid lines fit on the first page under the 版头 and the title (as this file sets them)."""
    layout = S.layout_of(doc)
    if layout == S.LETTER:
        fields = max(1, len(L.header_field_lines(doc)))
        top = S.letter_header(doc).fields_top_mm + (fields + L.TITLE_GAP_LINES + title_lines) * GRID_PITCH_MM
    elif layout == S.ORDER:
        order = S.order_header(doc)
        top = order.mark_top_mm + L.pt_to_mm(order.mark_size_pt) + (S.ORDER_NUMBER_GAP_LINES + 1) * GRID_PITCH_MM
    else:
        head = S.header(doc)
        joint = S.joint_mark(doc)
        top = (
            head.mark_top_mm
            + (joint.height_mm if joint else L.pt_to_mm(head.mark_size_pt))
            + (L.NUMBER_GAP_LINES + head.number_lines) * GRID_PITCH_MM
            + L.pt_to_mm(RED_RULE_SPACE_PT + RED_RULE_SIZE / 8)
            + (L.TITLE_GAP_LINES + title_lines) * GRID_PITCH_MM
        )
    return math.floor((L.BLOCK_HEIGHT_MM - top - PAGE_SAFETY_MM) / GRID_PITCH_MM)


def _set_spacing(run: Any, letter_spacing_pt: float) -> None:
    _put(run._element.get_or_add_rPr(), "spacing", RPR_ORDER, val=str(math.floor(letter_spacing_pt * 20 + 1e-6)))


def _write_line(paragraph: Any, line: Line, size_pt: float, base_spacing_pt: float) -> None:
    """One composed line; a stretched line's last character keeps the base spacing, so that the
    spacing after it does not reach past the margin (a word processor would wrap it)."""
    stretched = line.letter_spacing_pt > base_spacing_pt + 0.001
    # Rounded down, with a little to spare: the line must never come out wider than measured.
    spacing = line.letter_spacing_pt - 0.01 if stretched else base_spacing_pt
    runs = list(line.runs)
    for index, item in enumerate(runs):
        pieces = [(item.text, spacing)]
        if stretched and index == len(runs) - 1 and len(item.text) > 0:
            pieces = [(item.text[:-1], spacing), (item.text[-1], base_spacing_pt)]
        for text, letter_spacing in pieces:
            if text:
                _set_spacing(_run(paragraph, text, item.role, size_pt), letter_spacing)


def _write_page(document: Any, page: list[_FlowLine], *, page_break: bool) -> Any:
    """The page's lines as paragraphs (a paragraph split by a page break continues as a new one).
    Returns the last paragraph written."""
    groups: list[list[_FlowLine]] = []
    for item in page:
        if groups and groups[-1][0].para is item.para and item.line is not None and groups[-1][0].line is not None:
            groups[-1].append(item)
        else:
            groups.append([item])
    paragraph = None
    for position, group in enumerate(groups):
        para = group[0].para
        lines = [item.line for item in group if item.line is not None]
        left_pt = lines[1].indent_pt if len(lines) > 1 else 0.0
        first_pt = lines[0].indent_pt - left_pt if lines else 0.0
        paragraph = _paragraph(document, align=para.align)
        fmt = paragraph.paragraph_format
        fmt.left_indent, fmt.first_line_indent, fmt.right_indent = Pt(left_pt), Pt(first_pt), Pt(para.right_pt)
        fmt.keep_with_next = para.keep_next or None
        for tab_pt in para.centre_tabs_pt:
            fmt.tab_stops.add_tab_stop(Pt(tab_pt), WD_TAB_ALIGNMENT.CENTER)
        if page_break and position == 0:
            fmt.page_break_before = True
        for index, line in enumerate(lines):
            if index:
                paragraph.runs[-1]._element.append(OxmlElement("w:br"))
            writer = group[index].write
            if writer is not None:
                writer(paragraph)
            else:
                _write_line(paragraph, line, para.size_pt, para.letter_spacing_pt)
    if paragraph is None:
        paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.LEFT)
        if page_break:
            paragraph.paragraph_format.page_break_before = True
    return paragraph


def _main(document: Any, doc: PrintedDocument) -> None:
    title_lines = [] if S.layout_of(doc) == S.ORDER else _title_lines(doc)  # a 令 has no title (10.2)
    if title_lines:
        title = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, before=_lines(L.TITLE_GAP_LINES))
        _off_grid(title)
        for index, line in enumerate(title_lines):
            if index:
                title.runs[-1]._element.append(OxmlElement("w:br"))
            _write_line(title, line, L.TITLE_SIZE_PT, 0.0)

    pages = _paginate(_flow(doc), _first_page_capacity(doc, len(title_lines)))
    colophon = _colophon_lines(doc)
    if not colophon:
        for number, page in enumerate(pages):
            _write_page(document, page, page_break=number > 0)
        return
    # 7.4.1 the 版记's last rule lies on the foot of the block of the document's last face (最后一面),
    # and 6.2 公文 are printed on both sides: the last face is an even page. The 版记 therefore joins
    # the last page of text when that page is even and has room; it takes the next page, alone,
    # when the text ends on an odd page (a one-page notice is one sheet, its 版记 on the back); and
    # when the text ends on a full even page, an empty page comes between, and 7.5 leaves both
    # the empty page and the 版记 page without a page number.
    room = math.floor((L.BLOCK_HEIGHT_MM - _colophon_height_mm(colophon) - PAGE_SAFETY_MM) / GRID_PITCH_MM)
    last = pages[-1]
    even = len(pages) % 2 == 0
    shares_page = even and len(last) <= room
    text_pages = pages[:-1] if shares_page else pages
    for number, page in enumerate(text_pages):
        end_of_section = _write_page(document, page, page_break=number > 0)
    _end_section(document, end_of_section)  # a letter's unnumbered first page stays the text's
    if shares_page:
        _write_page(document, last, page_break=False)
        blank_page = False
    else:
        _paragraph(document, align=WD_ALIGN_PARAGRAPH.LEFT)
        blank_page = even
        if blank_page:
            _paragraph(document, align=WD_ALIGN_PARAGRAPH.LEFT).paragraph_format.page_break_before = True
    _colophon_footers(document, doc, colophon, numbered=not blank_page, blank_odd=blank_page)


def _end_section(document: Any, paragraph: Any) -> None:
    """Close the current section after ``paragraph``; the section after it (the 版记 page(s), or the
    next copy) starts on the next page, goes on numbering and has no unnumbered first page."""
    sect_pr = copy.deepcopy(document.element.body.sectPr)
    p_pr = paragraph._p.get_or_add_pPr()
    _put(p_pr, "sectPr", PPR_ORDER)
    p_pr.replace(p_pr.find(qn("w:sectPr")), sect_pr)
    following = document.element.body.sectPr
    for tag in ("titlePg", "pgNumType"):
        for element in following.findall(qn(f"w:{tag}")):
            following.remove(element)
    document.sections[-1].start_type = WD_SECTION.NEW_PAGE


# Children of w:sectPr after w:pgNumType (ECMA-376 part 1, 17.6.17).
SECTPR_AFTER_PAGE_NUMBERS = ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
                             "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")


def _next_copy(document: Any, numbered_footers: list[Any]) -> None:
    """7.2.1 份号: the next printed copy begins on a new page, numbers its pages from 1 and has the
    page-number footers of the first copy's text. A copy with a 版记 has an even number of pages (its
    last face, see _main), so in duplex printing each copy is on sheets of its own. (Not an odd-page
    section: LibreOffice 7.4 sets the first page of such a section 2–4 mm low.)"""
    from docx.text.paragraph import Paragraph

    last = Paragraph(document.element.body.findall(qn("w:p"))[-1], document._body)
    _end_section(document, last)
    sect_pr = document.element.body.sectPr
    for reference in sect_pr.findall(qn("w:footerReference")):
        sect_pr.remove(reference)
    for position, reference in enumerate(numbered_footers):
        sect_pr.insert(position, copy.deepcopy(reference))
    sect_pr.find(qn("w:docGrid")).set(qn("w:type"), "lines")  # the text's line grid, off in the 版记 section
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")
    sect_pr.insert_element_before(numbering, *SECTPR_AFTER_PAGE_NUMBERS)


@dataclass(frozen=True)
class _Colophon:
    copied_to: list[Line]
    printed: str  # 印发机关 \t 印发日期
    ruled: bool = True  # a letter's 版记 is its 抄送 alone, without rules (10.1)


def _colophon_lines(doc: PrintedDocument) -> _Colophon | None:
    from .pdf import _copied_to_lines  # the PDF's composition of 7.4.2, shared

    printed_on = f"{L.chinese_date(doc.printed_on)}{L.PRINTED_SUFFIX}" if doc.printed_on else ""
    copied_to = _copied_to_lines(doc, script_gap_pt=SCRIPT_GAP_EM * L.COLOPHON_SIZE_PT)
    if S.layout_of(doc) == S.LETTER:
        return _Colophon(copied_to=copied_to, printed="", ruled=False) if copied_to else None
    if not (copied_to or doc.printed_by or printed_on):
        return None
    return _Colophon(copied_to=copied_to, printed=f"{doc.printed_by}\t{printed_on}")


def _colophon_height_mm(colophon: _Colophon) -> float:
    if not colophon.ruled:
        return len(colophon.copied_to) * GRID_PITCH_MM
    rules = 2 * L.COLOPHON_THICK_RULE_MM + (L.COLOPHON_THIN_RULE_MM if colophon.copied_to else 0)
    return (len(colophon.copied_to) + 1) * GRID_PITCH_MM + rules


def _colophon_footers(document: Any, doc: PrintedDocument, colophon: _Colophon, *, numbered: bool, blank_odd: bool) -> None:
    """7.4 in the footers of the last section: a table between the rules, its last rule on the foot
    of the block, the page number 7 mm under it (7.5), as on every other page."""
    section = document.sections[-1]
    for reference in section._sectPr.findall(qn("w:footerReference")):
        section._sectPr.remove(reference)  # the text pages' footers stay theirs; this section gets its own
    # No line grid here: LibreOffice centres a grid's lines in what the tall footer leaves of the page,
    # which set the text sharing the 版记's page about 5 mm low. The lines keep their exact pitch.
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        grid.set(qn("w:type"), "default")
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        first = footer.paragraphs[0]
        if not (odd and blank_odd):
            _colophon_table(footer, colophon)
        number = footer.add_paragraph()
        first._p.getparent().remove(first._p)
        fmt = number.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(L.PAGE_NUMBER_SIZE_PT)
        fmt.space_before = Mm(L.PAGE_NUMBER_GAP_MM)
        fmt.space_after = Twips(0)
        side = _chars(L.PAGE_NUMBER_SIDE_CHARS * L.PAGE_NUMBER_SIZE_PT / L.CHAR_ADVANCE_PT)
        if odd:
            fmt.right_indent = side
        else:
            fmt.left_indent = side
        _off_grid(number)
        if numbered:
            _page_number(number)


def _colophon_table(footer: Any, colophon: _Colophon) -> None:
    rows = 1 if not colophon.ruled else 2 if colophon.copied_to else 1
    table = footer.add_table(rows=rows, cols=1, width=Mm(L.BLOCK_WIDTH_MM))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    _put(tbl_pr, "tblW", TBLPR_ORDER, w=str(round(L.BLOCK_WIDTH_MM * L.PT_PER_MM * TWIPS_PER_PT)), type="dxa")
    borders = _put(tbl_pr, "tblBorders", TBLPR_ORDER)
    for edge_name, rule_size in (("top", THICK_RULE_SIZE), ("bottom", THICK_RULE_SIZE), ("insideH", THIN_RULE_SIZE)):
        edge = OxmlElement(f"w:{edge_name}")
        kind = "single" if colophon.ruled else "nil"
        for name, value in (("val", kind), ("sz", str(rule_size)), ("space", "0"), ("color", "000000")):
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
    if colophon.copied_to:
        paragraph = cells[0].paragraphs[0]
        lines = colophon.copied_to
        rest = lines[1].indent_pt if len(lines) > 1 else 0.0
        _format_cell_paragraph(paragraph, left=side, right=side)
        paragraph.paragraph_format.left_indent = Pt(L.COLOPHON_SIDE_CHARS * size + rest)
        paragraph.paragraph_format.first_line_indent = Pt(-rest)
        for index, line in enumerate(lines):
            if index:
                paragraph.runs[-1]._element.append(OxmlElement("w:br"))
            _write_line(paragraph, line, size, 0.0)
    if not colophon.ruled:
        return
    paragraph = cells[-1].paragraphs[0]
    _format_cell_paragraph(paragraph, left=side, right=side)
    paragraph.paragraph_format.tab_stops.add_tab_stop(Pt(L.BLOCK_WIDTH_MM * L.PT_PER_MM - side * L.CHAR_ADVANCE_PT), WD_TAB_ALIGNMENT.RIGHT)
    _set_spacing(_run(paragraph, colophon.printed, L.COLOPHON_ROLE, size), 0.0)


def _format_cell_paragraph(paragraph: Any, *, left: float, right: float, first_line: float = 0) -> None:
    _off_grid(paragraph)
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = Twips(0)
    fmt.space_after = Twips(0)
    fmt.left_indent = _chars(left)
    fmt.right_indent = _chars(right)
    fmt.first_line_indent = _chars(first_line)


def _font_table(document: Any) -> None:
    """Each role's family in the font table, with the fallback a reader without it should take:
    w:altName the face that plays the role on this server (Noto CJK from fonts-noto-cjk, free to
    install anywhere), w:charset 86 (GB2312) and w:family roman/swiss, so that Word and WPS pick a
    Chinese serif (or, for 黑体, sans) face rather than their Western default."""
    from lxml import etree

    part = document.part.part_related_by(RT.FONT_TABLE)
    fonts = etree.fromstring(part.blob)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    listed = {font.get(f"{w}name") for font in fonts.iter(f"{w}font")}
    for role in L.ROLES:
        family = preferred_family(role)
        if family in listed:
            continue
        listed.add(family)
        font = etree.SubElement(fonts, f"{w}font", {f"{w}name": family})
        substitute = role_font(role).family
        if substitute != family:
            etree.SubElement(font, f"{w}altName", {f"{w}val": substitute})
        etree.SubElement(font, f"{w}charset", {f"{w}val": "86"})
        etree.SubElement(font, f"{w}family", {f"{w}val": "swiss" if role == L.HEITI else "roman"})
        etree.SubElement(font, f"{w}pitch", {f"{w}val": "variable"})
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def render_docx(doc: PrintedDocument) -> bytes:
    """The document as a DOCX with the GB/T 9704-2012 page, grid and typefaces."""
    return render_docx_copies([doc])


def render_docx_copies(copies: list[PrintedDocument]) -> bytes:
    """7.2.1 份号: the printed copies of a classified document in one DOCX, as in the PDF: each with its
    own 份号, on pages of its own, numbering its own pages. The DOCX is editable, but it is also what
    a unit prints from (WPS, Word): a DOCX of one copy numbered 000001 would be printed N times with
    one number, and the 份号 is there so that the registry can account for every copy it made."""
    document = Document()
    _page_geometry(document)
    _normal_style(document)
    _footers(document)
    numbered_footers = list(document.sections[0]._sectPr.findall(qn("w:footerReference")))
    body = document.element.body
    for paragraph in list(document.paragraphs):  # the template's empty first paragraph
        body.remove(paragraph._p)
    for index, doc in enumerate(copies):
        if index:
            _next_copy(document, numbered_footers)
        _header(document, doc)
        _main(document, doc)
    _font_table(document)
    document.core_properties.title = copies[0].title.replace("\n", "")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
