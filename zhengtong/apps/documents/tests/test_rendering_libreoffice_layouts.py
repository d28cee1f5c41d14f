"""GB/T 9704 §10 特定格式, 联合行文 and 份号 in the DOCX, as LibreOffice prints it, measured with pdfplumber
against the numbers the PDF's tests use (test_rendering_layouts: the same documents). One soffice run
converts every document of the module."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pdfplumber
import pytest

from zhengtong.apps.documents.rendering import layout as L
from zhengtong.apps.documents.rendering.docx import render_docx, render_docx_copies
from zhengtong.apps.documents.tests.test_rendering_layouts import JOINT, LETTER, MINUTES, ORDER
from zhengtong.apps.documents.tests.test_rendering_libreoffice import (
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    MM_PER_PT,
    SOFFICE,
    Line,
    Page,
    _pages,
    convert,
)

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (Debian: libreoffice-writer-nogui)"),
]

BLOCK_CENTRE = L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM / 2
CHAR = L.CHAR_ADVANCE_MM
PITCH = L.LINE_PITCH_MM
SANHAO_MM = L.pt_to_mm(L.SIZE_SANHAO_PT)
RED = (1.0, 0.0, 0.0)
BLACK = (0.0, 0.0, 0.0)
COPIES = [dataclasses.replace(LETTER, copy_number=f"{n:06d}") for n in (1, 2, 3)]
DOCUMENTS = {
    "letter": LETTER,
    "order": ORDER,
    "joint_order": dataclasses.replace(ORDER, signatories=(("市长", "张三"), ("局长", "李四"))),
    "minutes": MINUTES,
    "joint": JOINT,
    "joint_unsealed": dataclasses.replace(JOINT, sealed=False),
}


@dataclasses.dataclass
class Converted:
    pages: list[Page]
    pdf: Path

    def chars(self, page_index: int, baseline: float) -> list[dict]:
        """The characters on one line of a page, left to right, x in mm."""
        with pdfplumber.open(self.pdf) as document:
            page = document.pages[page_index]
            height = float(page.height)
            chars = [c for c in page.chars if abs((height - c["matrix"][5]) * MM_PER_PT - baseline) < 0.3]
            return sorted(({"text": c["text"], "x0": c["x0"] * MM_PER_PT, "x1": c["x1"] * MM_PER_PT} for c in chars),
                          key=lambda c: c["x0"])


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, Converted]:
    files = {name: render_docx(doc) for name, doc in DOCUMENTS.items()}
    files["copies"] = render_docx_copies(COPIES)
    pdfs = convert(tmp_path_factory.mktemp("libreoffice-layouts"), files)
    return {name: Converted(_pages(pdf), pdf) for name, pdf in pdfs.items()}


def _box_top(line: Line) -> float:
    """The top of the grid line a body-size line sits in (its em square centred in one line pitch)."""
    return line.em_top - (PITCH - L.pt_to_mm(line.size)) / 2


def _red(page: Page) -> list[dict]:
    return sorted((rule for rule in page.rules if rule["color"][:3] == RED), key=lambda rule: rule["top"])


def _centre(line: Line) -> float:
    return (line.left + line.right) / 2


def _lines(pages: list[Page]) -> list[Line]:
    return [line for page in pages for line in page.lines]


# --- 10.1 信函格式 -------------------------------------------------------------------------------

def test_letter_mark_is_red_30_mm_under_the_page_top_with_a_red_double_line_4_mm_under_it(converted):
    page = converted["letter"].pages[0]
    mark = page.find("××市水务局")
    assert mark.colors == {RED} and mark.text == "××市水务局"
    assert mark.em_top == pytest.approx(30.0, abs=0.5)  # no longer 1 mm high (docx.MARK_SHIFT_EM)
    assert _centre(mark) == pytest.approx(BLOCK_CENTRE, abs=1)
    red = _red(page)
    assert len(red) == 4  # two double lines
    thick, thin = red[0], red[1]
    assert thick["top"] - mark.em_bottom == pytest.approx(4.0, abs=0.7)
    assert thick["bottom"] - thick["top"] > thin["bottom"] - thin["top"]  # 上粗下细
    assert 0 < thin["top"] - thick["bottom"] < 1.5
    for rule in red:
        assert rule["x1"] - rule["x0"] == pytest.approx(170.0, abs=0.5)
        assert (rule["x0"] + rule["x1"]) / 2 == pytest.approx(BLOCK_CENTRE, abs=0.5)


def test_letter_second_double_line_lies_20_mm_above_the_page_foot_thin_over_thick(converted):
    pages = converted["letter"].pages
    thin, thick = _red(pages[0])[2:]
    assert thick["bottom"] == pytest.approx(L.PAGE_HEIGHT_MM - 20.0, abs=0.5)
    assert thick["bottom"] - thick["top"] > thin["bottom"] - thin["top"]  # 上细下粗
    assert all(not _red(page) for page in pages[1:])  # the first page only


def test_letter_copy_number_left_and_document_number_right_seven_eighths_of_a_character_under_the_line(converted):
    letter = converted["letter"]
    page = letter.pages[0]
    line_foot = _red(page)[1]["bottom"]
    both = page.find("000001")
    assert both.text == "000001市水函〔2026〕3号"  # one line: 份号 flush left, 发文字号 flush right
    assert both.left == pytest.approx(BLOCK_LEFT, abs=0.5) and both.right == pytest.approx(BLOCK_RIGHT, abs=0.5)
    chars = letter.chars(0, both.baseline)
    gap = max(b["x0"] - a["x1"] for a, b in zip(chars, chars[1:], strict=False))
    assert gap > 10 * CHAR  # two runs, far apart
    assert both.em_top - line_foot == pytest.approx(7 / 8 * SANHAO_MM, abs=0.7)
    assert any("Sans" in font for font in both.fonts) and any("Serif" in font for font in both.fonts)  # 黑体 份号, 仿宋 number
    secrecy = page.find("秘密★1年")
    assert secrecy.left == pytest.approx(BLOCK_LEFT, abs=0.5)
    assert secrecy.baseline - both.baseline == pytest.approx(PITCH, abs=0.2)
    title = page.find("关于报送2025年度")
    assert _box_top(title) - (_box_top(secrecy) + PITCH) == pytest.approx(2 * PITCH, abs=1)
    assert _centre(title) == pytest.approx(BLOCK_CENTRE, abs=1)


def test_letter_has_no_page_number_on_its_first_page_and_a_colophon_without_printer_or_rules(converted):
    pages = converted["letter"].pages
    assert not any(line.text.startswith(L.PAGE_NUMBER_DASH) for line in pages[0].lines)
    assert pages[-1].find(L.page_number_text(len(pages)))  # the later pages are numbered
    copied = pages[-1].find("抄送：市政府办公室。")
    assert BLOCK_BOTTOM - 2 * PITCH < copied.baseline < BLOCK_BOTTOM
    assert not any("印发" in line.text for line in _lines(pages))
    assert not any(rule["color"][:3] != RED for page in pages for rule in page.rules)  # no black 版记 rules


# --- 10.2 命令(令)格式 ---------------------------------------------------------------------------

def test_order_mark_20_mm_under_the_block_top_and_the_order_number_two_lines_under_it(converted):
    page = converted["order"].pages[0]
    mark = page.find("××市人民政府令")
    assert mark.colors == {RED} and _centre(mark) == pytest.approx(BLOCK_CENTRE, abs=1)
    assert mark.em_top == pytest.approx(BLOCK_TOP + 20.0, abs=0.5)
    number = page.find("第12号")
    assert _centre(number) == pytest.approx(BLOCK_CENTRE, abs=1)
    assert _box_top(number) - mark.em_bottom == pytest.approx(2 * PITCH, abs=1)  # 空二行
    body = page.find("《××市城市供水管理办法》")
    assert _box_top(body) - (_box_top(number) + PITCH) == pytest.approx(2 * PITCH, abs=0.5)  # 空二行
    assert not _red(page)  # no 分隔线
    assert not any("关于" in line.text for line in page.lines)  # and no title


def test_order_signature_stamp_four_characters_in_its_post_two_left_of_it_and_the_date_a_line_under(converted):
    order = converted["order"]
    page = order.pages[0]
    stamp = page.find("张三")
    assert stamp.text == "市长张三" and stamp.colors == {RED, BLACK}  # the red stamp, the black post
    assert stamp.right == pytest.approx(BLOCK_RIGHT - 4 * CHAR, abs=0.5)
    chars = order.chars(0, stamp.baseline)
    post_right = max(c["x1"] for c in chars if c["text"] in "市长")
    stamp_left = min(c["x0"] for c in chars if c["text"] in "张三")
    assert stamp_left - post_right == pytest.approx(2 * CHAR, abs=1.2)  # 左空二字
    body_foot = next(line for line in page.lines if line.text.endswith("行。")).baseline  # the text's last line
    assert stamp.baseline - body_foot == pytest.approx(3 * PITCH, abs=0.3)  # 空二行
    written = next(line for line in page.lines if line.text == "2026年1月5日")
    assert written.right == pytest.approx(BLOCK_RIGHT - 4 * CHAR, abs=0.5)
    assert written.baseline - stamp.baseline == pytest.approx(2 * PITCH, abs=0.3)  # 空一行


def test_a_joint_order_stacks_each_organs_post_and_stamp_aligned_on_the_right(converted):
    page = converted["joint_order"].pages[0]
    first, second = (next(line for line in page.lines if line.text.endswith(name)) for name in ("张三", "李四"))
    assert first.right == pytest.approx(BLOCK_RIGHT - 4 * CHAR, abs=0.5) and second.right == pytest.approx(first.right, abs=0.2)
    assert second.baseline - first.baseline == pytest.approx(PITCH, abs=0.3)
    written = next(line for line in page.lines if line.text == "2026年1月5日")
    assert written.baseline - second.baseline == pytest.approx(2 * PITCH, abs=0.3)


# --- 10.3 纪要格式 -------------------------------------------------------------------------------

def test_minutes_mark_35_mm_under_the_block_top(converted):
    mark = converted["minutes"].pages[0].find("局长办公会议纪要")
    assert mark.colors == {RED} and mark.text.endswith("纪要")
    assert mark.em_top == pytest.approx(BLOCK_TOP + L.MARK_TOP_MM, abs=0.5)
    assert _centre(mark) == pytest.approx(BLOCK_CENTRE, abs=1)


def test_minutes_attendance_one_line_under_the_text_two_characters_in_in_order(converted):
    pages = converted["minutes"].pages
    lines = _lines(pages)
    present = next(line for line in lines if line.text.startswith("出席："))
    assert present.left == pytest.approx(BLOCK_LEFT + 2 * CHAR, abs=0.5)
    assert any("Sans" in font for font in present.fonts) and any("Serif" in font for font in present.fonts)  # 黑体, 仿宋
    page = next(page for page in pages if present in page.lines)
    text_above = max((line for line in page.lines if line.baseline < present.baseline), key=lambda line: line.baseline)
    assert present.baseline - text_above.baseline == pytest.approx(2 * PITCH, abs=0.3)  # 空一行
    wrapped = lines[lines.index(present) + 1]
    assert wrapped.left == pytest.approx(BLOCK_LEFT + 5 * CHAR, abs=0.5)  # under the first name
    assert [line.text[:3] for line in lines if line.text[:3] in ("出席：", "请假：", "列席：")] == ["出席：", "请假：", "列席："]
    names = "、".join(names for _, names in MINUTES.attendance)
    printed = "".join(line.text for line in lines if line.size == pytest.approx(L.BODY_SIZE_PT, abs=0.1))
    assert all(name in printed for name in names.split("、"))
    assert not any(line.text == "××市水务局" for line in lines)  # no 署名 in minutes


# --- 联合行文 -------------------------------------------------------------------------------------

def test_joint_marks_stack_the_issuers_lead_first_with_the_word_文件_centred_on_them(converted):
    page = converted["joint"].pages[0]
    marks = [line for line in page.lines if line.colors == {RED}]
    suffix = next(line for line in marks if line.text == "文件")
    names = [line for line in marks if line is not suffix]
    assert [line.text for line in names] == ["××市水务局", "××市生态环境局", "××市财政局"]
    assert len({round(line.left, 0) for line in names}) == 1  # one column
    assert names[0].right == pytest.approx(names[2].right, abs=0.5)  # each as wide as the longest
    assert names[0].em_top == pytest.approx(BLOCK_TOP + L.MARK_TOP_MM, abs=0.5)
    suffix_centre = (suffix.em_top + suffix.em_bottom) / 2
    assert suffix_centre == pytest.approx((names[0].em_top + names[-1].em_bottom) / 2, abs=0.5)
    assert suffix.left >= max(line.right for line in names) - 0.5  # to the right of the names
    group_centre = (names[0].left + suffix.right) / 2
    assert group_centre == pytest.approx(BLOCK_CENTRE, abs=1)  # names and suffix centred as one
    number = page.find("市水函〔2026〕3号")
    rule = _red(page)[0]
    assert number.baseline > names[-1].em_bottom + 2 * PITCH
    assert rule["top"] - number.em_bottom == pytest.approx(L.RED_RULE_GAP_MM, abs=0.5)


def test_joint_sealed_signatures_in_rows_the_last_over_the_date(converted):
    joint = converted["joint"]
    lines = _lines(joint.pages)
    written = next(line for line in lines if line.text == "2026年1月5日")
    assert written.right == pytest.approx(BLOCK_RIGHT - 4 * CHAR, abs=0.5)
    last = next(line for line in lines if line.text == "××市财政局" and line.colors != {RED})
    assert _centre(last) == pytest.approx(_centre(written), abs=0.5)
    assert written.baseline - last.baseline == pytest.approx(PITCH, abs=0.3)
    [row] = [line for line in lines if "××市水务局" in line.text and "××市生态环境局" in line.text]
    page_index = next(index for index, page in enumerate(joint.pages) if row in page.lines)
    chars = joint.chars(page_index, row.baseline)
    first = [c for c in chars if c["x0"] < _centre(row)]
    second = [c for c in chars if c["x0"] >= _centre(row)]
    centre = lambda cs: (cs[0]["x0"] + cs[-1]["x1"]) / 2  # noqa: E731
    assert "".join(c["text"] for c in first) == "××市水务局" and "".join(c["text"] for c in second) == "××市生态环境局"
    assert centre(second) - centre(first) == pytest.approx(56.0, abs=0.5)  # 42 mm seals never touch
    assert centre(first) - 21 >= BLOCK_LEFT - 0.1  # and stay inside the block
    assert last.baseline - row.baseline == pytest.approx(5 * PITCH, abs=0.3)
    assert centre(second) == pytest.approx(_centre(last), abs=0.5)  # rows aligned


def test_joint_unsealed_signatures_lead_first_one_under_another(converted):
    lines = _lines(converted["joint_unsealed"].pages)
    names = [line for line in lines if line.text in ("××市水务局", "××市生态环境局", "××市财政局") and line.colors != {RED}]
    assert [line.text for line in names] == ["××市水务局", "××市生态环境局", "××市财政局"]
    pitches = [b.baseline - a.baseline for a, b in zip(names, names[1:], strict=False)]
    assert pitches == pytest.approx([PITCH, PITCH], abs=0.3)
    assert {round(line.left, 0) for line in names} == {round(names[0].left, 0)}
    written = next(line for line in lines if line.text == "2026年1月5日")
    assert written.left - names[0].left == pytest.approx(2 * CHAR, abs=0.5)  # the date two characters further right
    assert written.baseline - names[-1].baseline == pytest.approx(PITCH, abs=0.3)


# --- 7.2.1 份号 ------------------------------------------------------------------------------------

def test_several_copies_each_carry_their_own_copy_number_and_page_numbers(converted):
    single = converted["letter"].pages
    copies = converted["copies"].pages
    assert len(copies) == 3 * len(single)
    firsts = copies[:: len(single)]
    assert [page.find("市水函〔2026〕3号").text.removesuffix("市水函〔2026〕3号") for page in firsts] == ["000001", "000002", "000003"]
    for page, alone in zip(firsts, single[:1] * 3, strict=True):  # every copy's first page as the single letter's
        assert page.find("00000").em_top == pytest.approx(alone.find("00000").em_top, abs=0.2)
        assert len(_red(page)) == 4
        assert page.find("××市水务局").em_top == pytest.approx(30.0, abs=0.5)
    numbers = [line.text for page in copies for line in page.lines if line.text.startswith(L.PAGE_NUMBER_DASH)]
    assert numbers == [L.page_number_text(n) for n in range(2, len(single) + 1)] * 3  # each copy numbers its own pages
    for copy_start in range(0, len(copies), len(single)):  # and ends with its 抄送
        assert copies[copy_start + len(single) - 1].find("抄送：市政府办公室。")
