"""Search queries: which objects of a kind hold every token of a query, and which match best.

``matching_ids`` is a lazy values queryset meant to be a subquery, so that the caller's own
filters (visibility, status, unit) run in the same SQL statement::

    Document.objects.filter(visible_q, pk__in=matching_ids("documents.document", q))

Plan, the same on every database: walk the posting list (the range of the (token, entry)
index) of the query's rarest token, and probe the same index once per candidate for each
further token. The cost grows with the rarest token's posting list, not with the size of the
index. Which token is rarest is asked first, with a count capped at ``RARITY_PROBE`` rows per
token (well under a millisecond each). A Chinese character typed on its own matches every token
containing it: as a further token it scans each candidate's own terms; as the only kind of
token in the query it reads the whole index — the slow query, see tokens.py.

Measured on SQLite (2 cores, busy; 100,000 entries of ~300 characters, 16 million terms, the
words of the query in 5–70 % of the entries): two-word queries 10–45 ms for the SQL alone and
20–70 ms for all matching ids into Python; a one-character query alone ("水") 3 s, next to a
word ("水 防汛") 0.5 s.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, Expression, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from zhengtong.platform.search.models import Entry, Term
from zhengtong.platform.search.tokens import QueryToken, query_tokens

RARITY_PROBE = 10_000


def _holding(query_token: QueryToken) -> QuerySet[Term]:
    if query_token.partial:
        return Term.objects.filter(token__contains=query_token.token)
    return Term.objects.filter(token=query_token.token)


def _rarest_first(tokens: list[QueryToken]) -> list[QueryToken]:
    exact = [query_token for query_token in tokens if not query_token.partial]
    if len(exact) > 1:
        exact.sort(key=lambda query_token: _holding(query_token)[:RARITY_PROBE].count())
    return exact + [query_token for query_token in tokens if query_token.partial]


def _matching_terms(kind: str, tokens: list[QueryToken]) -> QuerySet[Term]:
    """The terms of the first token in the entries of ``kind`` that hold all ``tokens``.

    One row per entry, except when the first token is partial (水 in 水务 and 水务局).
    """
    first, *rest = tokens
    terms = _holding(first).filter(entry__kind=kind)
    for query_token in rest:
        terms = terms.filter(Exists(_holding(query_token).filter(entry=OuterRef("entry"))))
    return terms


def matching_ids(kind: str, query: str) -> QuerySet[Term, Any]:
    """The object ids (``object_id``) of ``kind`` whose text holds every token of ``query``.

    An empty query, or one of punctuation and function words only, matches nothing.
    """
    tokens = _rarest_first(query_tokens(query))
    if not tokens:
        return Term.objects.none().values(object_id=F("entry__object_id"))
    ids = _matching_terms(kind, tokens).values(object_id=F("entry__object_id"))
    return ids.distinct() if tokens[0].partial else ids


def ranked_ids(kind: str, query: str, limit: int = 50) -> list[int]:
    """The best ``limit`` matches: highest summed weight of the query's tokens, then the most recently indexed."""
    tokens = _rarest_first(query_tokens(query))
    if not tokens:
        return []
    score: Expression = Value(0)
    for query_token in tokens:
        # A partial token may match several terms of an entry: it counts once, at its best.
        best = _holding(query_token).filter(entry=OuterRef("pk")).order_by("-weight").values("weight")[:1]
        score = score + Coalesce(Subquery(best, output_field=IntegerField()), Value(0))
    entries = Entry.objects.filter(pk__in=_matching_terms(kind, tokens).values("entry"))
    ranked = entries.annotate(score=score).order_by("-score", "-updated_at", "-pk")
    return list(ranked.values_list("object_id", flat=True)[:limit])
