"""Search queries: which objects of a kind hold every token of a query, and which match best.

``matching_ids`` is a lazy values queryset meant to be a subquery, so that the caller's own
filters (visibility, status, unit) run in the same SQL statement::

    Document.objects.filter(visible_q, pk__in=matching_ids("documents.document", q))

Plan: the entries come from the posting list (the (token, entry) index range) of the query's
first token; every further token is one probe of the same index per candidate, so the cost
grows with the first token's posting list, not with the size of the index.
"""

from __future__ import annotations

from django.db.models import Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from zhengtong.platform.search.models import Entry, Term
from zhengtong.platform.search.tokens import QueryToken, query_tokens


def _holding(query_token: QueryToken) -> QuerySet[Term]:
    if query_token.partial:
        return Term.objects.filter(token__contains=query_token.token)
    return Term.objects.filter(token=query_token.token)


def _matching_entries(kind: str, query: str) -> QuerySet[Entry]:
    tokens = query_tokens(query)
    if not tokens:
        return Entry.objects.none()
    # Exact tokens first: they have an index range to start from.
    tokens.sort(key=lambda query_token: query_token.partial)
    first, rest = tokens[0], tokens[1:]
    entries = Entry.objects.filter(kind=kind, pk__in=_holding(first).values("entry"))
    for query_token in rest:
        entries = entries.filter(Exists(_holding(query_token).filter(entry=OuterRef("pk"))))
    return entries


def matching_ids(kind: str, query: str) -> QuerySet[Entry, dict[str, int]]:
    """The object ids of ``kind`` whose text holds every token of ``query`` (none for an empty query)."""
    return _matching_entries(kind, query).values("object_id")


def ranked_ids(kind: str, query: str, limit: int = 50) -> list[int]:
    """The best ``limit`` matches: highest summed weight of the query's tokens, then the most recently indexed."""
    entries = _matching_entries(kind, query)
    score: F | Value | Coalesce = Value(0)
    for query_token in query_tokens(query):
        best = _holding(query_token).filter(entry=OuterRef("pk")).order_by("-weight").values("weight")[:1]
        score = score + Coalesce(Subquery(best, output_field=IntegerField()), Value(0))
    ranked = entries.annotate(score=score).order_by("-score", "-updated_at", "-pk")
    return list(ranked.values_list("object_id", flat=True)[:limit])
