"""GB/T 9704 §10 特定格式, 联合行文 and 份号, measured with pdfplumber against the standard's numbers
(positions in mm from the page's top left)."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import pdfplumber
import pytest
from django.urls import reverse

from zhengtong.apps.documents import queries, services
from zhengtong.apps.documents.models import Document
from zhengtong.apps.documents.rendering import layout as L
from zhengtong.apps.documents.rendering.content import PrintedDocument
from zhengtong.apps.documents.rendering.fonts import font_roles
from zhengtong.apps.documents.rendering.pdf import render_pdf, render_pdf_copies
from zhengtong.apps.documents.tests.conftest import draft_notice
from zhengtong.apps.documents.tests.test_numbering_and_secrecy import classified  # noqa: F401 - a fixture
from zhengtong.apps.documents.tests.test_rendering_pdf import EM_BOX_DESCENT, Line, Page, _pages

BLOCK_TOP = L.TOP_MARGIN_MM
BLOCK_LEFT = L.LEFT_MARGIN_MM
BLOCK_RIGHT = L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM
BLOCK_CENTRE = L.LEFT_MARGIN_MM + L.BLOCK_WIDTH_MM / 2
CHAR = L.CHAR_ADVANCE_MM
PITCH = L.LINE_PITCH_MM
SANHAO_MM = L.pt_to_mm(L.SIZE_SANHAO_PT)

BODY = ("为进一步加强全市水务工作的组织领导，切实做好防汛抗旱、水资源管理和水利工程建设等各项工作，根据有关规定，现就有关事项函告如下。",
        "一、关于监测数据报送", "请于本月底前报送2025年度各监测断面水质数据。", "特此函告。")


def _doc(**changes: object) -> PrintedDocument:
    doc = PrintedDocument(issuer_mark="××市水务局", title="关于报送2025年度水质监测数据的函", body=BODY, issuer_signature="××市水务局",
                          written_on=date(2026, 1, 5), number="市水函〔2026〕3号", main_recipients="市生态环境局",
                          copied_to="市政府办公室", printed_by="××市水务局办公室", printed_on=date(2026, 1, 6))
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


LETTER = _doc(layout="letter", copy_number="000001", secrecy="秘密★1年")
ORDER = _doc(layout="order", issuer_mark="××市人民政府令", number="第12号", title="", main_recipients="", copied_to="",
             body=("《××市城市供水管理办法》已经2026年1月5日市人民政府第8次常务会议通过，现予公布，自2026年3月1日起施行。",),
             signatories=(("市长", "张三"),))
MINUTES = _doc(layout="minutes", issuer_mark="××市水务局局长办公会议纪要", number="〔2026〕1期", title="2026年第1次局长办公会议纪要",
               main_recipients="", body=BODY[:2],
               attendance=(("出席", "王建国、李卫东、张丽华、刘志强、陈国平、周明、黄海涛、马骏、谢振华、许文博、曾德明、袁野、苏红、潘伟"),
                           ("列席", "吴婷、郑凯"), ("请假", "严清")))
JOINT = _doc(issuer_mark="××市水务局文件", co_issuers=("××市生态环境局", "××市财政局"), title="关于联合开展水源地保护专项行动的通知",
             body=BODY[:2])


def _em_top(line: Line) -> float:
    return line.baseline - (1 - EM_BOX_DESCENT) * L.pt_to_mm(line.size)


def _em_foot(line: Line) -> float:
    return line.baseline + EM_BOX_DESCENT * L.pt_to_mm(line.size)


def _box_top(line: Line) -> float:
    """The top of the grid line a body-size line sits in (its em square centred in one line pitch)."""
    return _em_top(line) - (PITCH - L.pt_to_mm(line.size)) / 2


def _red(page: Page) -> list[dict]:
    return sorted((rect for rect in page.rects if rect["color"] == L.RED_RGB), key=lambda rect: rect["top"])


def _font(role: str) -> str:
    return font_roles()[role].replace(" ", "-")


@pytest.fixture(scope="module")
def letter() -> list[Page]:
    return _pages(render_pdf(LETTER))


@pytest.fixture(scope="module")
def order() -> list[Page]:
    return _pages(render_pdf(ORDER))


@pytest.fixture(scope="module")
def minutes() -> list[Page]:
    return _pages(render_pdf(MINUTES))


@pytest.fixture(scope="module")
def joint() -> list[Page]:
    return _pages(render_pdf(JOINT))


# --- 10.1 信函格式 -------------------------------------------------------------------------------

def test_letter_mark_is_red_30_mm_under_the_page_top_with_a_red_double_line_4_mm_under_it(letter):
    page = letter[0]
    mark = page.find("××市水务局")
    assert mark.colors == {L.RED_RGB} and mark.text == "××市水务局"  # no "文件" in a letter's mark
    assert _em_top(mark) == pytest.approx(30.0, abs=1)
    assert mark.centre == pytest.approx(BLOCK_CENTRE, abs=1)
    red = _red(page)
    assert len(red) == 4  # two double lines, nothing else red but the mark
    thick, thin = red[0], red[1]
    assert thick["top"] - _em_foot(mark) == pytest.approx(4.0, abs=1)
    assert thick["bottom"] - thick["top"] > thin["bottom"] - thin["top"]  # 上粗下细
    assert 0 < thin["top"] - thick["bottom"] < 1.5
    for rule in red:
        assert rule["x1"] - rule["x0"] == pytest.approx(170.0, abs=0.5)
        assert (rule["x0"] + rule["x1"]) / 2 == pytest.approx(BLOCK_CENTRE, abs=0.5)


def test_letter_second_double_line_lies_20_mm_above_the_page_foot_thin_over_thick(letter):
    thin, thick = _red(letter[0])[2:]
    assert thick["bottom"] == pytest.approx(L.PAGE_HEIGHT_MM - 20.0, abs=0.5)
    assert thick["bottom"] - thick["top"] > thin["bottom"] - thin["top"]  # 上细下粗
    assert all(rect["color"] != L.RED_RGB for page in letter[1:] for rect in page.rects)  # the first page only


def test_letter_copy_number_left_and_document_number_right_seven_eighths_of_a_character_under_the_line(letter):
    page = letter[0]
    line_foot = _red(page)[1]["bottom"]
    both = page.find("000001")
    assert both.text == "000001市水函〔2026〕3号"  # one line: 份号 flush left, 发文字号 flush right
    copy, number = _segments(render_pdf(LETTER), both.baseline)
    assert (copy["text"], number["text"]) == ("000001", "市水函〔2026〕3号")
    assert copy["left"] == pytest.approx(BLOCK_LEFT, abs=0.5)
    assert number["right"] == pytest.approx(BLOCK_RIGHT, abs=0.5)
    assert _em_top(both) - line_foot == pytest.approx(7 / 8 * SANHAO_MM, abs=0.7)
    assert copy["fonts"] == {_font("heiti")} and number["fonts"] == {_font("fangsong")}
    secrecy = page.find("秘密★1年")
    assert secrecy.left == pytest.approx(BLOCK_LEFT, abs=0.5) and secrecy.baseline - both.baseline == pytest.approx(PITCH, abs=0.2)
    title = page.find("关于报送2025年度")
    # The title two lines under the last element above it.
    assert _box_top(title) - (_box_top(secrecy) + PITCH) == pytest.approx(2 * PITCH, abs=1)
    assert title.centre == pytest.approx(BLOCK_CENTRE, abs=1)


def test_letter_has_no_page_number_on_its_first_page_and_a_colophon_without_printer_or_rules(letter):
    first = letter[0]
    assert not any(line.text.startswith(L.PAGE_NUMBER_DASH) for line in first.lines)
    last = letter[-1]
    copied = last.find("抄送：市政府办公室。")
    assert copied.baseline < BLOCK_TOP + L.BLOCK_HEIGHT_MM and copied.baseline > BLOCK_TOP + L.BLOCK_HEIGHT_MM - 2 * PITCH
    assert not any("印发" in line.text for page in letter for line in page.lines)
    assert not any(rect["color"] != L.RED_RGB for page in letter for rect in page.rects)  # no black 版记 rules


# --- 10.2 命令(令)格式 ---------------------------------------------------------------------------

def test_order_mark_20_mm_under_the_block_top_and_the_order_number_two_lines_under_it(order):
    page = order[0]
    mark = page.find("××市人民政府令")
    assert mark.colors == {L.RED_RGB} and mark.centre == pytest.approx(BLOCK_CENTRE, abs=1)
    assert _em_top(mark) == pytest.approx(BLOCK_TOP + 20.0, abs=1)
    number = page.find("第12号")
    assert number.centre == pytest.approx(BLOCK_CENTRE, abs=1)
    assert _box_top(number) - _em_foot(mark) == pytest.approx(2 * PITCH, abs=1)  # 空二行
    body = page.find("《××市城市供水管理办法》")
    assert _box_top(body) - (_box_top(number) + PITCH) == pytest.approx(2 * PITCH, abs=0.5)  # 空二行
    assert not [rect for rect in _red(page) if rect["top"] < _box_top(body)]  # no 分隔线 and no title in an order
    assert not any("关于" in line.text for line in page.lines)


def test_order_signature_stamp_four_characters_in_its_post_two_left_of_it_and_the_date_a_line_under(order):
    page = order[0]
    stamp = page.find("张三")
    assert L.RED_RGB in stamp.colors and (0.0, 0.0, 0.0) in stamp.colors  # the red stamp, the black post
    assert stamp.text.endswith("张三") and stamp.right == pytest.approx(BLOCK_RIGHT - 4 * CHAR, abs=0.5)
    chars = _chars(render_pdf(ORDER))
    post = [c for c in chars if c["text"] in "市长" and abs(c["baseline"] - stamp.baseline) < 0.3]
    stamp_left = min(c["x0"] for c in chars if c["text"] in "张三" and abs(c["baseline"] - stamp.baseline) < 0.3)
    assert stamp_left - max(c["x1"] for c in post) == pytest.approx(2 * CHAR, abs=1.2)  # 左空二字 (the stamp's frame outside)
    body_foot = page.find("起施行").baseline
    assert stamp.baseline - body_foot == pytest.approx(3 * PITCH, abs=0.3)  # 空二行
    written = next(line for line in page.lines if line.text == "2026年1月5日")
    assert written.right == pytest.approx(BLOCK_RIGHT - 4 * CHAR, abs=0.5)
    assert written.baseline - stamp.baseline == pytest.approx(2 * PITCH, abs=0.3)  # 空一行


def _segments(pdf: bytes, baseline: float, page_index: int = 0) -> list[dict]:
    """The runs of text on one line of a page, split where more than a character's width is blank."""
    segments: list[dict] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[page_index]
        chars = sorted((c for c in page.chars if abs((float(page.height) - c["matrix"][5]) * 25.4 / 72 - baseline) < 0.3),
                       key=lambda c: c["x0"])
        for c in chars:
            left, right = c["x0"] * 25.4 / 72, c["x1"] * 25.4 / 72
            font = c["fontname"].split("+", 1)[-1]
            if segments and left - segments[-1]["right"] < CHAR:
                segments[-1].update(text=segments[-1]["text"] + c["text"], right=right)
                segments[-1]["fonts"].add(font)
            else:
                segments.append({"text": c["text"], "left": left, "right": right, "fonts": {font}})
    return segments


