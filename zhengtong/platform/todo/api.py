"""The to-do API: my list, acting in place, and the integrated systems' to-dos and notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zhengtong.pagination import Page, PageIn, page
from zhengtong.platform.todo import actions, queries, services
from zhengtong.platform.todo.auth import ApplicationToken
from zhengtong.platform.todo.models import Entry, IntegratedSystem

router = Router(tags=["todo"])
external = Router(tags=["todo external"], auth=ApplicationToken())


class EntryOut(Schema):
    id: int
    app: str
    kind: str
    object_id: str
    title: str
    subtitle: str
    link: str
    sender_name: str
    on_behalf_of: str
    urgency: str
    tab: str
    state: str
    mark: str = Field(description='"red" overdue, "yellow" due soon, "" otherwise')
    due_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    actions: list[str]


class PageOut(Page[EntryOut]):
    counts: dict[str, int]
    apps: dict[str, int]


class FiltersIn(Schema):
    tab: str = "todo"
    app: str = ""
    urgency: str = ""
    overdue: bool = False
    q: str = ""
    sort: str = "due"
    limit: int = Field(queries.PAGE_SIZE, ge=1, le=100)
    cursor: str = Field("", max_length=40, description="`next_cursor` of the previous page; empty for the first page.")


class ActIn(Schema):
    comment: str = Field("", max_length=2000)


class BatchIn(Schema):
    ids: list[int] = Field(..., min_length=1, max_length=100)
    action: str
    comment: str = Field("", max_length=2000)


class ResultOut(Schema):
    id: int
    title: str
    ok: bool
    message: str


def _out(entry: Entry) -> EntryOut:
    return EntryOut(id=entry.pk, app=entry.app, kind=entry.kind, object_id=entry.object_id, title=entry.title, subtitle=entry.subtitle,
                    link=entry.link,
                    sender_name=entry.sender_name, on_behalf_of=entry.on_behalf_of, urgency=entry.urgency, tab=entry.tab,
                    state=entry.state, mark=queries.mark(entry), due_at=entry.due_at, created_at=entry.created_at,
                    completed_at=entry.completed_at, actions=[action.code for action in actions.available(entry)])


def _result(result: actions.Result) -> ResultOut:
    return ResultOut(id=result.entry_id, title=result.title, ok=result.ok, message=result.message)


@router.get("/entries", response=PageOut, summary="A page of one of my tabs, with the counts per tab and per app")
def list_entries(request: HttpRequest, filters: Query[FiltersIn]) -> dict[str, Any]:
    parsed = queries.Filters.parse({**filters.dict(), "overdue": "1" if filters.overdue else ""})
    paged = page(queries.entries(request.user, parsed), PageIn(limit=filters.limit, cursor=filters.cursor), _out)
    return {**paged, "counts": queries.tab_counts(request.user), "apps": queries.app_counts(request.user)}


@router.get("/entries/{entry_id}", response=EntryOut, summary="One of my entries")
def get_entry(request: HttpRequest, entry_id: int) -> EntryOut:
    return _out(actions.mine(request.user, entry_id))


@router.post("/entries/{entry_id}/actions/{code}", response=ResultOut, summary="Act on one of my entries in place")
def act(request: HttpRequest, entry_id: int, code: str, payload: ActIn) -> ResultOut:
    return _result(actions.act(acting_user=request.user, entry_id=entry_id, code=code, comment=payload.comment))


@router.post("/batch", response=list[ResultOut], summary="The same action on several of my entries; a result for each")
def act_in_batch(request: HttpRequest, payload: BatchIn) -> list[ResultOut]:
    results = actions.act_in_batch(acting_user=request.user, entry_ids=payload.ids, code=payload.action, comment=payload.comment)
    return [_result(result) for result in results]


# --- Integrated systems ------------------------------------------------------------------


class TodoIn(Schema):
    username: str = Field(..., max_length=150)
    title: str = Field(..., max_length=300)
    link: str = Field(..., max_length=500)
    urgency: Entry.Urgency = Entry.Urgency.NORMAL
    due_at: datetime | None = None
    sender_name: str = Field("", max_length=100)


class TodoOut(Schema):
    external_id: str
    username: str
    title: str
    link: str
    urgency: str
    due_at: datetime | None
    done: bool


def _todo(entry: Entry) -> TodoOut:
    return TodoOut(external_id=entry.object_id.partition(":")[2], username=entry.user.username, title=entry.title, link=entry.link,
                   urgency=entry.urgency,
                   due_at=entry.due_at, done=entry.tab == Entry.Tab.DONE)


def _system(request: HttpRequest) -> IntegratedSystem:
    # ApplicationToken authenticated the request and Ninja keeps what it returned in request.auth.
    return cast(IntegratedSystem, request.auth)  # type: ignore[attr-defined]



@external.put("/todos/{external_id}", response={200: TodoOut, 201: TodoOut}, summary="Create or update a to-do by the system's own id")
def put_todo(request: HttpRequest, external_id: str, payload: TodoIn) -> Status[TodoOut]:
    entry, created = services.push_todo(system=_system(request), external_id=external_id, **payload.dict())
    return Status(201 if created else 200, _todo(entry))


@external.post("/todos/{external_id}/done", response=TodoOut, summary="The to-do is done")
def done_todo(request: HttpRequest, external_id: str) -> TodoOut:
    return _todo(services.complete_todo(system=_system(request), external_id=external_id))


@external.delete("/todos/{external_id}", response={204: None}, summary="Withdraw the to-do")
def delete_todo(request: HttpRequest, external_id: str) -> Status[None]:
    services.delete_todo(system=_system(request), external_id=external_id)
    return Status(204, None)


class NoticeIn(Schema):
    usernames: list[str] = Field(..., min_length=1, max_length=1000)
    title: str = Field(..., max_length=200)
    body: str = Field("", max_length=20000)
    link: str = Field("", max_length=500, description="A path inside the platform, or empty")
    priority: Literal["normal", "urgent"] = "normal"


class SentNoticeOut(Schema):
    external_id: str
    id: int
    recipients: int


@external.put("/notices/{external_id}", response={200: SentNoticeOut, 201: SentNoticeOut},
              summary="Send a notice to people through the message center, once per the system's own id")
def put_notice(request: HttpRequest, external_id: str, payload: NoticeIn) -> Status[SentNoticeOut]:
    notice, created = services.push_notice(system=_system(request), external_id=external_id, **payload.dict())
    return Status(201 if created else 200, SentNoticeOut(external_id=external_id, id=notice.pk, recipients=notice.recipients.count()))


router.add_router("/external", external)
