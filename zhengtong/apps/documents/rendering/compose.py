"""Breaking Chinese paragraphs into full, justified lines for the PDF.

WeasyPrint justifies by widening spaces only, and Chinese text has none, so a browser-style
"text-align: justify" leaves ragged right edges wherever punctuation may not start a line.
This module breaks the lines itself, keeps the line-breaking rules of Chinese typesetting
(no "，" at a line start, no "（" at a line end, numbers kept whole) and gives each full line
the letter spacing that makes it exactly as wide as the text block, as Word and WPS do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .fonts import advance_em

# Characters that may not begin a line, and those that may not end one (GB/T 15834 usage).
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…—·%‰,.;:?!)]}")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")
# Narrow characters that belong to a number or a Latin word and must stay together.
WORD_CHARS = frozenset(".,:%‰-/+_'")

# E-mail addresses and URLs are never broken: the whole address moves to the next line (a reader
# who copies half an address gets a wrong one). ASCII only, so a Chinese full stop ends the match.
UNBREAKABLE = re.compile(
    r"(?:https?://|ftp://|www\.)[!-~]*[A-Za-z0-9/]"  # a URL, trailing ASCII punctuation left outside
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"  # an e-mail address
)

# A full line that would need more than this many characters' worth of extra spacing is left
# ragged rather than stretched (an unbreakable long token such as a URL).
MAX_STRETCH_CHARS = 3.0
_EPSILON_PT = 0.01


@dataclass(frozen=True)
class Run:
    text: str
    role: str


@dataclass(frozen=True)
class Line:
    runs: tuple[Run, ...]
    indent_pt: float
    letter_spacing_pt: float

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class _Token:
    text: str
    role: str
    width_pt: float


def _is_narrow_word_char(char: str) -> bool:
    return unicodedata.east_asian_width(char) not in ("W", "F", "A") and (char.isalnum() or char in WORD_CHARS)


def _tokens(runs: list[Run], size_pt: float, letter_spacing_pt: float) -> list[_Token]:
    """Break opportunities: between any two CJK characters, never inside a number or word."""
    tokens: list[_Token] = []
    for run in runs:
        glued = {index for match in UNBREAKABLE.finditer(run.text) for index in range(match.start() + 1, match.end())}
        pending = ""
        for index, char in enumerate(run.text):
            if index in glued or (_is_narrow_word_char(char) and pending and _is_narrow_word_char(pending[-1])):
                pending += char
                continue
            if pending:
                tokens.append(_token(pending, run.role, size_pt, letter_spacing_pt))
            pending = char
        if pending:
            tokens.append(_token(pending, run.role, size_pt, letter_spacing_pt))
    return tokens


def _token(text: str, role: str, size_pt: float, letter_spacing_pt: float) -> _Token:
    width = sum(advance_em(role, char) * size_pt + letter_spacing_pt for char in text)
    return _Token(text, role, width)


def text_width_pt(text: str, role: str, *, size_pt: float, letter_spacing_pt: float) -> float:
    """The advance of ``text`` set in ``role`` at ``size_pt``, letter spacing after every character."""
    return _token(text, role, size_pt, letter_spacing_pt).width_pt


def _break_allowed(before: _Token, after: _Token) -> bool:
    return after.text[0] not in NO_LINE_START and before.text[-1] not in NO_LINE_END


def compose(
    runs: list[Run],
    *,
    width_pt: float,
    size_pt: float,
    letter_spacing_pt: float,
    first_indent_pt: float = 0.0,
    rest_indent_pt: float = 0.0,
    script_gap_pt: float = 0.0,
) -> list[Line]:
    """The paragraph's lines; every line but the last is stretched to the full width.

    ``script_gap_pt`` is room kept free wherever Chinese meets Latin letters or digits, for a
    renderer that adds space there whatever the document says (LibreOffice, see docx.py).
    """
    tokens = _tokens([run for run in runs if run.text], size_pt, letter_spacing_pt)
    lines: list[Line] = []
    start = 0
    while start < len(tokens):
        indent = first_indent_pt if not lines else rest_indent_pt
        available = width_pt - indent
        end, used = start, 0.0
        while end < len(tokens):
            gap = script_gap_pt if end > start and _wide(tokens[end - 1].text[-1]) != _wide(tokens[end].text[0]) else 0.0
            if used + gap + tokens[end].width_pt > available + _EPSILON_PT:
                break
            used += gap + tokens[end].width_pt
            end += 1
        if end == start and len(tokens[start].text) > 1:
            # An address longer than a whole line: it has to break, character by character.
            tokens[start : start + 1] = [_token(char, tokens[start].role, size_pt, letter_spacing_pt) for char in tokens[start].text]
            continue
        end = max(end, start + 1)  # a token wider than the line still goes somewhere
        if end < len(tokens):
            # Push characters to the next line until the break is a permitted one.
            fitting = end
            while fitting > start + 1 and not _break_allowed(tokens[fitting - 1], tokens[fitting]):
                fitting -= 1
            if fitting > start + 1 or _break_allowed(tokens[start], tokens[start + 1]):
                end = fitting
        line_tokens = tokens[start:end]
        spacing = letter_spacing_pt
        if end < len(tokens):
            natural = sum(token.width_pt for token in line_tokens) + script_gap_pt * _script_changes(line_tokens)
            characters = sum(len(token.text) for token in line_tokens)
            extra = available - natural
            if 0 < extra <= MAX_STRETCH_CHARS * size_pt and characters > 1:
                # Spread over the gaps between characters, so the last one ends where the last
                # character of an unstretched full line ends.
                spacing += extra / (characters - 1)
        lines.append(Line(runs=_merge(line_tokens), indent_pt=indent, letter_spacing_pt=spacing))
        start = end
    return lines


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _script_changes(tokens: list[_Token]) -> int:
    """Changes between wide and narrow characters: room kept where a renderer may add space (generous)."""
    text = "".join(token.text for token in tokens)
    return sum(1 for before, after in zip(text, text[1:], strict=False) if _wide(before) != _wide(after))


def script_changes(text: str) -> int:
    """How often ``text`` changes between Chinese and ASCII letters or digits, where LibreOffice adds
    space ("2026年1月5日": 5; not at "×", which it sets as Chinese)."""
    def latin(char: str) -> bool:
        return char.isascii() and char.isalnum()

    return sum(1 for before, after in zip(text, text[1:], strict=False)
               if (latin(before) and _wide(after)) or (_wide(before) and latin(after)))


def _merge(tokens: list[_Token]) -> tuple[Run, ...]:
    runs: list[Run] = []
    for token in tokens:
        if runs and runs[-1].role == token.role:
            runs[-1] = Run(runs[-1].text + token.text, token.role)
        else:
            runs.append(Run(token.text, token.role))
    return tuple(runs)
