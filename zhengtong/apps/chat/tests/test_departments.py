"""Department groups follow the directory's change feed: joins, leaves, renames; refused by hand; two workers, a crash."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from zhengtong.apps.chat import departments, groups, services
from zhengtong.apps.chat.models import Conversation, FeedCursor, Member
from zhengtong.apps.chat.tests.conftest import say, staff
from zhengtong.errors import Forbidden
from zhengtong.platform.directory import services as directory
from zhengtong.platform.directory.models import Department, Membership


@pytest.fixture
def office(people: dict[str, Any]) -> Department:
    unit = directory.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    office = directory.create_department(acting_user=None, name="办公室", parent=unit)
    for key in ("zhang", "li"):
        directory.add_membership(acting_user=None, user=people[key], department=office)
    return office


def active(conversation: Conversation) -> set[str]:
    return {m.person.username for m in Member.objects.filter(conversation=conversation, left_at__isnull=True).select_related("person")}


def follow() -> int:
    return departments.follow_directory(timezone.now())


def test_a_department_group_holds_the_departments_people_and_follows_joins_leaves_and_renames(people: dict[str, Any],
                                                                                             office: Department) -> None:
    group = departments.enable(acting_user=None, department_id=office.pk)
    assert (group.title, active(group), group.owner_id) == ("办公室", {"zhang", "li"}, None)
    follow()
    say(people["li"], group, "离开前")
    directory.add_membership(acting_user=None, user=people["wang"], department=office)
    directory.remove_membership(acting_user=None, membership=Membership.objects.get(user=people["li"], department=office))
    directory.update_department(acting_user=None, department=office, name="综合办公室")
    assert active(group) == {"zhang", "li"}  # nothing changes until the worker follows the feed
    assert follow() == 3
    group.refresh_from_db()
    assert (group.title, active(group)) == ("综合办公室", {"zhang", "wang"})
    say(people["zhang"], group, "离开后")
    assert [m.text for m in services.visible_messages(people["li"], group)] == ["离开前"]  # keeps what they could see
    assert follow() == 0


def test_a_disabled_person_leaves_their_department_groups(people: dict[str, Any], office: Department) -> None:
    group = departments.enable(acting_user=None, department_id=office.pk)
    follow()
    directory.disable_person(acting_user=None, user=people["li"])
    follow()
    assert active(group) == {"zhang"}


def test_members_of_a_department_group_are_not_added_removed_or_left_by_hand(people: dict[str, Any], office: Department) -> None:
    group = departments.enable(acting_user=None, department_id=office.pk)
    with pytest.raises(Forbidden, match="部门群"):
        services.add_members(acting_user=people["zhang"], conversation_id=group.pk, member_ids=[people["zhao"].pk])
    with pytest.raises(Forbidden, match="部门群"):
        services.remove_member(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["li"].pk)
    with pytest.raises(Forbidden, match="部门"):
        groups.leave(acting_user=people["li"], conversation_id=group.pk)
    client = Client()
    client.force_login(people["zhang"])
    refused = client.post(f"/api/chat/conversations/{group.pk}/members", {"members": [people["zhao"].pk]}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"] == "department_group"
    assert active(group) == {"zhang", "li"}


def test_only_directory_managers_and_system_administrators_turn_a_group_on(people: dict[str, Any], office: Department) -> None:
    from zhengtong.platform.access.models import Role
    from zhengtong.platform.access.services import assign_role

    client = Client()
    client.force_login(people["zhang"])
    assert 'href="/apps/chat/departments/"' not in client.get("/apps/").content.decode()
    assert client.post(f"/api/chat/departments/{office.pk}/group").status_code == 403
    assert client.get("/apps/chat/departments/").status_code == 403
    admin = staff("sysadmin", "管理员")
    assign_role(acting_user=None, user=admin, role=Role.objects.get(code="system_admin"))
    client.force_login(admin)
    assert 'href="/apps/chat/departments/"' in client.get("/apps/").content.decode()  # the administrator's tile
    turned_on = client.post(f"/api/chat/departments/{office.pk}/group")
    assert turned_on.status_code == 200 and turned_on.json()["members"] == 2
    assert "办公室" in client.get("/apps/chat/departments/").content.decode()


def test_the_management_command_turns_every_departments_group_on(people: dict[str, Any], office: Department) -> None:
    call_command("chat_department_groups", "--all", verbosity=0)
    assert Conversation.objects.filter(department=office).count() == 1
    call_command("chat_department_groups", "--all", verbosity=0)  # again: nothing more
    assert Conversation.objects.filter(department__isnull=False).count() == 1


def test_two_workers_do_not_apply_one_stretch_twice_and_a_crash_leaves_the_cursor_where_it_was(people: dict[str, Any],
                                                                                              office: Department) -> None:
    group = departments.enable(acting_user=None, department_id=office.pk)
    follow()
    directory.add_membership(acting_user=None, user=people["wang"], department=office)
    position = FeedCursor.objects.get(name=departments.CURSOR).position
    with mock.patch.object(departments, "reconcile", side_effect=RuntimeError("crash")), pytest.raises(RuntimeError):
        follow()
    assert FeedCursor.objects.get(name=departments.CURSOR).position == position and "wang" not in active(group)
    # A second worker moved the cursor after this one read the feed: this one then does nothing.
    real_changes = departments.feed.changes

    def raced(since: int, limit: int) -> Any:
        events = real_changes(since, limit)
        FeedCursor.objects.filter(name=departments.CURSOR).update(position=events[-1].seq)
        return events

    with mock.patch.object(departments.feed, "changes", side_effect=raced):
        assert follow() == 0
    assert "wang" not in active(group)
    FeedCursor.objects.filter(name=departments.CURSOR).update(position=position)
    assert follow() == 1 and "wang" in active(group)


def test_the_worker_runs_the_job_from_chats_manifest(people: dict[str, Any], office: Department) -> None:
    from zhengtong import worker

    group = departments.enable(acting_user=None, department_id=office.pk)
    directory.add_membership(acting_user=None, user=people["wang"], department=office)
    done = worker.run_once()
    assert done["chat department groups"] >= 1 and "wang" in active(group)


@pytest.mark.django_db(transaction=True)
def test_workers_following_the_feed_at_once_apply_each_change_once() -> None:
    from zhengtong.apps.chat.tests.test_send import _concurrently
    from zhengtong.platform.audit.models import AuditRecord

    unit = directory.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    office = directory.create_department(acting_user=None, name="办公室", parent=unit)
    group = departments.enable(acting_user=None, department_id=office.pk)
    follow()
    newcomers = [staff(f"n{n}", f"新人{n}") for n in range(5)]
    for person in newcomers:
        directory.add_membership(acting_user=None, user=person, department=office)
    done: list[int] = []
    assert _concurrently([lambda: done.append(follow())] * 3) == []
    assert sum(done) == 5 and active(group) == {p.username for p in newcomers}  # the stretch went to one worker
    assert AuditRecord.objects.filter(action="chat.department_members").count() == 1


# --- turning a department group off ---


def test_turned_off_a_department_group_keeps_its_members_and_becomes_an_ordinary_group(people: dict[str, Any], office: Department,
                                                                                        sysadmin: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from zhengtong.errors import NotFound, ServiceError
    from zhengtong.platform.audit.models import AuditRecord

    group = departments.enable(acting_user=None, department_id=office.pk)
    follow()
    say(people["li"], group, "关停前的消息")
    with pytest.raises(PermissionDenied):
        departments.disable(acting_user=people["zhang"], department_id=office.pk, owner_id=people["zhang"].pk)
    with pytest.raises(ServiceError) as refused:
        departments.disable(acting_user=sysadmin, department_id=office.pk, owner_id=people["zhao"].pk)  # not a member
    assert list(refused.value.fields) == ["owner"]
    assert Conversation.objects.get(pk=group.pk).department_id == office.pk
    turned = departments.disable(acting_user=sysadmin, department_id=office.pk, owner_id=people["zhang"].pk)
    assert (turned.pk, turned.department_id, turned.owner_id, active(turned)) == (group.pk, None, people["zhang"].pk, {"zhang", "li"})
    assert Member.objects.get(conversation=group, person=people["zhang"]).role == Member.Role.OWNER
    record = AuditRecord.objects.get(action="chat.department_group_disabled")
    assert record.actor_id == sysadmin.pk and record.changes == {"department": [office.pk, None], "owner": [None, people["zhang"].pk]}
    # It no longer follows the directory: a joiner stays out, a leaver stays in, a rename keeps its name.
    directory.add_membership(acting_user=None, user=people["wang"], department=office)
    directory.remove_membership(acting_user=None, membership=Membership.objects.get(user=people["li"], department=office))
    directory.update_department(acting_user=None, department=office, name="综合办公室")
    follow()
    group.refresh_from_db()
    assert (group.title, active(group)) == ("办公室", {"zhang", "li"})
    assert [m.text for m in services.visible_messages(people["li"], group)] == ["关停前的消息"]
    # The owner now manages it by hand, as any group.
    services.add_members(acting_user=people["zhang"], conversation_id=group.pk, member_ids=[people["wang"].pk])
    assert active(group) == {"zhang", "li", "wang"}
    with pytest.raises(NotFound):
        departments.disable(acting_user=sysadmin, department_id=office.pk)
    # On again: a new group of the department's people now.
    again = departments.enable(acting_user=sysadmin, department_id=office.pk)
    assert again.pk != group.pk and active(again) == {"zhang", "wang"}


def test_turned_off_without_an_owner_nobody_manages_it(people: dict[str, Any], office: Department, sysadmin: Any) -> None:
    group = departments.enable(acting_user=None, department_id=office.pk)
    departments.disable(acting_user=sysadmin, department_id=office.pk)
    group.refresh_from_db()
    assert (group.department_id, group.owner_id) == (None, None)
    assert not Member.objects.filter(conversation=group, role__in=[Member.Role.OWNER, Member.Role.ADMIN]).exists()
    with pytest.raises(Forbidden):
        services.add_members(acting_user=people["zhang"], conversation_id=group.pk, member_ids=[people["wang"].pk])
    say(people["li"], group, "照常聊天")
    groups.leave(acting_user=people["li"], conversation_id=group.pk)
    assert active(group) == {"zhang"}


def test_the_departments_page_turns_a_group_off(people: dict[str, Any], office: Department, sysadmin: Any, client_for: Any,
                                                api_for: Any) -> None:
    group = departments.enable(acting_user=None, department_id=office.pk)
    browser = client_for(sysadmin)
    page = browser.get("/apps/chat/departments/")
    html = page.content.decode()
    assert "关闭部门群" in html
    assert f'<option value="{people["li"].pk}">李四</option>' in html
    token = browser.cookies["zt_csrf"].value
    wrong = browser.post(f"/apps/chat/departments/{office.pk}/off/", {"owner": people["zhao"].pk, "csrfmiddlewaretoken": token})
    assert wrong.status_code == 422 and 'id="chat-departments-error"' in wrong.content.decode()
    assert browser.post(f"/apps/chat/departments/{office.pk}/off/", {"owner": "x", "csrfmiddlewaretoken": token}).status_code == 400
    assert Conversation.objects.get(pk=group.pk).department_id == office.pk
    done = browser.post(f"/apps/chat/departments/{office.pk}/off/", {"owner": people["li"].pk, "csrfmiddlewaretoken": token})
    assert done.status_code == 302 and Conversation.objects.get(pk=group.pk).owner_id == people["li"].pk
    # Off: the page offers to turn the department's group on again.
    assert f'<input type="hidden" name="department" value="{office.pk}">' in browser.get("/apps/chat/departments/").content.decode()
    assert client_for(people["zhang"]).post(f"/apps/chat/departments/{office.pk}/off/").status_code == 403
    # The API, the same service.
    second = departments.enable(acting_user=None, department_id=office.pk)
    assert api_for(people["zhang"]).post(f"/api/chat/departments/{office.pk}/group/disable", {},
                                         content_type="application/json").status_code == 403
    answer = api_for(sysadmin).post(f"/api/chat/departments/{office.pk}/group/disable", {"owner": None}, content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"conversation": second.pk, "department": office.pk, "title": "办公室",
                                                           "members": 2}
