"""The DOCX as a reader's word processor prints it: converted by LibreOffice, measured with pdfplumber.

Each conversion costs seconds, so the module converts its documents once, in one soffice run,
and asserts many things on the PDFs. LibreOffice runs with a profile of its own (parallel runs
do not collide) and with ``fonts.fontconfig_substitutes()``, which makes this server's open faces
answer to the standard's font names, as an operator's server would be set up.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess  # noqa: S404 - a fixed soffice command line, no shell
import unicodedata
from datetime import date
from pathlib import Path

import pdfplumber
import pytest

from zhengtong.apps.documents.rendering import docx as docx_rendering
from zhengtong.apps.documents.rendering import layout as L
from zhengtong.apps.documents.rendering.content import PrintedDocument
from zhengtong.apps.documents.rendering.docx import render_docx
from zhengtong.apps.documents.rendering.fonts import fontconfig_substitutes

from .test_rendering_pdf import text_lines

SOFFICE = shutil.which("soffice")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (Debian: libreoffice-writer-nogui)"),
]

MM_PER_PT = 25.4 / 72
EM_BOX_DESCENT = 0.12  # CJK faces draw ideographs on an em square whose foot is 0.12 em under the baseline
BLOCK_LEFT = L.LEFT_MARGIN_MM
BLOCK_RIGHT = L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM
BLOCK_TOP = L.TOP_MARGIN_MM
BLOCK_BOTTOM = L.TOP_MARGIN_MM + L.BLOCK_HEIGHT_MM

EMAIL = "shuiwu.office@example.gov.cn"
URL = "http://www.example.gov.cn/zwgk/notice/2026/07.html"
# The 29th character of its second line is a "，": the composer moves "家，" down; LibreOffice left
# to itself hangs the comma past the margin (and did not draw it).
PUSHED_LINE = "为进一步加强全市水务工作的组织领导和统筹协调能力建设国"  # 27 characters, then "家，"
HANGING = "国" * 26 + PUSHED_LINE + "家，" + "切实做好防汛抗旱、水资源管理和水利工程建设等各项工作。"
PARAGRAPH = (
    "为进一步加强全市水务工作的组织领导，切实做好防汛抗旱、水资源管理和水利工程建设等各项工作，"
    "根据《中华人民共和国水法》和有关法律法规的规定，结合本市实际，现就2026年有关事项通知如下。"
)
CONTACT = f"各单位请于2026年7月15日前将材料报送至{EMAIL}，有关要求详见{URL}，逾期不再受理。联系电话：0571-87654321。"
FILLER = "各单位要按照本通知要求认真抓好落实。"
HEADINGS = ("一、总体要求", "二、工作措施", "三、保障措施")


def _document(fillers: int) -> PrintedDocument:
    return PrintedDocument(
        issuer_mark="××市水务局文件",
        title="关于加强2026年防汛抗旱\n工作的通知",
        body=(
            PARAGRAPH,
            HEADINGS[0],
            CONTACT,
            HANGING,
            *([FILLER] * fillers),
            HEADINGS[1],
            "（一）加强组织领导。" + PARAGRAPH * 2,
            HANGING,
            PARAGRAPH * 3,
            PARAGRAPH * 4,
            HEADINGS[2],
            PARAGRAPH * 2,
        ),
        issuer_signature="××市水务局",
        written_on=date(2026, 7, 5),
        number="市水发〔2026〕7号",
        copy_number="000001",
        secrecy="秘密★1年",
        main_recipients="各区水务局，局属各单位",
        attachments=("2026年防汛抗旱工作要点", "各区水务局联系人名单"),
        note="此件公开发布",
        copied_to="市委办公室，市人大常委会办公室，市政府办公室，市政协办公室",
        printed_by="××市水务局办公室",
        printed_on=date(2026, 7, 6),
    )


def _long_document() -> PrintedDocument:
    """The long document, with as many one-line paragraphs before 二、 as put it at a page's foot."""
    for fillers in range(L.LINES_PER_PAGE):
        doc = _document(fillers)
        title_lines = len(docx_rendering._title_lines(doc))
        flow = docx_rendering._flow(doc)
        plain = [dataclasses.replace(line, break_before=True) for line in flow]
        first = docx_rendering._first_page_capacity(doc, title_lines)
        unkept = docx_rendering._paginate(plain, first)
        if any(page[-1].line is not None and page[-1].line.text == HEADINGS[1] for page in unkept):
            return doc
    raise AssertionError("no filler count puts the heading at a page foot")


