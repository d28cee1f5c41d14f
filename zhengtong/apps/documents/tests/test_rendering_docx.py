"""The DOCX opened with python-docx: page geometry, grid, fonts by role, red rule, page numbers, 版记."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm

from zhengtong.apps.documents.rendering import layout as L
from zhengtong.apps.documents.rendering.content import PrintedDocument
from zhengtong.apps.documents.rendering.docx import render_docx
from zhengtong.apps.documents.rendering.fonts import preferred_family
from zhengtong.apps.documents.tests.test_numbering_and_secrecy import classified  # noqa: F401 - a fixture

BASE = PrintedDocument(
    issuer_mark="××市水务局文件",
    title="关于加强防汛抗旱工作的通知",
    body=("为切实做好防汛抗旱工作，现通知如下。", "一、提高思想认识", "（一）加强组织领导。各单位要明确责任。"),
    issuer_signature="××市水务局",
    written_on=date(2026, 1, 5),
    number="市水发〔2026〕7号",
    secrecy="秘密★1年",
    copy_number="000001",
    main_recipients="各区水务局",
    copied_to="市委办公室，市政府办公室",
    printed_by="××市水务局办公室",
    printed_on=date(2026, 1, 6),
)


def _open(doc: PrintedDocument):
    return docx.Document(io.BytesIO(render_docx(doc)))


@pytest.fixture(scope="module")
def document():
    return _open(BASE)


def _east_asian_font(run) -> str:
    return run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def _paragraph(document, fragment: str):
    return next(paragraph for paragraph in document.paragraphs if fragment in paragraph.text)


def test_page_geometry_is_the_standard_a4_page(document):
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.right_margin - Mm(26)) < Mm(0.1)
    assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)


def test_document_grid_is_22_lines_of_28_characters(document):
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"  # a character grid makes LibreOffice set 14 a line
    line_pitch_pt = int(grid.get(qn("w:linePitch"))) / 20
    condensed = document.styles["Normal"].element.rPr.find(qn("w:spacing"))
    char_pitch_pt = L.BODY_SIZE_PT + int(condensed.get(qn("w:val"))) / 20
    block_height_pt = L.BLOCK_HEIGHT_MM * L.PT_PER_MM
    block_width_pt = L.BLOCK_WIDTH_MM * L.PT_PER_MM
    assert int(block_height_pt // line_pitch_pt) == 22
    assert int(block_width_pt // char_pitch_pt) == 28
    normal = document.styles["Normal"]
    assert normal.font.size.pt == L.BODY_SIZE_PT
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(line_pitch_pt)


def test_fonts_by_role(document):
    body = _paragraph(document, "为切实做好")
    assert _east_asian_font(body.runs[0]) == preferred_family("fangsong")
    assert body.paragraph_format.first_line_indent.pt == pytest.approx(2 * L.CHAR_ADVANCE_PT, abs=0.1)
    assert _east_asian_font(_paragraph(document, "一、提高").runs[0]) == preferred_family("heiti")
    level2 = _paragraph(document, "（一）加强组织领导")
    assert level2.runs[0].text == "（一）加强组织领导。"
    assert _east_asian_font(level2.runs[0]) == preferred_family("kaiti")
    assert _east_asian_font(level2.runs[1]) == preferred_family("fangsong")
    title = _paragraph(document, "关于加强")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert _east_asian_font(title.runs[0]) == preferred_family("xiaobiaosong")
    assert title.runs[0].font.size.pt == L.TITLE_SIZE_PT
    assert _east_asian_font(_paragraph(document, "秘密★1年").runs[0]) == preferred_family("heiti")


def test_red_mark_and_red_rule_under_the_centred_number(document):
    mark = _paragraph(document, "市水务局文件")
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    number = _paragraph(document, "市水发〔2026〕7号")
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    border = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert border.get(qn("w:color")) == "FF0000"
    # The border lies under the number's line box, and half the leading already lies between the
    # characters' foot and the box's bottom: together the 4 mm of 7.2.7 (measured in LibreOffice).
    half_leading_pt = (L.LINE_PITCH_PT - L.BODY_SIZE_PT) / 2
    assert int(border.get(qn("w:space"))) == pytest.approx(L.RED_RULE_GAP_MM * L.PT_PER_MM - half_leading_pt, abs=0.6)
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert paragraphs.index(mark.text) < paragraphs.index(number.text) < paragraphs.index(_paragraph(document, "关于加强").text)


def test_page_numbers_odd_right_even_left(document):
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for paragraph in (odd, even):
        assert "PAGE" in "".join(paragraph._p.itertext())
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert _east_asian_font(paragraph.runs[0]) == preferred_family("songti")
        assert paragraph.runs[0].font.size.pt == L.PAGE_NUMBER_SIZE_PT


def test_colophon_is_in_the_footer_of_a_last_section_of_its_own(document):
    """7.4 in the footers of the last section (a floating table at the foot was ignored by LibreOffice)."""
    assert not document.tables  # nothing in the text flow
    first, last = document.sections[0], document.sections[-1]
    assert len(document.sections) == 2
    for section in (first, last):
        assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)
    assert not any("抄送" in paragraph.text for paragraph in first.footer.paragraphs)
    for footer in (last.footer, last.even_page_footer):
        (table,) = footer.tables
        texts = [cell.text for row in table.rows for cell in row.cells]
        assert texts == ["抄送：市委办公室，市政府办公室。", "××市水务局办公室\t2026年1月6日印发"]
        assert table.rows[0].cells[0].paragraphs[0].runs[0].font.size.pt == L.COLOPHON_SIZE_PT
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders.find(qn("w:bottom")).get(qn("w:val")) == "single"
        assert "PAGE" in "".join(footer.paragraphs[-1]._p.itertext())


def test_flow_lines_are_the_composers_and_no_reader_may_move_them(document):
    """Explicit line breaks, no hanging punctuation, no CJK/Latin autospace, headings kept with the next."""
    body = _paragraph(document, "为切实做好")
    p_pr = body._p.pPr
    for tag in ("overflowPunct", "autoSpaceDE", "autoSpaceDN", "widowControl"):
        assert p_pr.find(qn(f"w:{tag}")).get(qn("w:val")) == "0"
    heading = _paragraph(document, "一、提高思想认识")
    assert heading.paragraph_format.keep_with_next
    long_text = "为进一步加强全市水务工作的组织领导，切实做好防汛抗旱、水资源管理和水利工程建设等各项工作。" * 2
    long_document = _open(dataclasses.replace(BASE, body=(long_text,)))
    paragraph = _paragraph(long_document, "为进一步加强")
    assert len(paragraph._p.findall(".//" + qn("w:br"))) == 3  # four composed lines
    assert paragraph.text.replace("\n", "") == long_text


def test_sealed_signature_centred_over_a_date_four_characters_in(document):
    date_paragraph = _paragraph(document, "2026年1月5日")
    assert date_paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date_paragraph.paragraph_format.right_indent.pt == pytest.approx(4 * L.CHAR_ADVANCE_PT, abs=0.1)
    paragraphs = document.paragraphs
    index = next(i for i, paragraph in enumerate(paragraphs) if paragraph.text == "2026年1月5日")
    signature = paragraphs[index - 1]
    assert signature.text == "××市水务局"
    assert signature.paragraph_format.right_indent.pt > date_paragraph.paragraph_format.right_indent.pt


def test_draft_and_upward_document():
    document = _open(dataclasses.replace(BASE, draft=True, signers=("张三",)))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert not any("市水发" in text for text in texts)
    number = _paragraph(document, "草稿")
    assert number.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert number.text == "草稿\t签发人：张三"
    assert number.paragraph_format.left_indent.pt == pytest.approx(L.CHAR_ADVANCE_PT, abs=0.1)
    assert _east_asian_font(number.runs[-1]) == preferred_family("kaiti")


def test_font_table_gives_each_role_a_chinese_fallback(document):
    from docx.opc.constants import RELATIONSHIP_TYPE
    from lxml import etree

    from zhengtong.apps.documents.rendering.fonts import ROLES, role_font

    table = etree.fromstring(document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE).blob)
    fonts = {font.get(qn("w:name")): font for font in table.iter(qn("w:font"))}
    for role in ROLES:
        font = fonts[preferred_family(role)]
        assert font.find(qn("w:charset")).get(qn("w:val")) == "86"  # GB2312
        assert font.find(qn("w:family")).get(qn("w:val")) == ("swiss" if role == "heiti" else "roman")
        substitute = role_font(role).family
        if substitute != preferred_family(role):
            assert font.find(qn("w:altName")).get(qn("w:val")) == substitute


def test_without_a_colophon_there_is_one_section_and_no_colophon_footer():
    document = _open(dataclasses.replace(BASE, copied_to="", printed_by="", printed_on=None))
    assert len(document.sections) == 1
    assert not document.sections[0].footer.tables
    assert "PAGE" in "".join(document.sections[0].footer.paragraphs[0]._p.itertext())


def test_an_attachment_list_longer_than_a_page_still_prints_every_item():
    names = tuple(f"第{position}号附件清单" for position in range(1, 41))
    document = _open(dataclasses.replace(BASE, attachments=names))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert all(f"{position}.{name}" in text for position, name in enumerate(names, start=1))


@pytest.mark.django_db
def test_a_classified_document_downloads_as_a_docx_of_its_numbered_copies(classified, client_for):  # noqa: F811
    """7.2.1 份号: what is printed from the DOCX carries one number a copy, as the PDF does."""
    from django.urls import reverse

    from zhengtong.apps.documents.tests.conftest import draft_notice

    document = draft_notice(classified, secrecy=3, secrecy_period="1年", copies=3, title="关于核查取水许可的通知")
    drafter = client_for(classified.people["drafter"])
    response = drafter.get(reverse("documents:rendered", args=[document.pk, "docx"]))
    assert response.status_code == 200
    opened = docx.Document(io.BytesIO(response.content))
    texts = [paragraph.text for paragraph in opened.paragraphs]
    assert [text for text in texts if text.isdigit()] == ["000001", "000002", "000003"]
    assert [texts[texts.index(number) + 1] for number in ("000001", "000002", "000003")] == ["秘密★1年"] * 3
    assert sum("关于核查取水许可的通知" in text for text in texts) == 3  # the whole document, three times
    restarts = [section._sectPr.find(qn("w:pgNumType")) for section in opened.sections]
    assert [element.get(qn("w:start")) for element in restarts if element is not None] == ["1", "1"]  # copies 2 and 3
    plain = draft_notice(classified, title="关于开展汛前检查的通知")
    opened = docx.Document(io.BytesIO(drafter.get(reverse("documents:rendered", args=[plain.pk, "docx"])).content))
    assert not [paragraph.text for paragraph in opened.paragraphs if paragraph.text.isdigit()]  # no 份号, one copy
