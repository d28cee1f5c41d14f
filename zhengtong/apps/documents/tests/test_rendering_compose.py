"""Line breaking of Chinese paragraphs: full lines of exactly the block width, Chinese line-breaking rules."""

from __future__ import annotations

import pytest

from zhengtong.apps.documents.rendering import layout as L
from zhengtong.apps.documents.rendering.compose import Run, compose, text_width_pt

WIDTH = L.BLOCK_WIDTH_MM * L.PT_PER_MM


def _lines(text: str, indent_chars: int = 0):
    return compose(
        [Run(text, L.BODY_ROLE)],
        width_pt=WIDTH,
        size_pt=L.BODY_SIZE_PT,
        letter_spacing_pt=L.BODY_LETTER_SPACING_PT,
        first_indent_pt=indent_chars * L.CHAR_ADVANCE_PT,
    )


def _drawn_width(line) -> float:
    """From the line's start to the end of its last character (no spacing after the last)."""
    natural = sum(text_width_pt(run.text, run.role, size_pt=L.BODY_SIZE_PT, letter_spacing_pt=0) for run in line.runs)
    return line.indent_pt + natural + (len(line.text) - 1) * line.letter_spacing_pt


def test_plain_han_text_fills_28_characters_a_line():
    lines = _lines("国" * 100, indent_chars=2)
    assert [len(line.text) for line in lines] == [26, 28, 28, 18]


def test_punctuation_never_starts_a_line_and_full_lines_stay_full_width():
    # The 29th character is a comma: the 28th character moves down with it.
    text = "国" * 27 + "家，" + "国" * 40
    lines = _lines(text)
    assert lines[0].text == "国" * 27
    assert lines[1].text.startswith("家，")
    full_line_width = _drawn_width(_lines("国" * 60)[0])
    assert _drawn_width(lines[0]) == pytest.approx(full_line_width, abs=0.01)


def test_opening_bracket_never_ends_a_line():
    lines = _lines("国" * 27 + "《水法》" + "国" * 30)
    assert not lines[0].text.endswith("《")
    assert lines[1].text.startswith("《")


def test_numbers_are_not_split_and_lines_with_digits_hold_more_characters():
    for position in range(22, 28):
        lines = _lines("国" * position + "2026年" + "国" * 30)
        for line, following in zip(lines, lines[1:], strict=False):
            assert not (line.text[-1].isdigit() and following.text[0].isdigit()), (line.text, following.text)
    assert len(_lines("国" * 20 + "20262026" + "国" * 30)[0].text) > L.CHARS_PER_LINE


def test_heading_runs_keep_their_roles():
    lines = compose(
        [Run(text, role) for text, role in L.split_heading("（一）加强组织领导。" + "国" * 40)],
        width_pt=WIDTH,
        size_pt=L.BODY_SIZE_PT,
        letter_spacing_pt=L.BODY_LETTER_SPACING_PT,
    )
    assert lines[0].runs[0] == Run("（一）加强组织领导。", L.KAITI)
    assert lines[0].runs[1].role == L.FANGSONG


def test_an_email_address_moves_to_the_next_line_whole():
    address = "shuiwu.office@example.gov.cn"
    lines = _lines("国" * 20 + "请发送至" + address + "。")
    assert [line.text for line in lines] == ["国" * 20 + "请发送至", address + "。"]
    # The line it left is not stretched by more than the composer allows: it stays ragged.
    assert lines[0].letter_spacing_pt == pytest.approx(L.BODY_LETTER_SPACING_PT)


def test_a_url_is_kept_whole_but_its_trailing_punctuation_may_follow_the_rules():
    url = "https://www.example.gov.cn/zwgk/2026/notice.html"
    lines = _lines("国" * 25 + url + "，请查阅。")
    assert any(line.text.startswith(url) for line in lines)
    assert not any(line.text.startswith("，") for line in lines)


def test_an_address_longer_than_a_line_still_breaks_inside_the_block():
    url = "https://www.example.gov.cn/" + "a" * 120
    lines = _lines(url)
    assert "".join(line.text for line in lines) == url
    assert all(_drawn_width(line) <= WIDTH + 0.5 for line in lines)


def test_script_gaps_keep_room_where_chinese_meets_digits():
    text = "国" * 20 + "2026年" + "国" * 20
    plain = _lines(text)
    spaced = compose(
        [Run(text, L.BODY_ROLE)], width_pt=WIDTH, size_pt=L.BODY_SIZE_PT, letter_spacing_pt=L.BODY_LETTER_SPACING_PT, script_gap_pt=3.2
    )
    # Same break, but the stretch leaves the two gaps of 3.2 pt free for the renderer that adds them.
    assert plain[0].text == spaced[0].text
    assert _drawn_width(plain[0]) == pytest.approx(WIDTH, abs=0.3)
    assert _drawn_width(spaced[0]) + 2 * 3.2 == pytest.approx(WIDTH, abs=0.3)
    assert "".join(line.text for line in spaced) == text
