"""事务群: one group per record, started or opened by whoever may see the record, through the registry's seam."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhengtong.apps.chat import discussions, services
from zhengtong.apps.chat.models import Member
from zhengtong.apps.chat.tests.conftest import say, staff
from zhengtong.errors import NotFound
from zhengtong.platform import registry
from zhengtong.platform.registry import Record


@pytest.fixture
def work_order(people: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A record kind of a pretend app: 工单 7, seen by 张三, 李四 and 王五 (its participants: 李四 and 王五)."""
    state: dict[str, Any] = {"participants": (people["li"], people["wang"]), "title": "泵站维修工单"}

    def describe(user: Any, object_id: str) -> Record | None:
        if object_id != "7" or user.username == "zhao":
            return None
        return Record(state["title"], "/workorders/7/", tuple(state["participants"]))

    monkeypatch.setitem(registry.current().records, "workorders.order", describe)
    monkeypatch.setitem(registry.current().subject_links, "workorders.order", lambda object_id: f"/workorders/{object_id}/")
    return state


def active(conversation: Any) -> set[str]:
    return {m.person.username for m in Member.objects.filter(conversation=conversation, left_at__isnull=True).select_related("person")}


def test_one_group_per_record_with_its_participants_joined_by_whoever_opens_it(people: dict[str, Any], work_order: dict[str, Any]) -> None:
    group = discussions.open_discussion(acting_user=people["zhang"], subject="workorders.order:7")
    assert (group.title, group.owner_id, active(group)) == ("泵站维修工单", people["zhang"].pk, {"zhang", "li", "wang"})
    services.remove_member(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["wang"].pk)
    work_order["participants"] = (people["li"], people["wang"], staff("sun", "孙七"))  # a later step's holder
    assert discussions.open_discussion(acting_user=people["li"], subject="workorders.order:7").pk == group.pk
    assert active(group) == {"zhang", "li", "sun"}  # newcomers join; the removed are not brought back


def test_someone_who_may_not_see_the_record_learns_nothing(people: dict[str, Any], work_order: dict[str, Any]) -> None:
    for subject in ("workorders.order:7", "workorders.order:8", "nowhere.kind:1"):
        with pytest.raises(NotFound):
            discussions.open_discussion(acting_user=people["zhao"], subject=subject)
    client = Client()
    client.force_login(people["zhao"])
    assert client.post("/apps/chat/discuss/?subject=workorders.order:7").status_code == 404
    assert client.post("/api/chat/discussions", {"subject": "workorders.order:7"}, content_type="application/json").status_code == 404


def test_the_record_page_link_shows_my_unread_count_and_the_group_links_back(people: dict[str, Any], work_order: dict[str, Any]) -> None:
    offered = registry.current().record_links(people["li"], "workorders.order", 7)
    assert [(link.post, link.url) for link in offered] == [(True, "/apps/chat/discuss/?subject=workorders.order:7")]
    client = Client()
    client.force_login(people["li"])
    started = client.post(offered[0].url)
    group = services.conversation_of(people["li"], int(started["Location"].strip("/").split("/")[-1]))
    say(people["wang"], group, "请尽快维修")
    (link,) = registry.current().record_links(people["li"], "workorders.order", 7)
    assert (link.post, link.url, link.count) == (False, f"/apps/chat/{group.pk}/", 1)
    assert 'href="/workorders/7/"' in client.get(f"/apps/chat/{group.pk}/").content.decode()
    api = client.post("/api/chat/discussions", {"subject": "workorders.order:7"}, content_type="application/json")
    assert api.status_code == 200 and api.json()["subject"] == "workorders.order:7" and api.json()["id"] == group.pk


def test_a_renamed_record_renames_its_group_where_it_is_shown(people: dict[str, Any], work_order: dict[str, Any],
                                                              api_for: Any) -> None:
    from zhengtong.apps.chat import groups
    from zhengtong.errors import Forbidden
    from zhengtong.platform.audit.models import AuditRecord

    group = discussions.open_discussion(acting_user=people["zhang"], subject="workorders.order:7")
    client = Client()
    client.force_login(people["li"])
    work_order["title"] = "泵站维修工单（第二次）"
    listing = client.get("/apps/chat/")
    assert listing.status_code == 200 and "泵站维修工单（第二次）" in listing.content.decode()
    group.refresh_from_db()
    assert group.title == "泵站维修工单（第二次）"
    record = AuditRecord.objects.get(action="chat.renamed", object_id=str(group.pk))
    assert record.actor_id is None and record.changes == {"title": ["泵站维修工单", "泵站维修工单（第二次）"]}
    work_order["title"] = "泵站维修工单（已完成）"
    page = client.get(f"/apps/chat/{group.pk}/")
    assert "泵站维修工单（已完成）" in page.content.decode()
    work_order["title"] = "泵站维修"
    titles = [c["title"] for c in api_for(people["wang"]).get("/api/chat/conversations").json()["items"]]
    assert titles == ["泵站维修"]
    members = client.get(f"/apps/chat/{group.pk}/members/")
    assert 'id="chat-rename"' not in members.content.decode()  # named after its record, not by hand
    with pytest.raises(Forbidden):
        groups.rename(acting_user=people["zhang"], conversation_id=group.pk, title="别的名字")
    # A member who may not see the record does not rename the group (nor learn the record's new title).
    services.add_members(acting_user=people["zhang"], conversation_id=group.pk, member_ids=[people["zhao"].pk])
    work_order["title"] = "保密标题"
    client.force_login(people["zhao"])
    shown = client.get(f"/apps/chat/{group.pk}/")
    assert shown.status_code == 200 and "保密标题" not in shown.content.decode()
    group.refresh_from_db()
    assert group.title == "泵站维修"
