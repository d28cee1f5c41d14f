"""The GB/T 9704-2012 page, as numbers both renderers share.

Every dimension below comes from a clause of the standard (cited) or is derived from such
numbers by arithmetic; the few choices the standard leaves open are marked "house choice".
Lengths are millimetres (``_MM``) or points (``_PT``); vertical positions on the first page
are measured from the top edge of the 版心 (text block).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .content import PrintedDocument
from .fonts import FANGSONG, HEITI, KAITI, ROLES, SONGTI, XIAOBIAOSONG, font_roles, role_font  # noqa: F401 - re-exported

PT_PER_MM = 72 / 25.4

# Chinese type sizes (字号) in points.
SIZE_CHUHAO_PT = 42.0  # 初号
SIZE_ERHAO_PT = 22.0  # 2号
SIZE_SANHAO_PT = 16.0  # 3号
SIZE_SIHAO_PT = 14.0  # 4号

# 5.2.1 A4 paper.
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
# 5.2.2 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm; the right and bottom margins follow.
TOP_MARGIN_MM = 37.0
LEFT_MARGIN_MM = 28.0
BLOCK_WIDTH_MM = 156.0
BLOCK_HEIGHT_MM = 225.0
RIGHT_MARGIN_MM = PAGE_WIDTH_MM - LEFT_MARGIN_MM - BLOCK_WIDTH_MM  # 26 mm
BOTTOM_MARGIN_MM = PAGE_HEIGHT_MM - TOP_MARGIN_MM - BLOCK_HEIGHT_MM  # 35 mm

# 5.2.4 22 lines of 28 characters fill the block, so one line and one character are:
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH_MM = BLOCK_HEIGHT_MM / LINES_PER_PAGE  # ≈ 10.227 mm ≈ 28.99 pt
CHAR_ADVANCE_MM = BLOCK_WIDTH_MM / CHARS_PER_LINE  # ≈ 5.571 mm ≈ 15.79 pt
LINE_PITCH_PT = LINE_PITCH_MM * PT_PER_MM
CHAR_ADVANCE_PT = CHAR_ADVANCE_MM * PT_PER_MM

# 5.2.3 body text: 3号仿宋. 28 em-square characters of 16 pt would need ≈ 158 mm, so each one
# is tightened by a (negative) letter spacing to the 156/28 mm advance.
BODY_ROLE = FANGSONG
BODY_SIZE_PT = SIZE_SANHAO_PT
BODY_LETTER_SPACING_PT = CHAR_ADVANCE_PT - BODY_SIZE_PT  # ≈ −0.21 pt

# 5.2.5 text is black; 7.2.4 and 7.2.7 the 版头 mark and its rule are red (house choice: pure red).
TEXT_COLOR = "#000000"
RED = "#FF0000"
RED_RGB = (1.0, 0.0, 0.0)

# 7.2.1–7.2.3 份号, 密级和保密期限, 紧急程度: 3号黑体, flush left, one per line from the top of
# the block, in that order.
HEADER_FIELDS_ROLE = HEITI
HEADER_FIELDS_SIZE_PT = SIZE_SANHAO_PT

# 7.2.4 发文机关标志: centred, red 小标宋, its top edge 35 mm below the top of the block. The 2012
# edition leaves the size to "醒目、美观、庄重"; house choice: 初号 (≈ 14.8 mm, inside the 15 mm
# height cap of the 1999 edition), smaller when a long name would not fit the block width.
MARK_TOP_MM = 35.0
MARK_ROLE = XIAOBIAOSONG
MARK_MAX_SIZE_PT = SIZE_CHUHAO_PT

# 7.2.5 发文字号: two blank lines under the mark, centred; for 上行文 one character in from the
# left, on the line of the last 签发人.
NUMBER_GAP_LINES = 2
NUMBER_ROLE = FANGSONG
UPWARD_NUMBER_INDENT_CHARS = 1

# 7.2.6 签发人: "签发人：" in 3号仿宋, names in 3号楷体, one character in from the right, two names a line.
SIGNER_LABEL = "签发人："
SIGNER_LABEL_ROLE = FANGSONG
SIGNER_NAME_ROLE = KAITI
SIGNER_RIGHT_CHARS = 1
SIGNERS_PER_LINE = 2

# 7.2.7 a red rule as wide as the block, 4 mm under the 发文字号. Its thickness is not fixed;
# house choice: the 0.35 mm of the 版记's thick rules (7.4.1).
RED_RULE_GAP_MM = 4.0
RED_RULE_THICKNESS_MM = 0.35

# 7.3.1 标题: 2号小标宋, centred, two blank lines under the red rule.
TITLE_GAP_LINES = 2
TITLE_ROLE = XIAOBIAOSONG
TITLE_SIZE_PT = SIZE_ERHAO_PT

# 7.3.2 主送机关: one blank line under the title, flush left, ending with a full-width colon.
RECIPIENTS_GAP_LINES = 1

# 7.3.3 正文: the line after the recipients; each paragraph indented two characters. Level-1
# headings ("一、") in 黑体, level-2 ("（一）") in 楷体, levels 3 and 4 in 仿宋.
PARAGRAPH_INDENT_CHARS = 2
LEVEL1_HEADING = re.compile(r"^[一二三四五六七八九十百]+、")
LEVEL2_HEADING = re.compile(r"^（[一二三四五六七八九十百]+）")
LEVEL1_ROLE = HEITI
LEVEL2_ROLE = KAITI

# 7.3.4 附件说明: one blank line under the body, two characters in: "附件：" then the names,
# numbered "1." … when there are several, no closing punctuation.
ATTACHMENTS_GAP_LINES = 1
ATTACHMENTS_INDENT_CHARS = 2
ATTACHMENTS_LABEL = "附件："

# 7.3.5.1 sealed: the date four characters in from the right, the issuer centred above it, the
# seal pressing on both with its top within one line of the text above. House arithmetic for a
# 42 mm seal: with two blank lines the seal's top (21 mm above its centre, which sits on the top
# of the signature line) lands inside the first blank line.
SEALED_DATE_RIGHT_CHARS = 4
SEAL_DIAMETER_MM = 42.0
SEALED_GAP_LINES = 2
# Where the seal's centre sits: 1 mm under the top of the 署名 line, so the 署名 and the date lie
# "居印章中心偏下" and the seal's top (20 mm above the 署名 line, 0.45 mm into the first blank line)
# is within one line of the text above without touching it. Horizontally it is centred on the
# 署名/date block, which is centred on the date ("以成文日期为准居中").
SEAL_CENTRE_BELOW_SIGNATURE_MM = 1.0
# 7.3.5.2 unsealed: one blank line, the issuer two characters in from the right, the date on the
# next line starting two characters further right (or two in from the right if it is longer).
UNSEALED_GAP_LINES = 1
UNSEALED_SIGNATURE_RIGHT_CHARS = 2
UNSEALED_DATE_SHIFT_CHARS = 2

# 7.3.6 附注: the line after the date, two characters in, in parentheses.
NOTE_INDENT_CHARS = 2

# 7.4 版记: 4号仿宋 between rules as wide as the block, first and last 0.35 mm, those between
# 0.25 mm; the last rule lies on the bottom edge of the block of the last page. 抄送 one
# character in on both sides; 印发机关 one character in from the left, the date one from the right.
COLOPHON_ROLE = FANGSONG
COLOPHON_SIZE_PT = SIZE_SIHAO_PT
COLOPHON_THICK_RULE_MM = 0.35
COLOPHON_THIN_RULE_MM = 0.25
COLOPHON_SIDE_CHARS = 1
COPIED_TO_LABEL = "抄送："
PRINTED_SUFFIX = "印发"

# 7.5 页码: 4号半角宋体 digits between two 一字线, the dash's top 7 mm under the block, odd pages
# one character in from the right, even pages one character in from the left.
PAGE_NUMBER_ROLE = SONGTI
PAGE_NUMBER_SIZE_PT = SIZE_SIHAO_PT
PAGE_NUMBER_GAP_MM = 7.0
PAGE_NUMBER_SIDE_CHARS = 1
PAGE_NUMBER_DASH = "—"

# A draft has no number yet: this marker stands where the 发文字号 will go.
DRAFT_MARKER = "草稿"


@dataclass(frozen=True)
class SealPlacement:
    """The seal's square, relative to the 署名/date block: its top from the top of the 署名 line,
    its left from the block's horizontal centre (both mm, negative: above / to the left)."""

    diameter_mm: float
    top_mm: float
    left_mm: float


