"""The PDF measured with pdfplumber against GB/T 9704-2012 (positions in mm from the page's top left)."""

from __future__ import annotations

import dataclasses
import io
import unicodedata
from collections import defaultdict
from datetime import date
from typing import Any

import pdfplumber
import pytest

from zhengtong.apps.documents.rendering import layout as L
from zhengtong.apps.documents.rendering.content import PrintedDocument
from zhengtong.apps.documents.rendering.fonts import font_roles
from zhengtong.apps.documents.rendering.pdf import render_pdf

MM_PER_PT = 25.4 / 72
# CJK faces draw ideographs on an em square whose foot lies 0.12 em under the baseline.
EM_BOX_DESCENT = 0.12

PARAGRAPH = (
    "为进一步加强全市水务工作的组织领导，切实做好防汛抗旱、水资源管理和水利工程建设等各项工作，"
    "根据《中华人民共和国水法》和有关法律法规的规定，结合本市实际，现就2026年有关事项通知如下。"
)
MARKUP_PARAGRAPH = '正文中的<b>标记</b>与<img src="file:///etc/hostname">照原样印出。'
LONG_TITLE = "关于进一步加强全市防汛抗旱水资源管理和水利工程建设等各项工作组织领导和责任落实的通知"
PLAIN = "水务工作事关人民群众生命财产安全和经济社会发展全局各单位要高度重视认真落实" * 6


