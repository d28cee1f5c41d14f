"""GB/T 9704-2012 §10 特定格式 and 联合行文, as numbers the renderers share.

信函格式 (10.1), 命令(令)格式 (10.2), 纪要格式 (10.3), and the joint-issuer variants of the
发文机关标志 (7.2.4) and the 署名 with seals (7.3.5.1–7.3.5.3). Like ``layout``, every length
is a clause of the standard (cited) or arithmetic on one; what the standard leaves open is
marked "house choice". Vertical positions are mm from the top edge of the 版心 and may be
negative (the 信函 mark sits in the top margin).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import layout as L
from .compose import script_changes, text_width_pt
from .content import PrintedDocument

STANDARD, LETTER, ORDER, MINUTES = "standard", "letter", "order", "minutes"
LAYOUTS = (STANDARD, LETTER, ORDER, MINUTES)

# "3号汉字高度的7/8": the distance 10.1 keeps between the 信函 double lines and the text next to them.
SEVEN_EIGHTHS_MM = 7 / 8 * L.pt_to_mm(L.SIZE_SANHAO_PT)  # ≈ 4.94 mm

# 10.1 信函格式: the mark's top edge 30 mm under the top edge of the page; a red double line
# (thick above, thin below) 4 mm under the mark and another (thin above, thick below) 20 mm above
# the bottom edge of the page, both 170 mm long and centred (house choice: on the 版心, like the
# mark). Line weights are not given; house choice: 1 mm and 0.35 mm, 0.7 mm apart.
LETTER_MARK_TOP_FROM_PAGE_MM = 30.0
LETTER_RULE_GAP_MM = 4.0
LETTER_BOTTOM_RULE_FROM_PAGE_MM = 20.0
LETTER_RULE_LENGTH_MM = 170.0
LETTER_THICK_MM = 1.0
LETTER_THIN_MM = 0.35
LETTER_RULE_SPACE_MM = 0.7
LETTER_DOUBLE_MM = LETTER_THICK_MM + LETTER_RULE_SPACE_MM + LETTER_THIN_MM
LETTER_TITLE_GAP_LINES = 2

# 10.2 命令(令)格式: the mark (organ + "令"/"命令") 20 mm under the top of the block; 令号 two blank
# lines under it, centred; the text two blank lines under the 令号.
ORDER_MARK_TOP_MM = 20.0
ORDER_NUMBER_GAP_LINES = 2
ORDER_BODY_GAP_LINES = 2
# 7.3.5.3 签发人签名章: two blank lines under the text, the stamp four characters in from the right,
# the 职务 two characters left of it, the date one blank line under the stamp, four in from the
# right; joint orders stack one organ a line, lead first. The stamp is red; house choice: the
# signer's name in red 楷体 framed, standing in for the stamp image.
ORDER_SIGNATURE_GAP_LINES = 2
ORDER_STAMP_RIGHT_CHARS = 4
ORDER_TITLE_GAP_CHARS = 2
ORDER_DATE_GAP_LINES = 1
ORDER_DATE_RIGHT_CHARS = 4

# 10.3 纪要格式: the mark "……纪要" 35 mm under the top of the block (as 7.2.4); 出席, 请假, 列席 one
# blank line under the text, two characters in, the label in 3号黑体 with a full-width colon and
# the names in 3号仿宋, wrapped lines aligned with the first name. "纪要格式可以根据实际制定": house
# choice, the 发文字号 line (期号) and red rule of 7.2 stay; there is no 署名 or seal.
MINUTES_LABELS = ("出席", "请假", "列席")
MINUTES_GAP_LINES = 1
MINUTES_INDENT_CHARS = 2
MINUTES_LABEL_ROLE = L.HEITI

# 7.2.4 联合行文: the organs' names one under another, the lead first, "文件" to their right and
# centred on them vertically. House choices: the names set to one width (the longest), 1.25
# mark sizes apart.
JOINT_SUFFIX = "文件"
JOINT_NAME_PITCH = 1.25

# 7.3.5.1 sealed joint 署名: the 署名 in order, one seal centred on each, the last pressing the
# last 署名 and the date; seals in rows, neither crossing nor touching, no row wider than the
# block. House choice: two a row, centres 56 mm apart (a 42 mm seal and 14 mm of paper), rows
# five lines apart (51 mm > 42 mm); the last organ ends the last row, over the date.
JOINT_SEALS_PER_ROW = 2
JOINT_SEAL_PITCH_MM = 56.0
JOINT_ROW_LINES = 5


def layout_of(doc: PrintedDocument) -> str:
    return doc.layout if doc.layout in LAYOUTS else STANDARD


def issuer_names(doc: PrintedDocument) -> list[str]:
    """联合行文: the lead organ's name (its mark without "文件") and the others', in order."""
    lead = doc.issuer_mark.strip().removesuffix(JOINT_SUFFIX)
    return [lead, *(name.strip() for name in doc.co_issuers if name.strip())]


def signatures(doc: PrintedDocument) -> list[str]:
    """The 署名 lines: the lead's, then each co-issuer's (7.3.5)."""
    return [doc.issuer_signature, *(name.strip() for name in doc.co_issuers if name.strip())]


@dataclass(frozen=True)
class JointMark:
    names: tuple[str, ...]
    suffix: str  # "文件", or "" when the lead's mark has none
    size_pt: float
    spacings_pt: tuple[float, ...]  # letter spacing making each name as wide as the longest
    name_width_pt: float
    pitch_mm: float

    @property
    def height_mm(self) -> float:
        return L.pt_to_mm(self.size_pt) + (len(self.names) - 1) * self.pitch_mm

    @property
    def gap_mm(self) -> float:
        return self.pitch_mm - L.pt_to_mm(self.size_pt)

    @property
    def rows(self) -> list[tuple[str, float]]:
        return list(zip(self.names, self.spacings_pt, strict=True))

    @property
    def left_pt(self) -> float:
        """The names' left edge from the left of the block: names and suffix centred as one group."""
        suffix_width = len(self.suffix) * self.size_pt
        return (L.BLOCK_WIDTH_MM * L.PT_PER_MM - self.name_width_pt - suffix_width) / 2

    @property
    def suffix_left_pt(self) -> float:
        return self.left_pt + self.name_width_pt

    @property
    def suffix_top_mm(self) -> float:
        """The suffix's top, from the top of the first name: centred on the names."""
        return (self.height_mm - L.pt_to_mm(self.size_pt)) / 2


