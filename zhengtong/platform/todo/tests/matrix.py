"""Permission matrix rows for to-dos: an entry is its owner's; the external API is for systems, not people."""

import json
from typing import Any

from django.http import HttpResponse

from zhengtong.testing.matrix import ANY_SIGNED_IN, IN, Row, World, answered, content_of, expect

OWNER_ONLY = expect(404, author=200)
# A person's token is not an integrated system's (zta_…): the systems' API does not know it.
SYSTEMS_ONLY = expect(IN)


def build(world: World) -> None:
    """水资源系统 pushes a to-do of its own into the author's list."""
    from zhengtong.platform.todo import services

    world.integrated_system, _token = services.create_system(
        acting_user=world.people["sysadmin"], name="水资源系统", code="water", base_url="https://water.example.gov.cn",
        scopes=["todos", "notices"])
    title = world.secret("todo", seen_by={"author"})
    world.todo_entry, _created = services.push_todo(
        system=world.integrated_system, external_id="T-77", username="author", title=f"{title} 取水许可现场核查",
        link="https://water.example.gov.cn/tasks/77")


@answered
def _listed_to_its_owner(world: Any, persona: str, response: HttpResponse) -> None:
    ids = [item["id"] for item in json.loads(content_of(response))["items"]]
    assert (world.todo_entry.pk in ids) == (persona == "author"), f"the to-do listed: {world.todo_entry.pk in ids}"


def _batch(world: Any) -> dict[str, Any]:
    return {"ids": [world.todo_entry.pk], "action": "approve"}


_TODO = {"username": "author", "title": "取水许可现场核查", "link": "https://water.example.gov.cn/tasks/78"}

ROWS = [
    Row("GET", "/api/todo/entries", ANY_SIGNED_IN, check=_listed_to_its_owner),
    Row("GET", "/api/todo/entries/{w.todo_entry.pk}", OWNER_ONLY),
    Row("POST", "/api/todo/entries/{w.todo_entry.pk}/actions/approve", expect(404, author=409), data={"comment": ""}),  # it must be opened
    Row("POST", "/api/todo/batch", ANY_SIGNED_IN, data=_batch),
    Row("PUT", "/api/todo/external/todos/T-78", SYSTEMS_ONLY, data=_TODO),
    Row("POST", "/api/todo/external/todos/T-77/done", SYSTEMS_ONLY),
    Row("DELETE", "/api/todo/external/todos/T-77", SYSTEMS_ONLY),
    Row("PUT", "/api/todo/external/notices/N-1", SYSTEMS_ONLY, data={"usernames": ["author"], "title": "停水通知"}),
]
