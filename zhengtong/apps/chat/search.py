"""Searching my messages: in one conversation, or across all of mine, in Chinese as typed.

The words come from the platform's search index (platform/search: jieba tokens), one entry per
text message (and per file or image, by its file name), written in the send transaction and
dropped when the message is recalled or purged, so a query word inside a longer sentence (防汛 in 请各单位做好防汛准备) finds it. What a
person gets back is what they may read in the conversation: only conversations they belong to
(or did), only the positions their member row lets them see (from joining when the group shows
history only from then, up to their removal), never a recalled message.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhengtong.apps.chat.models import Conversation, Message
from zhengtong.apps.chat.rules import uses_chat
from zhengtong.platform.search import services as index
from zhengtong.platform.search.models import Entry
from zhengtong.platform.search.queries import matching_ids
from zhengtong.platform.search.tokens import query_tokens

SEARCH_KIND = "chat.message"
LIMIT = 50


# Text messages by their words; files and images by their file name (their text); not voice ("[语音] 12″").
INDEXED_KINDS = (Message.Kind.TEXT, Message.Kind.FILE, Message.Kind.IMAGE)


def index_message(message: Message) -> None:
    """Index a message just stored (call inside the send transaction)."""
    if message.kind in INDEXED_KINDS:
        index.index(SEARCH_KIND, message.pk, title="", body=message.text, new=True)


def unindex_message(message_id: int) -> None:
    """Drop a recalled or purged message from the index."""
    index.remove(SEARCH_KIND, message_id)


def reindex(chunk: int = 1000) -> int:
    """Bring the index in step with the messages (those sent before search existed, or after a restore):
    index each text, file and image message that is not recalled and has no entry, drop the entries of the others; how many changed."""
    held = set(Entry.objects.filter(kind=SEARCH_KIND).values_list("object_id", flat=True))
    changed = 0
    rows = Message.objects.filter(kind__in=INDEXED_KINDS, recalled_at__isnull=True).order_by("pk").values_list("pk", "text")
    for pk, text in rows.iterator(chunk_size=chunk):
        if pk in held:
            held.discard(pk)
        else:
            index.index(SEARCH_KIND, pk, title="", body=text, new=True)
            changed += 1
    for pk in held:  # entries of messages recalled or gone
        index.remove(SEARCH_KIND, pk)
    return changed + len(held)


def _visible(user: Any) -> QuerySet[Message]:
    """The messages ``user`` may read, in every conversation of theirs: one join with their member rows, the
    window of ``Member.sees`` in SQL (from joining when the group says so, up to their removal)."""
    return Message.objects.filter(
        Q(conversation__history_from_join=False) | Q(seq__gt=F("conversation__members__joined_seq")),
        Q(conversation__members__left_seq__isnull=True) | Q(seq__lte=F("conversation__members__left_seq")),
        conversation__members__person=user)


def find(user: Any, query: str, *, conversation: Conversation | None = None, limit: int = LIMIT) -> list[Message]:
    """The newest ``limit`` messages holding every word of ``query`` that ``user`` may read, in ``conversation``
    (already looked up among theirs) or in any of theirs."""
    if not uses_chat(user) or not query_tokens(query):
        return []
    rows = _visible(user).filter(pk__in=matching_ids(SEARCH_KIND, query), recalled_at__isnull=True)
    if conversation is not None:
        rows = rows.filter(conversation=conversation)
    return list(rows.select_related("sender", "conversation").order_by("-created_at", "-pk")[:limit])


def link(message: Message, query: str) -> str:
    """The conversation page opened at ``message``, its words of ``query`` marked."""
    page = reverse("chat:conversation", args=[message.conversation_id])
    return f"{page}?{urlencode({'around': message.seq, 'q': query})}#m{message.seq}"


def _folded(text: str) -> str:
    """``text`` as the index compares it (NFKC, lower case), one character for one, so positions carry over."""
    folded = (unicodedata.normalize("NFKC", ch).lower() for ch in text)
    return "".join(f if len(f) == 1 else ch for f, ch in zip(folded, text, strict=True))


def hits(text: str, query: str) -> list[tuple[int, int]]:
    """Where the words of ``query`` stand in ``text``: (start, end) spans, in order, overlaps merged."""
    folded = _folded(text)
    spans: list[tuple[int, int]] = []
    for query_token in query_tokens(query):
        start = folded.find(query_token.token)
        while start != -1:
            spans.append((start, start + len(query_token.token)))
            start = folded.find(query_token.token, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlighted(text: str, query: str) -> SafeString:
    """``text`` escaped, each hit of ``query`` in a ``<mark>``."""
    parts, at = [], 0
    for start, end in hits(text, query):
        parts += [escape(text[at:start]), "<mark>", escape(text[start:end]), "</mark>"]
        at = end
    parts.append(escape(text[at:]))
    return mark_safe("".join(parts))  # noqa: S308  (every piece of the text is escaped above)
