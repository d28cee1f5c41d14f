"""The API's one way of paging a list: ``limit`` and ``cursor`` in, ``items`` and ``next_cursor`` out.

A client asks for the first page without a cursor and follows ``next_cursor`` until it is null.
The cursor is opaque: for most lists it stands for a position in the list's order, for the logs
read by position (events, the change feed, the audit trail) it is the last position seen, so a
page never repeats or skips a row that arrives meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from zhengtong.errors import ServiceError

T = TypeVar("T")
MAX_LIMIT = 200


class PageIn(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="At most this many items.")
    cursor: str = Field("", max_length=40, description="`next_cursor` of the previous page; empty for the first page.")


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(..., description="Pass as `cursor` for the next page; null on the last page.")


class LogPage(Schema, Generic[T]):
    """A page of a log read by position: there is always a cursor to come back with."""

    items: list[T]
    next_cursor: str = Field(..., description="Pass as `cursor` next time: the last position this page reached.")
    more: bool = Field(..., description="True when more items wait already: ask again at once.")


def log_page(rows: Sequence[Any], cursor: int, limit: int, position_of: Callable[[Any], int],
             convert: Callable[[Any], Any]) -> dict[str, Any]:
    """``rows``: up to ``limit`` items after ``cursor``, in position order."""
    return {"items": [convert(row) for row in rows], "next_cursor": str(position_of(rows[-1]) if rows else cursor),
            "more": len(rows) == limit}


def position(cursor: str) -> int:
    """The position a list's cursor stands for (0 for none); anything else is refused."""
    if not cursor:
        return 0
    if not cursor.isdigit() or len(cursor) > 18:
        raise ServiceError("invalid", _("The cursor is not one this list gave out."), {"cursor": [_("Not a valid cursor.")]})
    return int(cursor)


def page(rows: QuerySet[Any] | Sequence[Any], params: PageIn, convert: Callable[[Any], Any]) -> dict[str, Any]:
    """One page of ``rows`` (a queryset or a list, in its order), each item made by ``convert``."""
    start = position(params.cursor)
    window = list(rows[start:start + params.limit + 1])
    more = len(window) > params.limit
    return {"items": [convert(row) for row in window[:params.limit]], "next_cursor": str(start + params.limit) if more else None}