THREE_LINES = PrintedDocument(
    issuer_mark="××市水务局文件",
    title="关于开展汛前检查的通知",
    body=("各单位要于6月1日前完成汛前检查。", "检查结果报局办公室。", "特此通知。"),
    issuer_signature="××市水务局",
    written_on=date(2026, 5, 20),
    draft=True,
    main_recipients="各区水务局",
    copied_to="市防汛办",
    printed_by="××市水务局办公室",
    printed_on=date(2026, 5, 20),
)


def _two_page_document(last_page_lines: int) -> PrintedDocument:
    """One-line paragraphs, as many as put ``last_page_lines`` lines of text on page 2."""
    for count in range(1, 3 * L.LINES_PER_PAGE):
        doc = dataclasses.replace(THREE_LINES, body=tuple(f"第{position}项工作要按时完成。" for position in range(1, count + 1)))
        pages = docx_rendering._paginate(docx_rendering._flow(doc), docx_rendering._first_page_capacity(doc, 1))
        if len(pages) == 2 and len(pages[-1]) == last_page_lines:
            return doc
    raise AssertionError(f"no paragraph count puts {last_page_lines} lines on page 2")


@dataclasses.dataclass
class Line:
    text: str
    baseline: float  # mm from the page's top
    left: float
    right: float
    size: float  # pt
    fonts: set[str]
    colors: set[tuple[float, ...]] = dataclasses.field(default_factory=set)

    @property
    def em_top(self) -> float:
        return self.baseline - (1 - EM_BOX_DESCENT) * L.pt_to_mm(self.size)

    @property
    def em_bottom(self) -> float:
        return self.baseline + EM_BOX_DESCENT * L.pt_to_mm(self.size)


@dataclasses.dataclass
class Page:
    number: int
    lines: list[Line]
    rules: list[dict]  # lines and thin rectangles: top, bottom, x0, x1 (mm), colour
    max_right: float

    def body_lines(self) -> list[Line]:
        return [line for line in self.lines if line.size == pytest.approx(L.BODY_SIZE_PT, abs=0.1) and line.baseline < BLOCK_BOTTOM]

    def find(self, fragment: str) -> Line:
        return next(line for line in self.lines if fragment in line.text)


def _pages(pdf: Path) -> list[Page]:
    pages = []
    with pdfplumber.open(io.BytesIO(pdf.read_bytes())) as document:
        for number, page in enumerate(document.pages, start=1):
            assert float(page.width) * MM_PER_PT == pytest.approx(L.PAGE_WIDTH_MM, abs=0.2)
            assert float(page.height) * MM_PER_PT == pytest.approx(L.PAGE_HEIGHT_MM, abs=0.2)
            lines = text_lines(page, Line)
            rules = [
                {
                    "top": shape["top"] * MM_PER_PT,
                    "bottom": shape["bottom"] * MM_PER_PT,
                    "x0": shape["x0"] * MM_PER_PT,
                    "x1": shape["x1"] * MM_PER_PT,
                    "color": tuple(shape.get("stroking_color") or shape.get("non_stroking_color") or ()),
                }
                for shape in (*page.lines, *page.rects, *page.curves)  # a filled rectangle may come as a curve
                if (shape["x1"] - shape["x0"]) * MM_PER_PT > 100
            ]
            max_right = max((char["x1"] * MM_PER_PT for char in page.chars), default=0.0)
            pages.append(Page(number, lines, rules, max_right))
    return pages