def _chars(pdf: bytes) -> list[dict]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        return [{"text": c["text"], "x0": c["x0"] * 25.4 / 72, "x1": c["x1"] * 25.4 / 72,
                 "baseline": round((float(page.height) - c["matrix"][5]) * 25.4 / 72, 1)} for c in page.chars]


# --- 10.3 纪要格式 -------------------------------------------------------------------------------

def test_minutes_mark_35_mm_under_the_block_top(minutes):
    mark = minutes[0].find("局长办公会议纪要")
    assert mark.colors == {L.RED_RGB} and mark.text.endswith("纪要")
    assert _em_top(mark) == pytest.approx(BLOCK_TOP + L.MARK_TOP_MM, abs=1)
    assert mark.centre == pytest.approx(BLOCK_CENTRE, abs=1)


def test_minutes_attendance_one_line_under_the_text_two_characters_in_in_order(minutes):
    lines = [line for page in minutes for line in page.lines]
    present = next(line for line in lines if line.text.startswith("出席："))
    assert present.left == pytest.approx(BLOCK_LEFT + 2 * CHAR, abs=0.5)
    assert _font("heiti") in present.fonts and _font("fangsong") in present.fonts  # 出席 in 黑体, names in 仿宋
    page = next(page for page in minutes if present in page.lines)
    text_above = max((line for line in page.lines if line.baseline < present.baseline), key=lambda line: line.baseline)
    assert present.baseline - text_above.baseline == pytest.approx(2 * PITCH, abs=0.3)  # 空一行
    wrapped = lines[lines.index(present) + 1]
    assert wrapped.left == pytest.approx(BLOCK_LEFT + 5 * CHAR, abs=0.5)  # under the first name, after "出席："
    order = [line.text[:3] for line in lines if line.text[:3] in ("出席：", "请假：", "列席：")]
    assert order == ["出席：", "请假：", "列席："]
    assert not any(line.text == "××市水务局" for line in lines)  # no 署名 in minutes