def _document(**changes: object) -> PrintedDocument:
    doc = PrintedDocument(
        issuer_mark="××市水务局文件",
        title="关于加强2026年防汛抗旱\n工作的通知",
        body=(PARAGRAPH, "一、提高思想认识", "（一）加强组织领导。" + PARAGRAPH, PLAIN, PLAIN, "二、落实工作责任", PLAIN, PARAGRAPH * 3),
        issuer_signature="××市水务局",
        written_on=date(2026, 1, 5),
        number="市水发〔2026〕7号",
        copy_number="000001",
        secrecy="秘密★1年",
        urgency="特急",
        main_recipients="各区水务局，局属各单位",
        attachments=("2026年防汛抗旱工作要点", "各区水务局联系人名单"),
        note="此件公开发布",
        copied_to="市委办公室，市人大常委会办公室，市政府办公室，市政协办公室",
        printed_by="××市水务局办公室",
        printed_on=date(2026, 1, 6),
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


@dataclasses.dataclass
class Line:
    text: str
    baseline: float
    left: float
    right: float
    size: float  # pt
    fonts: set[str]
    colors: set[tuple[float, ...]]

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


@dataclasses.dataclass
class Page:
    width: float  # pt
    height: float  # pt
    lines: list[Line]
    rects: list[dict]

    def find(self, fragment: str) -> Line:
        return next(line for line in self.lines if fragment in line.text)

    def body_lines(self) -> list[Line]:
        """Body-size lines inside the text block (not the page number underneath it)."""
        block_bottom = L.TOP_MARGIN_MM + L.BLOCK_HEIGHT_MM
        return [line for line in self.lines if line.size == pytest.approx(L.BODY_SIZE_PT, abs=0.1) and line.baseline < block_bottom]


def text_lines(page: Any, line: type[Any] = Line) -> list[Any]:
    """A pdfplumber page's characters as lines (``line`` objects), top to bottom, by their baselines in mm."""
    grouped: dict[float, list[dict]] = defaultdict(list)
    for char in page.chars:
        grouped[round((float(page.height) - char["matrix"][5]) * MM_PER_PT, 1)].append(char)
    lines = []
    for baseline, chars in sorted(grouped.items()):
        chars.sort(key=lambda char: char["x0"])
        lines.append(line(text="".join(char["text"] for char in chars), baseline=baseline, left=chars[0]["x0"] * MM_PER_PT,
                          right=chars[-1]["x1"] * MM_PER_PT, size=round(chars[0]["size"], 1),
                          fonts={char["fontname"].split("+", 1)[-1] for char in chars},
                          colors={tuple(char["non_stroking_color"] or ()) for char in chars}))
    return lines


def _pages(pdf: bytes) -> list[Page]:
    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            lines = text_lines(page)
            rects = [
                {
                    "top": rect["top"] * MM_PER_PT,
                    "bottom": rect["bottom"] * MM_PER_PT,
                    "x0": rect["x0"] * MM_PER_PT,
                    "x1": rect["x1"] * MM_PER_PT,
                    "color": tuple(rect["non_stroking_color"] or ()),
                }
                for rect in page.rects
            ]
            pages.append(Page(float(page.width), float(page.height), lines, rects))
    return pages


def _find(pages: list[Page], fragment: str) -> tuple[Page, Line]:
    return next((page, line) for page in pages for line in page.lines if fragment in line.text)


def _is_all_han(text: str) -> bool:
    """Ideographs and full-width marks only: these are the characters the 28-per-line grid counts."""
    return all(unicodedata.east_asian_width(char) in ("W", "F") for char in text)


def _line_box(line: Line) -> tuple[float, float]:
    """The grid line a body line occupies: its em square plus half the leading above and below."""
    size = L.pt_to_mm(line.size)
    em_top = line.baseline - (1 - EM_BOX_DESCENT) * size
    half_leading = (L.LINE_PITCH_MM - size) / 2
    return em_top - half_leading, em_top + size + half_leading


def _font_name(role: str) -> str:
    return font_roles()[role].replace(" ", "-")


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    return _pages(render_pdf(_document()))


@pytest.fixture(scope="module")
def upward_draft_pages() -> list[Page]:
    return _pages(
        render_pdf(
            _document(
                signers=("张三", "李四", "王五"),
                draft=True,
                sealed=False,
                copied_to="",
                title=LONG_TITLE,
                body=(MARKUP_PARAGRAPH, *_document().body),
                note="此件公开发布，" + "各单位可在本单位门户网站和政务新媒体同步转载" * 3,
            )
        )
    )


def test_pages_are_a4(pages):
    assert len(pages) >= 3
    for page in pages:
        assert page.width == pytest.approx(L.PAGE_WIDTH_MM / MM_PER_PT, abs=1)
        assert page.height == pytest.approx(L.PAGE_HEIGHT_MM / MM_PER_PT, abs=1)


def test_a_full_page_has_22_lines_of_28_characters_filling_the_text_block(pages):
    lines = pages[1].body_lines()
    assert len(lines) == L.LINES_PER_PAGE
    full = [line for line in lines if len(line.text) == L.CHARS_PER_LINE and _is_all_han(line.text)]
    assert len(full) >= 10
    han_lines = [line for page in pages for line in page.body_lines() if _is_all_han(line.text)]
    assert max(len(line.text) for line in han_lines) == L.CHARS_PER_LINE
    top, _ = _line_box(lines[0])
    _, bottom = _line_box(lines[-1])
    assert top == pytest.approx(L.TOP_MARGIN_MM, abs=1)
    assert bottom == pytest.approx(L.TOP_MARGIN_MM + L.BLOCK_HEIGHT_MM, abs=1)
    for line in full:
        assert line.left == pytest.approx(L.LEFT_MARGIN_MM, abs=1)
        assert line.right == pytest.approx(L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM, abs=1)
    pitches = [below.baseline - above.baseline for above, below in zip(lines, lines[1:], strict=False)]
    assert pitches == pytest.approx([L.LINE_PITCH_MM] * len(pitches), abs=0.15)


def test_lines_broken_before_punctuation_are_still_justified_to_the_right_edge(pages):
    right_edge = L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM
    for page in pages:
        lines = page.body_lines()
        for line, following in zip(lines, lines[1:], strict=False):
            assert following.text[0] not in "，。、；：）》", following.text
            starts_paragraph = following.left > L.LEFT_MARGIN_MM + 1
            if len(line.text) >= L.CHARS_PER_LINE - 2 and not starts_paragraph:
                assert line.right == pytest.approx(right_edge, abs=0.5), line.text


def test_paragraphs_start_two_characters_in(pages):
    first = pages[0].find("为进一步加强")
    assert first.left == pytest.approx(L.LEFT_MARGIN_MM + 2 * L.CHAR_ADVANCE_MM, abs=0.5)


def test_issuer_mark_is_red_centred_35_mm_under_the_block_top(pages):
    mark = pages[0].find("市水务局文件")
    assert mark.colors == {L.RED_RGB}
    assert mark.centre == pytest.approx(L.PAGE_WIDTH_MM / 2 + (L.LEFT_MARGIN_MM - L.RIGHT_MARGIN_MM) / 2, abs=1)
    em_top = mark.baseline - (1 - EM_BOX_DESCENT) * L.pt_to_mm(mark.size)
    assert em_top == pytest.approx(L.TOP_MARGIN_MM + L.MARK_TOP_MM, abs=1)
    assert _font_name("xiaobiaosong") in next(iter(mark.fonts))


def test_number_is_centred_above_the_red_rule_and_the_title_below_it(pages):
    page = pages[0]
    block_centre = L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM / 2
    number = page.find("市水发〔2026〕7号")
    assert number.centre == pytest.approx(block_centre, abs=1)
    red = [rect for rect in page.rects if rect["color"] == L.RED_RGB]
    assert len(red) == 1
    rule = red[0]
    assert rule["x0"] == pytest.approx(L.LEFT_MARGIN_MM, abs=0.5)
    assert rule["x1"] == pytest.approx(L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM, abs=0.5)
    number_foot = number.baseline + EM_BOX_DESCENT * L.pt_to_mm(number.size)
    assert rule["top"] - number_foot == pytest.approx(L.RED_RULE_GAP_MM, abs=1)
    title = page.find("关于加强")
    assert title.baseline > rule["bottom"] + 2 * L.LINE_PITCH_MM
    assert title.centre == pytest.approx(block_centre, abs=1)
    assert page.find("工作的通知").centre == pytest.approx(block_centre, abs=1)
    assert title.size == L.TITLE_SIZE_PT


def test_copy_number_secrecy_and_urgency_top_left_in_heiti(pages):
    lines = pages[0].lines[:3]
    assert [line.text for line in lines] == ["000001", "秘密★1年", "特急"]
    for line in lines:
        assert line.left == pytest.approx(L.LEFT_MARGIN_MM, abs=0.5)
        assert _font_name("heiti") in next(iter(line.fonts))


def test_headings_use_their_typefaces(pages):
    assert pages[0].find("一、提高思想认识").fonts == {_font_name("heiti")}
    level2 = pages[0].find("（一）加强组织领导")
    assert _font_name("kaiti") in "".join(level2.fonts)


def test_page_numbers_right_on_odd_pages_left_on_even_pages(pages):
    side = L.pt_to_mm(L.PAGE_NUMBER_SIZE_PT)
    block_bottom = L.TOP_MARGIN_MM + L.BLOCK_HEIGHT_MM
    first = pages[0].find("— 1 —")
    second = pages[1].find("— 2 —")
    assert first.right == pytest.approx(L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM - side, abs=1)
    assert second.left == pytest.approx(L.LEFT_MARGIN_MM + side, abs=1)
    for number in (first, second):
        assert number.size == L.PAGE_NUMBER_SIZE_PT
        em_top = number.baseline - (1 - EM_BOX_DESCENT) * L.pt_to_mm(number.size)
        assert em_top - block_bottom == pytest.approx(L.PAGE_NUMBER_GAP_MM, abs=1)


def test_colophon_sits_at_the_foot_of_the_last_page_only(pages):
    last = pages[-1]
    copied = last.find("抄送：")
    printed = last.find("印发")
    assert copied.text.endswith("。") or last.lines[last.lines.index(copied) + 1].text.endswith("。")
    assert printed.left == pytest.approx(L.LEFT_MARGIN_MM + L.pt_to_mm(L.COLOPHON_SIZE_PT), abs=0.5)
    assert printed.right == pytest.approx(L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM - L.pt_to_mm(L.COLOPHON_SIZE_PT), abs=0.5)
    assert printed.size == L.COLOPHON_SIZE_PT
    rules = sorted((rect for rect in last.rects if rect["color"] != L.RED_RGB), key=lambda rect: rect["top"])
    assert len(rules) == 3  # thick, thin between 抄送 and 印发, thick
    assert rules[-1]["bottom"] == pytest.approx(L.TOP_MARGIN_MM + L.BLOCK_HEIGHT_MM, abs=0.5)
    assert rules[0]["bottom"] - rules[0]["top"] == pytest.approx(L.COLOPHON_THICK_RULE_MM, abs=0.05)
    assert rules[1]["bottom"] - rules[1]["top"] == pytest.approx(L.COLOPHON_THIN_RULE_MM, abs=0.05)
    for page in pages[:-1]:
        assert not any("抄送" in line.text or "印发" in line.text for line in page.lines)


def test_sealed_date_four_characters_in_with_the_issuer_centred_over_it(pages):
    page, written = _find(pages, "2026年1月5日")
    signature = page.lines[page.lines.index(written) - 1]
    assert signature.text == "××市水务局"
    assert written.right == pytest.approx(L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM - 4 * L.CHAR_ADVANCE_MM, abs=0.5)
    assert signature.centre == pytest.approx(written.centre, abs=0.5)
    _, note = _find(pages, "此件公开发布")
    assert note.text == "（此件公开发布）"
    assert note.left == pytest.approx(L.LEFT_MARGIN_MM + 2 * L.CHAR_ADVANCE_MM, abs=0.5)


def test_attachments_follow_the_body_two_characters_in(pages):
    _, first = _find(pages, "附件：")
    assert first.text == "附件：1.2026年防汛抗旱工作要点"
    assert first.left == pytest.approx(L.LEFT_MARGIN_MM + 2 * L.CHAR_ADVANCE_MM, abs=0.5)
    _, second = _find(pages, "2.各区水务局联系人名单")
    assert second.left == pytest.approx(L.LEFT_MARGIN_MM + 5 * L.CHAR_ADVANCE_MM, abs=0.5)


def test_draft_shows_the_marker_instead_of_the_number(upward_draft_pages):
    texts = [line.text for page in upward_draft_pages for line in page.lines]
    assert not any("市水发" in text for text in texts)
    assert any("草稿" in text for text in texts[:6])


def test_upward_document_number_left_and_signers_right_on_one_line(upward_draft_pages):
    page = upward_draft_pages[0]
    first_signers = page.find("签发人：")
    assert "张三" in first_signers.text and "李四" in first_signers.text
    last_line = page.find("王五")
    assert last_line.text.startswith("草稿")
    assert last_line.baseline > first_signers.baseline
    assert last_line.left == pytest.approx(L.LEFT_MARGIN_MM + L.CHAR_ADVANCE_MM, abs=0.5)
    assert first_signers.right == pytest.approx(L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM - L.CHAR_ADVANCE_MM, abs=0.5)


def test_unsealed_date_starts_two_characters_right_of_the_issuer(upward_draft_pages):
    page, written = _find(upward_draft_pages, "2026年1月5日")
    signature = page.lines[page.lines.index(written) - 1]
    right_edge = L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM
    # The date is longer than the issuer plus two characters, so it is the one set two in.
    assert written.right == pytest.approx(right_edge - 2 * L.CHAR_ADVANCE_MM, abs=0.5)
    assert written.left - signature.left == pytest.approx(2 * L.CHAR_ADVANCE_MM, abs=0.5)


def test_long_title_and_note_wrap_inside_the_text_block(upward_draft_pages):
    for page in upward_draft_pages:
        for line in page.lines:
            assert line.left >= L.LEFT_MARGIN_MM - 0.5, line.text
            assert line.right <= L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM + 0.5, line.text
    title_lines = [line for line in upward_draft_pages[0].lines if line.size == L.TITLE_SIZE_PT]
    assert len(title_lines) == 3
    assert "".join(line.text for line in title_lines) == LONG_TITLE
    _, note = _find(upward_draft_pages, "（此件公开发布")
    assert note.left == pytest.approx(L.LEFT_MARGIN_MM + 2 * L.CHAR_ADVANCE_MM, abs=0.5)


def test_markup_in_the_text_is_printed_as_text(upward_draft_pages):
    text = "".join(line.text for line in upward_draft_pages[0].lines)
    assert "<b>标记</b>" in text
    assert '<img src="file:///etc/hostname">' in text


EMAIL = "shuiwu.office@example.gov.cn"
URL = "http://www.example.gov.cn/zwgk/notice/2026/07.html"


def test_an_email_address_or_url_is_never_broken_across_lines():
    # Both addresses start near the end of a line: each moves down whole, nothing breaks at "@" or "/".
    body = ("国" * 40 + f"报送至{EMAIL}，", "国" * 44 + f"详见{URL}。")
    pages = _pages(render_pdf(_document(body=body, attachments=(), note="")))
    texts = [line.text for page in pages for line in page.body_lines()]
    assert any(text.startswith(EMAIL) for text in texts)
    assert any(text.startswith(URL) for text in texts)
    assert "".join(texts).count("国") == 84  # nothing lost around them


def _short_document(lines: int, **changes: object) -> PrintedDocument:
    """A 公文 of ``lines`` one-line paragraphs, three attachments and a 版记."""
    fields: dict[str, object] = {
        "title": "关于开展汛前检查的通知",
        "body": tuple(f"第{position}项工作要按时完成。" for position in range(1, lines + 1)),
        "copy_number": "",
        "secrecy": "",
        "urgency": "",
        "attachments": ("检查表", "联系人名单", "汇总表"),
        "note": "",
        "copied_to": "市防汛办",
    }
    return _document(**{**fields, **changes})


def _first_page_lines() -> int:
    """Grid lines under a one-line title on a first page without 份号/密级/紧急程度 (7.2, 7.3.1)."""
    head = L.header(_short_document(1))
    return int((L.BLOCK_HEIGHT_MM - head.title_top_mm - L.LINE_PITCH_MM) // L.LINE_PITCH_MM)


def test_the_signature_page_carries_body_text_not_only_the_attachment_list():
    # The body fills the first page exactly (a blank line and 主送 above it): the attachment list
    # and the signature would open page 2 alone; the last body line comes down with them.
    lines = _first_page_lines() - 2
    pages = _pages(render_pdf(_short_document(lines)))
    page, _ = _find(pages, "2026年1月5日")
    texts = [line.text for line in page.body_lines()]
    assert f"第{lines}项工作要按时完成。" in texts
    assert texts.index(f"第{lines}项工作要按时完成。") < texts.index("附件：1.检查表")
    assert texts.index("3.汇总表") < texts.index("××市水务局") < texts.index("2026年1月5日")


def _page_numbers(page: Page) -> list[str]:
    return [line.text for line in page.lines if line.text.startswith(L.PAGE_NUMBER_DASH)]


def test_a_three_line_draft_is_one_sheet_its_colophon_on_the_back():
    """7.3.5: 署名 and 成文日期 on the page of the text; 7.4.1 and 6.2: the 版记 at the foot of the
    last face of a sheet printed on both sides, the back of the one sheet, numbered 2 (7.5)."""
    doc = _short_document(3, draft=True, number="", main_recipients="各区水务局", attachments=())
    first, *rest = _pages(render_pdf(doc))
    texts = [line.text for line in first.lines]
    assert {"第3项工作要按时完成。", "××市水务局", "2026年1月5日"} <= set(texts)
    assert not any("抄送" in text for text in texts)
    (back,) = rest
    assert back.body_lines() == []
    assert back.find("抄送：市防汛办。")
    assert _page_numbers(back) == ["— 2 —"]


def test_a_colophon_after_an_odd_page_takes_the_next_page():
    # Text ending with room on page 3: the 版记 goes to page 4, its foot on the foot of the block.
    pages = _pages(render_pdf(_short_document(_first_page_lines() + 20)))
    assert len(pages) == 4
    assert _find(pages, "2026年1月5日")[0] is pages[2]
    assert [line.text for line in pages[3].body_lines()] == []
    assert pages[3].find("印发")
    assert _page_numbers(pages[3]) == ["— 4 —"]


def test_a_colophon_after_a_full_even_page_follows_an_empty_page_and_neither_is_numbered():
    # The text fills page 2 to its foot: page 3 stays empty, the 版记 is on page 4 (7.5: the empty
    # page and the 版记 page carry no page number).
    pages = _pages(render_pdf(_short_document(_first_page_lines() + 12)))
    assert len(pages) == 4
    assert _find(pages, "2026年1月5日")[0] is pages[1]
    assert pages[2].lines == []
    assert pages[3].find("抄送：市防汛办。")
    assert _page_numbers(pages[3]) == []
    assert _page_numbers(pages[1]) == ["— 2 —"]