def convert(work: Path, documents: dict[str, bytes]) -> dict[str, Path]:
    """The DOCX files converted to PDF in one LibreOffice run (each run costs seconds)."""
    (work / "fonts.conf").write_text(fontconfig_substitutes(), encoding="utf-8")
    for name, content in documents.items():
        (work / f"{name}.docx").write_bytes(content)
    assert SOFFICE is not None
    command = [SOFFICE, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(work)]
    environment = {**os.environ, "FONTCONFIG_FILE": str(work / "fonts.conf"), "HOME": str(work)}
    command += [str(work / f"{name}.docx") for name in documents]
    result = subprocess.run(command, capture_output=True, env=environment, timeout=180, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr
    return {name: work / f"{name}.pdf" for name in documents}


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, list[Page]]:
    """The documents converted to PDF in one LibreOffice run."""
    documents = {
        "long": _long_document(),
        "three": THREE_LINES,
        "full_even": _two_page_document(L.LINES_PER_PAGE),  # no room left for the 版记
        "shared_even": _two_page_document(12),  # room for it under the text
    }
    pdfs = convert(tmp_path_factory.mktemp("libreoffice"), {name: render_docx(doc) for name, doc in documents.items()})
    return {name: _pages(pdf) for name, pdf in pdfs.items()}


@pytest.fixture(scope="module")
def pages(converted) -> list[Page]:
    return converted["long"]


def _flow_lines(pages: list[Page]) -> list[tuple[Page, Line]]:
    """Body-size lines under the title (first page) and in the block (others), in reading order."""
    return [(page, line) for page in pages for line in _page_flow(page)]


def _page_flow(page: Page) -> list[Line]:
    if page.number > 1:
        return page.body_lines()
    title_baseline = page.find("工作的通知").baseline
    return [line for line in page.body_lines() if line.baseline > title_baseline]


def _expected_flow(doc: PrintedDocument) -> str:
    attachments = "".join(L.attachment_lines(doc.attachments))
    return "".join(
        (
            L.recipients_text(doc.main_recipients),
            *doc.body,
            L.ATTACHMENTS_LABEL + attachments if attachments else "",
            doc.issuer_signature,
            L.chinese_date(doc.written_on),
            L.note_text(doc.note),
        )
    )


def _all_han(text: str) -> bool:
    return all(unicodedata.east_asian_width(char) in ("W", "F") for char in text)


def test_every_character_is_printed_in_order(pages):
    """Nothing dropped: not the punctuation that would hang past the margin, not a digit."""
    printed = "".join(line.text for _, line in _flow_lines(pages))
    assert printed == _expected_flow(_long_document())
    assert printed.count("，") == _expected_flow(_long_document()).count("，")


def test_no_character_reaches_past_the_right_margin(pages):
    for page in pages:
        assert page.max_right <= BLOCK_RIGHT + 0.3, page.number
        for line in page.body_lines():
            assert line.left >= BLOCK_LEFT - 0.2


def test_the_line_the_comma_would_hang_from_is_full_width_and_the_comma_starts_nothing(pages):
    assert len(PUSHED_LINE) == L.CHARS_PER_LINE - 1
    lines = [line for _, line in _flow_lines(pages)]
    pushed = [line for line in lines if line.text.startswith("家，")]
    assert len(pushed) == 2  # both HANGING paragraphs
    for line in pushed:
        before = lines[lines.index(line) - 1]
        assert before.text.endswith("国")
        assert before.right == pytest.approx(BLOCK_RIGHT, abs=0.6)  # stretched to the margin, not ragged
    assert not any(line.text[0] in "，。、；：？！）》" for line in lines)


