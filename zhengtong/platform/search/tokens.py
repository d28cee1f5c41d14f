"""Tokens for the search index: jieba for Chinese, a plain rule for Latin words and numbers.

Text is NFKC-normalised (full-width letters and digits become ASCII) and lower-cased, then cut
into runs of Chinese characters and runs of letters and digits; everything else (spaces,
punctuation, symbols) only separates.

- A Chinese run is segmented by jieba without its HMM: dictionary words only, so the same
  characters segment the same way in a query and in a document. (With the HMM, "请赵晓燕于周五"
  yields the invented word 赵晓燕于 and a query 赵晓燕 would miss it; without it, unknown
  names fall apart into single characters on both sides and still match.) Documents are cut in
  search mode, which adds the dictionary words inside long words (水务局 → 水务, 水务局), so a
  query 水务 finds 市水务局. Queries are cut in precise mode: each query word is one token
  that a matching document holds, whether as a word or as a word inside a longer one.
- Single characters of multi-character words are not indexed: that would more than double
  the index for a rare kind of query. Instead, a Chinese character standing alone in a query
  ("水", "防汛 水", the 年 of "2025年", which must find 2025年度) matches every token containing
  it. Next to another token that costs little (each candidate's own terms are scanned); a
  query of such characters only reads the whole index, the slow kind of query.
- Latin words and numbers are kept as runs of [a-z0-9]; letters joined by "/", "-" or "." also
  give the joined form, so "GB/T", "gb/t", "ＧＢ／Ｔ" and "GBT" all find GB/T 9704.
- Stop tokens (的, 了, 关于 …) are dropped on both sides, and tokens are cut to the column's
  32 characters, again on both sides.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN_LENGTH = 32
# A pasted paragraph is not a query: beyond this many tokens the rest are ignored.
MAX_QUERY_TOKENS = 12

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_RUNS = re.compile(rf"([{_HAN}]+)|([0-9a-z]+(?:[/.\-][0-9a-z]+)*)")
_ALNUM = re.compile("[0-9a-z]+")
_LETTERS_ONLY = re.compile("[a-z/.\\-]+")

STOP_TOKENS = frozenset(
    "的 地 得 了 着 过 和 与 及 或 而 并 之 其 在 于 对 把 被 将 也 是 为 以 等 各 该 此 这 那 "
    "关于 以及 或者 并且 对于 及其 有关 我们 你们 他们 其中 这个 那个 一个 进行".split()
)

USER_DICTIONARY = Path(__file__).with_name("userdict.txt")

_tokenizer: Any = None
_tokenizer_lock = threading.Lock()


def _jieba() -> Any:
    """The app's own jieba tokenizer, built on first use (about 0.6 s; jieba caches the dictionary).

    A private ``jieba.Tokenizer`` so that the government terms of userdict.txt do not change
    how anyone else's jieba segments.
    """
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                tokenizer.load_userdict(str(USER_DICTIONARY))
                _tokenizer = tokenizer
    return _tokenizer


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _latin_tokens(run: str) -> list[str]:
    parts = _ALNUM.findall(run)
    if len(parts) > 1 and _LETTERS_ONLY.fullmatch(run):
        parts.append("".join(parts))
    return parts


def _keep(token: str) -> bool:
    return bool(token) and token not in STOP_TOKENS


def tokenize(text: str) -> list[str]:
    """The distinct tokens of a text as the index holds them, in order of first occurrence."""
    tokens: dict[str, None] = {}
    for han, latin in _RUNS.findall(_normalise(text)):
        words = _jieba().cut_for_search(han, HMM=False) if han else _latin_tokens(latin)
        for word in words:
            token = word[:TOKEN_LENGTH]
            if _keep(token):
                tokens[token] = None
    return list(tokens)


@dataclass(frozen=True)
class QueryToken:
    token: str
    # One Chinese character typed on its own: matches any token containing it.
    partial: bool = False


def query_tokens(query: str) -> list[QueryToken]:
    """The tokens a query asks for, each of which a matching entry must hold (AND)."""
    found: dict[QueryToken, None] = {}
    for han, latin in _RUNS.findall(_normalise(query)):
        if han:
            words = _jieba().lcut(han, HMM=False)
            partial = len(han) == 1
        else:
            words = _latin_tokens(latin)
            partial = False
        for word in words:
            token = word[:TOKEN_LENGTH]
            if _keep(token):
                found[QueryToken(token, partial)] = None
    return list(found)[:MAX_QUERY_TOKENS]