def joint_mark(doc: PrintedDocument) -> JointMark | None:
    names = issuer_names(doc)
    if len(names) < 2:
        return None
    suffix = JOINT_SUFFIX if doc.issuer_mark.strip().endswith(JOINT_SUFFIX) else ""
    longest = max(len(name) for name in names)
    size = min(L.MARK_MAX_SIZE_PT, L.BLOCK_WIDTH_MM * L.PT_PER_MM / (longest + len(suffix)))
    widths = [text_width_pt(name, L.MARK_ROLE, size_pt=size, letter_spacing_pt=0.0) for name in names]
    width = max(widths)
    spacings = tuple((width - w) / (len(name) - 1) if len(name) > 1 else 0.0 for name, w in zip(names, widths, strict=True))
    return JointMark(tuple(names), suffix, size, spacings, width, JOINT_NAME_PITCH * L.pt_to_mm(size))


def header(doc: PrintedDocument) -> L.Header:
    """7.2's 版头 for the standard and 纪要 layouts, taller by the extra names of a joint mark."""
    head = L.header(doc)
    mark = joint_mark(doc)
    if mark is None:
        return head
    extra = mark.height_mm - L.pt_to_mm(head.mark_size_pt)
    return L.Header(mark_size_pt=mark.size_pt, mark_top_mm=head.mark_top_mm, number_line_top_mm=head.number_line_top_mm + extra,
                    number_lines=head.number_lines, red_rule_top_mm=head.red_rule_top_mm + extra,
                    title_top_mm=head.title_top_mm + extra)


@dataclass(frozen=True)
class LetterHeader:
    mark_size_pt: float
    mark_top_mm: float
    rule_top_mm: float  # top of the first double line (its thick line)
    fields_top_mm: float  # top of the first 份号/密级/紧急程度 and 发文字号 line box
    title_top_mm: float
    bottom_rule_top_mm: float  # top of the second double line (its thin line), on the first page
    rule_left_mm: float  # from the left edge of the block (negative: the lines are wider than it)

    @property
    def height_mm(self) -> float:
        return self.title_top_mm

    @property
    def bottom_rule_margin_mm(self) -> float:
        """From the foot of the block (the top of the bottom margin, where it is drawn) to that line."""
        return self.bottom_rule_top_mm - L.BLOCK_HEIGHT_MM