def test_a_full_page_has_22_lines_of_28_characters_in_the_text_block(pages):
    full = [page for page in pages[1:-1] if len(page.body_lines()) == L.LINES_PER_PAGE]
    assert full, [len(page.body_lines()) for page in pages]
    page = full[0]
    lines = page.body_lines()
    pitches = [after.baseline - before.baseline for before, after in zip(lines, lines[1:], strict=False)]
    assert max(pitches) - min(pitches) < 0.25  # baselines are grouped to 0.1 mm
    assert sum(pitches) / len(pitches) == pytest.approx(L.LINE_PITCH_MM, abs=0.03)
    half_leading = (L.LINE_PITCH_MM - L.pt_to_mm(L.BODY_SIZE_PT)) / 2
    assert lines[0].em_top - half_leading == pytest.approx(BLOCK_TOP, abs=0.6)  # 天头 37 mm
    assert lines[-1].em_bottom + half_leading <= BLOCK_BOTTOM + 0.3  # 版心 225 mm
    han_lines = [line for _, line in _flow_lines(pages) if _all_han(line.text) and line.left == pytest.approx(BLOCK_LEFT, abs=0.3)]
    full_han = [line for line in han_lines if line.right == pytest.approx(BLOCK_RIGHT, abs=0.6)]
    assert full_han
    # 订口 28 mm, 156 mm, 28 characters (27 when a pushed-down "家，" left a stretched line)
    assert max(len(line.text) for line in full_han) == L.CHARS_PER_LINE
    assert sum(len(line.text) == L.CHARS_PER_LINE for line in full_han) > 10


def test_the_red_mark_35_mm_under_the_block_top(pages):
    """7.2.4; LibreOffice set it 1 mm high until docx.MARK_SHIFT_EM."""
    mark = pages[0].find("××市水务局文件")
    assert mark.colors == {(1.0, 0.0, 0.0)}
    assert mark.em_top == pytest.approx(BLOCK_TOP + L.MARK_TOP_MM, abs=0.4)
    assert (mark.left + mark.right) / 2 == pytest.approx((BLOCK_LEFT + BLOCK_RIGHT) / 2, abs=0.5)


def test_red_rule_4_mm_under_the_number(pages):
    number = pages[0].find("市水发〔2026〕7号")
    red = [rule for rule in pages[0].rules if rule["color"] and rule["color"][:3] == (1, 0, 0)]
    assert red
    rule = red[0]
    assert rule["top"] - number.em_bottom == pytest.approx(L.RED_RULE_GAP_MM, abs=0.4)
    assert rule["x0"] == pytest.approx(BLOCK_LEFT, abs=0.3)
    assert rule["x1"] == pytest.approx(BLOCK_RIGHT, abs=0.3)


def test_headings_are_never_the_last_line_of_a_page(pages):
    for page in pages[:-1]:
        assert _page_flow(page)[-1].text not in HEADINGS, page.number
    # The document is built so that 二、 would fall at a page's foot: it opens the next page.
    assert any(page.body_lines()[0].text == HEADINGS[1] for page in pages[1:])


def test_no_line_break_inside_an_email_address_or_url(pages):
    texts = [line.text for _, line in _flow_lines(pages)]
    assert any(EMAIL in text for text in texts)
    assert any(URL in text for text in texts)


def test_signature_page_carries_body_text_and_not_only_the_attachment_list(pages):
    page = next(page for page in pages if any(line.text == "2026年7月5日" for line in page.lines))
    lines = [line.text for line in page.body_lines()]
    signature = lines.index("××市水务局")
    body = "".join(_long_document().body)
    before = lines[:signature]
    assert any(text in body and not text.startswith("附件") for text in before if not text.startswith(("1.", "2.")))
    assert any(text.startswith("附件：") for text in before)
    # 7.3.5.1: the date four characters in from the right, the 署名 centred over it.
    issuer, written = page.find("××市水务局"), page.find("2026年7月5日")
    assert written.right == pytest.approx(BLOCK_RIGHT - 4 * L.CHAR_ADVANCE_MM, abs=0.5)
    assert (issuer.left + issuer.right) / 2 == pytest.approx((written.left + written.right) / 2, abs=0.5)


