"""The event log over HTTP: what a client polls when its WebSocket cannot connect.

Only ever the caller's own events; the cursor is the last position the client has seen (a frame's ``id``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhengtong.platform.notices import realtime, stream

router = Router(tags=["events"])


class SinceQuery(Schema):
    since: int | None = Field(None, ge=0, description="The last event id seen; omitted: start from where the log stands now.")


class EventsOut(Schema):
    events: list[dict[str, Any]] = Field(..., description='Oldest first, each {"id", "kind", "at", ...payload}, as on the WebSocket.')
    cursor: int = Field(..., description="Send it back as `since` next time.")
    more: bool = Field(..., description="True when more events wait: ask again at once.")


class BadgesOut(Schema):
    counts: dict[str, int] = Field(..., description='Per tab, e.g. {"messages": 3, "todo": 5}.')


@router.get("", response=EventsOut, summary="My events after a cursor")
def events(request: HttpRequest, query: Query[SinceQuery]) -> dict[str, Any]:
    if query.since is None:
        return {"events": [], "cursor": stream.latest(), "more": False}
    found = stream.since(request.user, query.since)
    return {"events": [stream.frame(event) for event in found], "cursor": found[-1].seq if found else query.since,
            "more": len(found) == stream.REPLAY_LIMIT}


@router.get("/badges", response=BadgesOut, summary="My badge counts")
def badges(request: HttpRequest) -> dict[str, Any]:
    return {"counts": realtime.badge_counts(request.user)}