# --- 联合行文 -------------------------------------------------------------------------------------

def test_joint_marks_stack_the_issuers_lead_first_with_the_word_文件_centred_on_them(joint):
    page = joint[0]
    marks = [line for line in page.lines if line.colors == {L.RED_RGB}]
    texts = [line.text for line in marks]
    assert texts[0] == "××市水务局" and texts[1] == "××市生态环境局文件" and texts[2] == "××市财政局"
    lefts = {round(line.left, 0) for line in marks}
    assert len(lefts) == 1  # one column of names, each as wide as the longest
    names_right = [line.right for line in marks]
    assert names_right[0] == pytest.approx(names_right[2], abs=0.5)
    assert _em_top(marks[0]) == pytest.approx(BLOCK_TOP + L.MARK_TOP_MM, abs=1)
    # "文件" sits on the middle name's line: its em square centred on the column of names.
    suffix_centre = (_em_top(marks[1]) + _em_foot(marks[1])) / 2
    names_centre = (_em_top(marks[0]) + _em_foot(marks[-1])) / 2
    assert suffix_centre == pytest.approx(names_centre, abs=0.5)
    assert marks[1].right > names_right[0] + 2 * L.pt_to_mm(marks[1].size) - 1  # to the right of the names
    number = page.find("市水函〔2026〕3号")
    [rule] = _red(page)
    assert number.baseline > _em_foot(marks[-1]) + 2 * PITCH
    assert rule["top"] - _em_foot(number) == pytest.approx(L.RED_RULE_GAP_MM, abs=1)