def test_colophon_at_the_foot_of_the_last_page_which_is_even(pages):
    last = pages[-1]
    assert last.number % 2 == 0  # 6.2 printed on both sides; 7.4.1 the last face
    copied, printed = last.find("抄送："), last.find("印发")
    assert printed.size == L.COLOPHON_SIZE_PT
    assert printed.left == pytest.approx(BLOCK_LEFT + L.pt_to_mm(L.COLOPHON_SIZE_PT), abs=0.5)
    assert printed.right == pytest.approx(BLOCK_RIGHT - L.pt_to_mm(L.COLOPHON_SIZE_PT), abs=0.5)
    rules = sorted((rule for rule in last.rules if rule["top"] > copied.baseline - 20), key=lambda rule: rule["top"])
    assert len(rules) == 3  # thick, thin between 抄送 and 印发, thick
    assert rules[-1]["bottom"] == pytest.approx(BLOCK_BOTTOM, abs=0.5)  # the last rule on the foot of the block
    assert rules[0]["top"] < copied.em_top < rules[1]["top"] < printed.em_top < rules[2]["top"]
    for rule in rules:  # as wide as the block
        assert rule["x0"] == pytest.approx(BLOCK_LEFT, abs=0.3)
        assert rule["x1"] == pytest.approx(BLOCK_RIGHT, abs=0.3)
    for page in pages[:-1]:
        assert not any("抄送" in line.text or "印发" in line.text for line in page.lines)
    # Page numbers still under the block, 7 mm down, even pages on the left.
    number = last.find(f"— {last.number} —")
    assert number.em_top - BLOCK_BOTTOM == pytest.approx(L.PAGE_NUMBER_GAP_MM, abs=1)
    assert number.left == pytest.approx(BLOCK_LEFT + L.pt_to_mm(L.PAGE_NUMBER_SIZE_PT), abs=1)


def test_each_role_prints_in_its_own_face(pages):
    body = pages[1].body_lines()[1]
    heading = next(line for page in pages for line in page.lines if line.text in HEADINGS)
    assert all("Serif" in font for font in body.fonts)
    assert all("Sans" in font for font in heading.fonts)  # 黑体: a sans face, unlike the 仿宋 body


def test_a_three_line_draft_keeps_its_signature_with_the_text_and_its_colophon_on_the_back(converted):
    """GB/T 9704: the 署名 and 成文日期 share the page with the text (7.3.5); the 版记 lies at the foot
    of the last face (7.4.1) of a sheet printed on both sides (6.2): the back of the one sheet."""
    first, *rest = converted["three"]
    texts = [line.text for line in first.lines]
    for fragment in ("特此通知。", "××市水务局", "2026年5月20日"):
        assert fragment in texts
    assert len(rest) == 1
    (back,) = rest
    assert [line.text for line in back.body_lines()] == []
    assert back.find("抄送：市防汛办。")
    assert back.find("印发").baseline < BLOCK_BOTTOM


def test_text_filling_an_even_page_puts_the_colophon_after_an_empty_page_both_unnumbered(converted):
    """7.5: 公文的版记页前有空白页的，空白页和版记页均不编排页码."""
    pages = converted["full_even"]
    assert len(pages) == 4
    date_line = pages[1].body_lines()[-1]
    assert date_line.text == "2026年5月20日"
    assert date_line.em_bottom > BLOCK_BOTTOM - L.LINE_PITCH_MM / 2  # on the block's last line
    assert pages[2].lines == []
    assert [line.text for line in pages[3].body_lines()] == []
    assert pages[3].find("抄送：市防汛办。")
    assert not any(line.text.startswith(L.PAGE_NUMBER_DASH) for line in pages[2].lines + pages[3].lines)
    assert pages[1].find("— 2 —")


def test_text_ending_on_an_even_page_with_room_shares_it_with_the_colophon(converted):
    pages = converted["shared_even"]
    assert len(pages) == 2
    last = pages[-1]
    date_line, copied = last.find("2026年5月20日"), last.find("抄送：市防汛办。")
    rules = sorted(last.rules, key=lambda rule: rule["top"])
    assert len(rules) == 3
    assert date_line.em_bottom < rules[0]["top"] < copied.em_top
    assert rules[-1]["bottom"] == pytest.approx(BLOCK_BOTTOM, abs=0.5)
    assert last.find("— 2 —")
    # The text starts at the top of the block, as on any page (it was 4.6 mm low with a line grid there).
    half_leading = (L.LINE_PITCH_MM - L.pt_to_mm(L.BODY_SIZE_PT)) / 2
    assert last.body_lines()[0].em_top - half_leading == pytest.approx(BLOCK_TOP, abs=1.0)