def letter_header(doc: PrintedDocument) -> LetterHeader:
    size = L.mark_size_pt(doc.issuer_mark)
    mark_top = LETTER_MARK_TOP_FROM_PAGE_MM - L.TOP_MARGIN_MM
    rule_top = mark_top + L.pt_to_mm(size) + LETTER_RULE_GAP_MM
    # 7/8 of a character height from the line to the characters' top; they sit centred in a line box.
    half_leading = (L.LINE_PITCH_MM - L.pt_to_mm(L.BODY_SIZE_PT)) / 2
    fields_top = rule_top + LETTER_DOUBLE_MM + SEVEN_EIGHTHS_MM - half_leading
    lines = max(1, len(L.header_field_lines(doc)))
    title_top = fields_top + (lines + LETTER_TITLE_GAP_LINES) * L.LINE_PITCH_MM
    bottom_rule = L.PAGE_HEIGHT_MM - LETTER_BOTTOM_RULE_FROM_PAGE_MM - L.TOP_MARGIN_MM - LETTER_DOUBLE_MM
    return LetterHeader(size, mark_top, rule_top, fields_top, title_top, bottom_rule,
                        (L.BLOCK_WIDTH_MM - LETTER_RULE_LENGTH_MM) / 2)


@dataclass(frozen=True)
class OrderHeader:
    mark_size_pt: float
    mark_top_mm: float
    number_top_mm: float  # top of the 令号 line box

    @property
    def height_mm(self) -> float:
        """The text starts two blank lines under the 令号."""
        return self.number_top_mm + (1 + ORDER_BODY_GAP_LINES) * L.LINE_PITCH_MM


def order_header(doc: PrintedDocument) -> OrderHeader:
    size = L.mark_size_pt(doc.issuer_mark)
    number_top = ORDER_MARK_TOP_MM + L.pt_to_mm(size) + ORDER_NUMBER_GAP_LINES * L.LINE_PITCH_MM
    return OrderHeader(size, ORDER_MARK_TOP_MM, number_top)


def attendance_rows(doc: PrintedDocument) -> list[tuple[str, str]]:
    """10.3: 出席, then 请假, then 列席, each with its names, the empty ones left out."""
    given = {label: names.strip() for label, names in doc.attendance}
    return [(label, given[label]) for label in MINUTES_LABELS if given.get(label)]


# A 署名 is centred in a slot this wide around its seal's centre (wider than any 署名 line).
SEAL_SLOT_WIDTH_PT = 120 * L.PT_PER_MM


@dataclass(frozen=True)
class SealSlot:
    text: str
    centre_pt: float  # from the left edge of the block

    @property
    def left_pt(self) -> float:
        return self.centre_pt - SEAL_SLOT_WIDTH_PT / 2


def joint_seal_rows(doc: PrintedDocument, date_text: str, *, script_gap_pt: float = 0.0) -> list[list[SealSlot]]:
    """7.3.5.1 for several organs: rows of two 署名 in order, each row ending at the right slot, where
    the last organ's 署名 is centred over the date (four characters in from the right, as for one).
    ``script_gap_pt``: the space a renderer adds where the date changes between digits and Chinese."""
    names = signatures(doc)
    date_width = text_width_pt(date_text, L.BODY_ROLE, size_pt=L.BODY_SIZE_PT, letter_spacing_pt=L.BODY_LETTER_SPACING_PT)
    date_width += script_gap_pt * script_changes(date_text)
    right_centre = L.BLOCK_WIDTH_MM * L.PT_PER_MM - L.SEALED_DATE_RIGHT_CHARS * L.CHAR_ADVANCE_PT - date_width / 2
    pitch = JOINT_SEAL_PITCH_MM * L.PT_PER_MM
    rows = [names[start:start + JOINT_SEALS_PER_ROW] for start in range(0, len(names), JOINT_SEALS_PER_ROW)]
    return [[SealSlot(name, right_centre - (len(row) - 1 - index) * pitch) for index, name in enumerate(row)] for row in rows]


def lengths() -> dict[str, float]:
    """The lengths the print template needs, already multiplied out (mm or pt)."""
    return {
        "order_signature_gap_mm": ORDER_SIGNATURE_GAP_LINES * L.LINE_PITCH_MM,
        "order_stamp_right_pt": ORDER_STAMP_RIGHT_CHARS * L.CHAR_ADVANCE_PT,
        "order_title_gap_pt": ORDER_TITLE_GAP_CHARS * L.CHAR_ADVANCE_PT,
        "order_date_gap_mm": ORDER_DATE_GAP_LINES * L.LINE_PITCH_MM,
        "order_date_right_pt": ORDER_DATE_RIGHT_CHARS * L.CHAR_ADVANCE_PT,
        "minutes_gap_mm": MINUTES_GAP_LINES * L.LINE_PITCH_MM,
        "joint_row_gap_mm": (JOINT_ROW_LINES - 1) * L.LINE_PITCH_MM,
        "seal_slot_width_pt": SEAL_SLOT_WIDTH_PT,
    }