def test_joint_sealed_signatures_in_rows_the_last_over_the_date(joint):
    lines = [line for page in joint for line in page.lines]
    written = next(line for line in lines if line.text == "2026年1月5日")
    assert written.right == pytest.approx(BLOCK_RIGHT - 4 * CHAR, abs=0.5)
    last = next(line for line in lines if line.text == "××市财政局" and line.colors != {L.RED_RGB})
    assert last.centre == pytest.approx(written.centre, abs=0.5)
    assert written.baseline - last.baseline == pytest.approx(PITCH, abs=0.3)
    [row] = [line for line in lines if "××市水务局" in line.text and "××市生态环境局" in line.text]  # the first row: two 署名
    with pdfplumber.open(io.BytesIO(render_pdf(JOINT))) as document:
        page = document.pages[-1]
        chars = [c for c in page.chars if abs((float(page.height) - c["matrix"][5]) * 25.4 / 72 - row.baseline) < 0.3]
    first = [c for c in chars if c["x0"] * 25.4 / 72 < row.centre]
    second = [c for c in chars if c["x0"] * 25.4 / 72 >= row.centre]
    centre = lambda cs: (cs[0]["x0"] + cs[-1]["x1"]) / 2 * 25.4 / 72  # noqa: E731
    assert "".join(c["text"] for c in first) == "××市水务局" and "".join(c["text"] for c in second) == "××市生态环境局"
    assert centre(second) - centre(first) == pytest.approx(56.0, abs=0.5)  # seals 42 mm across never touch
    assert centre(first) - 21 >= BLOCK_LEFT - 0.1  # and stay inside the block
    assert last.baseline - row.baseline == pytest.approx(5 * PITCH, abs=0.3)
    assert centre(second) == pytest.approx(last.centre, abs=0.5)  # rows aligned


def test_joint_unsealed_signatures_lead_first_one_under_another():
    pages = _pages(render_pdf(dataclasses.replace(JOINT, sealed=False)))
    lines = [line for page in pages for line in page.lines]
    names = [line for line in lines if line.text in ("××市水务局", "××市生态环境局", "××市财政局") and line.colors != {L.RED_RGB}]
    assert [line.text for line in names] == ["××市水务局", "××市生态环境局", "××市财政局"]
    pitches = [b.baseline - a.baseline for a, b in zip(names, names[1:], strict=False)]
    assert pitches == pytest.approx([PITCH, PITCH], abs=0.3)
    assert {round(line.left, 1) for line in names} == {round(names[0].left, 1)}


# --- 7.2.1 份号 ------------------------------------------------------------------------------------

