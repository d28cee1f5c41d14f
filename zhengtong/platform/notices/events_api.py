"""The event log over HTTP: what a client polls when its WebSocket cannot connect.

Only ever the caller's own events; the cursor is the last position the client has seen (a frame's ``id``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhengtong.pagination import LogPage, log_page, position
from zhengtong.platform.notices import realtime, stream

router = Router(tags=["events"])


class EventsQuery(Schema):
    cursor: str = Field("", max_length=40, description="`next_cursor` of the last page (or a frame's `id`); empty: start from "
                                                          "where the log stands now.")
    limit: int = Field(stream.REPLAY_LIMIT, ge=1, le=stream.REPLAY_LIMIT)


class BadgesOut(Schema):
    counts: dict[str, int] = Field(..., description='Per tab, e.g. {"messages": 3, "todo": 5}.')


@router.get("", response=LogPage[dict[str, Any]], summary='My events after a cursor, oldest first, each {"id", "kind", "at", '
                                                         '...payload} as on the WebSocket')
def events(request: HttpRequest, query: Query[EventsQuery]) -> dict[str, Any]:
    if not query.cursor:
        return {"items": [], "next_cursor": str(stream.latest()), "more": False}
    cursor = position(query.cursor)
    found = stream.since(request.user, cursor, query.limit)
    return log_page(found, cursor, query.limit, lambda event: event.seq, stream.frame)


@router.get("/badges", response=BadgesOut, summary="My badge counts")
def badges(request: HttpRequest) -> dict[str, Any]:
    return {"counts": realtime.badge_counts(request.user)}