def seal_placement() -> SealPlacement:
    """7.3.5.1: 印章端正、居中下压发文机关署名和成文日期, its top within one line of the text above."""
    radius = SEAL_DIAMETER_MM / 2
    return SealPlacement(diameter_mm=SEAL_DIAMETER_MM, top_mm=SEAL_CENTRE_BELOW_SIGNATURE_MM - radius, left_mm=-radius)


def pt_to_mm(points: float) -> float:
    return points / PT_PER_MM


def chinese_date(day: date) -> str:
    """7.3.5.4: Arabic digits, the full year, no leading zeros: 2026年1月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def page_number_text(number: int) -> str:
    return f"{PAGE_NUMBER_DASH} {number} {PAGE_NUMBER_DASH}"


def heading_role(paragraph: str) -> str | None:
    if LEVEL1_HEADING.match(paragraph):
        return LEVEL1_ROLE
    if LEVEL2_HEADING.match(paragraph):
        return LEVEL2_ROLE
    return None


def split_heading(paragraph: str) -> list[tuple[str, str]]:
    """The paragraph as (text, role) runs: a heading sentence in its typeface, the rest in 仿宋.

    "（一）加强领导。各单位要……" prints "（一）加强领导。" in 楷体 and the rest as body text.
    """
    role = heading_role(paragraph)
    if role is None:
        return [(paragraph, BODY_ROLE)]
    end = paragraph.find("。") + 1
    if end == 0 or end == len(paragraph):
        return [(paragraph, role)]
    return [(paragraph[:end], role), (paragraph[end:], BODY_ROLE)]


def recipients_text(recipients: str) -> str:
    recipients = recipients.strip().rstrip("：:")
    return f"{recipients}：" if recipients else ""


def copied_to_text(copied_to: str) -> str:
    """7.4.2: "抄送：" and the names, a full stop after the last."""
    names = copied_to.strip().rstrip("。.")
    return f"{COPIED_TO_LABEL}{names}。" if names else ""


def note_text(note: str) -> str:
    note = note.strip().removeprefix("（").removesuffix("）")
    return f"（{note}）" if note else ""


def attachment_lines(attachments: tuple[str, ...]) -> list[str]:
    """7.3.4: one name plain, several numbered "1." …; closing punctuation is dropped."""
    names = [name.strip().rstrip("。；;，,") for name in attachments if name.strip()]
    if len(names) == 1:
        return names
    return [f"{position}.{name}" for position, name in enumerate(names, start=1)]


def header_field_lines(doc: PrintedDocument) -> list[str]:
    """7.2.1–7.2.3: 份号, 密级和保密期限, 紧急程度, each on its own line when present."""
    return [value for value in (doc.copy_number, doc.secrecy, doc.urgency) if value]


def signer_lines(signers: tuple[str, ...]) -> list[list[str]]:
    return [list(signers[start : start + SIGNERS_PER_LINE]) for start in range(0, len(signers), SIGNERS_PER_LINE)]


@dataclass(frozen=True)
class Header:
    """Vertical positions of the first page's 版头, in mm from the top of the text block."""

    mark_size_pt: float
    mark_top_mm: float
    number_line_top_mm: float  # top of the first 发文字号/签发人 line box (one line pitch high)
    number_lines: int  # how many lines the 发文字号/签发人 area takes (more with many 签发人)
    red_rule_top_mm: float
    title_top_mm: float  # top of the title's first line box

    @property
    def height_mm(self) -> float:
        return self.title_top_mm