def test_several_copies_each_carry_their_own_copy_number_and_page_numbers():
    single = _pages(render_pdf(LETTER))
    copies = _pages(render_pdf_copies([dataclasses.replace(LETTER, copy_number=f"{n:06d}") for n in (1, 2, 3)]))
    assert len(copies) == 3 * len(single)
    firsts = copies[:: len(single)]
    assert [page.find("市水函〔2026〕3号").text.split("市水函")[0] for page in firsts] == ["000001", "000002", "000003"]
    for page in firsts:
        assert page.find("00000").left == pytest.approx(BLOCK_LEFT, abs=0.5)
    # Each copy numbers its own pages: the second page of every copy is "— 2 —".
    numbers = [line.text for page in copies for line in page.lines if line.text.startswith(L.PAGE_NUMBER_DASH)]
    assert numbers == [L.page_number_text(n) for n in range(2, len(single) + 1)] * 3


@pytest.mark.django_db
def test_a_classified_document_downloads_as_its_numbered_copies(classified, client_for):  # noqa: F811
    org = classified
    document = draft_notice(org, secrecy=3, secrecy_period="1年", copies=3, title="关于核查取水许可的通知")
    response = client_for(org.people["drafter"]).get(reverse("documents:rendered", args=[document.pk, "pdf"]))
    assert response.status_code == 200
    pages = _pages(response.content)
    numbers = [page.lines[0].text for page in pages if page.lines and page.lines[0].text.isdigit()]
    assert numbers == ["000001", "000002", "000003"]
    assert [line.text for line in pages[0].lines[:2]] == ["000001", "秘密★1年"]


# --- the layout as an element of the document ------------------------------------------------------

@pytest.mark.django_db
def test_the_layout_follows_the_document_type_unless_chosen_and_bad_elements_are_refused(org):
    letter = draft_notice(org, doc_type="函", title="关于商请提供水文资料的函")
    assert (letter.print_layout, queries.printed(letter).layout, queries.printed(letter).issuer_mark) == ("letter", "letter", "市水务局")
    order = draft_notice(org, doc_type="命令", title="市水务局令", signatories="局长 张局长")
    printed = queries.printed(order)
    assert (printed.layout, printed.issuer_mark, printed.signatories) == ("order", "市水务局令", (("局长", "张局长"),))
    minutes = draft_notice(org, doc_type="纪要", title="局长办公会议纪要", attendance="出席：张局长、办公室主任\n列席：文书小刘")
    assert queries.printed(minutes).attendance == (("出席", "张局长、办公室主任"), ("列席", "文书小刘"))
    joint = draft_notice(org, layout="standard", doc_type="函", co_issuers="东区水务局\n西区水务局")
    assert (queries.printed(joint).layout, queries.printed(joint).co_issuers) == ("standard", ("东区水务局", "西区水务局"))
    before = Document.objects.count()
    for bad, field in (({"layout": "poster"}, "layout"), ({"attendance": "到会：张局长"}, "attendance"),
                       ({"signatories": "张局长"}, "signatories"), ({"copies": 10_000}, "copies")):
        with pytest.raises(services.ServiceError) as refused:
            draft_notice(org, **bad)
        assert field in refused.value.fields
    assert Document.objects.count() == before


@pytest.mark.django_db
def test_the_drafting_page_offers_the_layout_and_joint_issuers_and_the_pdf_follows_them(org, client_for):
    from zhengtong.apps.documents.tests.conftest import form_post

    drafter = client_for(org.people["drafter"])
    page = drafter.get(reverse("documents:create")).content.decode()
    assert "版式" in page and "信函格式" in page and "联合发文机关" in page and "印制份数" in page
    response = form_post(drafter, reverse("documents:create"), {
        "doc_type": "通知", "title": "关于联合开展河湖清障行动的通知", "body": "请各单位按要求开展清障行动。", "issuer_code": "市水发",
        "classification": 0, "secrecy": 0, "layout": "standard", "co_issuers": "东区水务局\n西区水务局"})
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(title="关于联合开展河湖清障行动的通知")
    pages = _pages(drafter.get(reverse("documents:rendered", args=[document.pk, "pdf"])).content)
    marks = [line.text for line in pages[0].lines if line.colors == {L.RED_RGB}]
    assert marks == ["市水务局", "东区水务局文件", "西区水务局"]
    refused = form_post(drafter, reverse("documents:create"), {
        "doc_type": "纪要", "title": "局务会议纪要", "body": "", "classification": 0, "secrecy": 0, "attendance": "到会：张局长"})
    assert refused.status_code == 200 and "每行以“出席：”" in refused.content.decode()  # the form again, saying why
    assert not Document.objects.filter(title="局务会议纪要").exists()