def mark_size_pt(mark: str) -> float:
    """初号, or smaller so that the whole 发文机关标志 fits on one line of the block."""
    characters = max(len(mark.strip()), 1)
    return min(MARK_MAX_SIZE_PT, BLOCK_WIDTH_MM * PT_PER_MM / characters)


def header(doc: PrintedDocument) -> Header:
    size = mark_size_pt(doc.issuer_mark)
    number_top = MARK_TOP_MM + pt_to_mm(size) + NUMBER_GAP_LINES * LINE_PITCH_MM
    number_lines = max(1, len(signer_lines(doc.signers)))
    # The rule is measured from the foot of the number's characters; they sit centred in their
    # line box, so half the leading separates their foot from the bottom of the box.
    last_line_top = number_top + (number_lines - 1) * LINE_PITCH_MM
    characters_foot = last_line_top + (LINE_PITCH_MM + pt_to_mm(BODY_SIZE_PT)) / 2
    rule_top = characters_foot + RED_RULE_GAP_MM
    title_top = rule_top + RED_RULE_THICKNESS_MM + TITLE_GAP_LINES * LINE_PITCH_MM
    return Header(
        mark_size_pt=size,
        mark_top_mm=MARK_TOP_MM,
        number_line_top_mm=number_top,
        number_lines=number_lines,
        red_rule_top_mm=rule_top,
        title_top_mm=title_top,
    )


def title_lines(title: str) -> list[str]:
    """The title as the author broke it (7.3.1 asks for a trapezoid or diamond, a human choice)."""
    return [line.strip() for line in title.splitlines() if line.strip()] or [""]
