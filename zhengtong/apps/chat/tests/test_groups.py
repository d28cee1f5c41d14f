"""Managing a group: roles, handing it over, leaving, renaming (services and API), and the refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhengtong.apps.chat import groups, services
from zhengtong.apps.chat.models import Conversation, Member
from zhengtong.apps.chat.tests.conftest import say
from zhengtong.errors import Forbidden, NotFound, ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.notices.models import Event


def role_of(group: Conversation, person: Any) -> str:
    return Member.objects.get(conversation=group, person=person).role


def test_the_owner_makes_and_unmakes_an_administrator_who_may_then_add_people(people: dict[str, Any], group: Conversation) -> None:
    with pytest.raises(Forbidden):
        services.add_members(acting_user=people["li"], conversation_id=group.pk, member_ids=[people["zhao"].pk])
    groups.set_admin(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["li"].pk, admin=True)
    assert role_of(group, people["li"]) == "admin"
    services.add_members(acting_user=people["li"], conversation_id=group.pk, member_ids=[people["zhao"].pk])
    assert AuditRecord.objects.filter(action="chat.role_changed", changes__role=["member", "admin"]).exists()
    groups.set_admin(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["li"].pk, admin=False)
    assert role_of(group, people["li"]) == "member"


def test_only_the_owner_names_administrators(people: dict[str, Any], group: Conversation) -> None:
    groups.set_admin(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["li"].pk, admin=True)
    with pytest.raises(Forbidden, match="只有群主"):
        groups.set_admin(acting_user=people["li"], conversation_id=group.pk, person_id=people["wang"].pk, admin=True)
    with pytest.raises(NotFound):
        groups.set_admin(acting_user=people["zhao"], conversation_id=group.pk, person_id=people["wang"].pk, admin=True)
    assert role_of(group, people["wang"]) == "member"


def test_handing_the_group_over_makes_the_old_owner_an_administrator(people: dict[str, Any], group: Conversation) -> None:
    groups.transfer(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["wang"].pk)
    group.refresh_from_db()
    assert group.owner_id == people["wang"].pk
    assert (role_of(group, people["wang"]), role_of(group, people["zhang"])) == ("owner", "admin")
    assert AuditRecord.objects.filter(action="chat.owner_changed").exists()
    with pytest.raises(Forbidden):  # no longer the owner
        groups.transfer(acting_user=people["zhang"], conversation_id=group.pk, person_id=people["li"].pk)
    with pytest.raises(NotFound):  # not a member
        groups.transfer(acting_user=people["wang"], conversation_id=group.pk, person_id=people["zhao"].pk)


def test_a_member_leaves_keeping_what_came_before_and_the_owner_must_hand_over_first(people: dict[str, Any],
                                                                                     group: Conversation) -> None:
    say(people["zhang"], group, "离开前的消息")
    groups.leave(acting_user=people["li"], conversation_id=group.pk)
    say(people["zhang"], group, "离开后的消息")
    assert [m.text for m in services.visible_messages(people["li"], group)] == ["离开前的消息"]
    with pytest.raises(Forbidden):
        say(people["li"], group, "还想说")
    with pytest.raises(ServiceError, match="请先把群转让"):
        groups.leave(acting_user=people["zhang"], conversation_id=group.pk)
    assert AuditRecord.objects.filter(action="chat.left").count() == 1


def test_a_direct_conversation_cannot_be_left(people: dict[str, Any]) -> None:
    direct = services.open_direct(acting_user=people["zhang"], other_id=people["li"].pk)
    with pytest.raises(ServiceError):
        groups.leave(acting_user=people["li"], conversation_id=direct.pk)


def test_renaming_is_for_owners_and_administrators_audited_and_sent_to_devices(people: dict[str, Any], group: Conversation) -> None:
    with pytest.raises(Forbidden):
        groups.rename(acting_user=people["li"], conversation_id=group.pk, title="改名")
    groups.rename(acting_user=people["zhang"], conversation_id=group.pk, title="防汛抗旱群")
    group.refresh_from_db()
    assert group.title == "防汛抗旱群"
    assert AuditRecord.objects.filter(action="chat.renamed", changes__title=["防汛工作群", "防汛抗旱群"]).exists()
    assert Event.objects.filter(user=people["wang"], kind="chat.renamed", payload__title="防汛抗旱群").exists()
    with pytest.raises(ServiceError):
        groups.rename(acting_user=people["zhang"], conversation_id=group.pk, title="  ")


def test_the_api_manages_members_roles_ownership_names_and_leaving(people: dict[str, Any], group: Conversation) -> None:
    zhang, li = Client(), Client()
    zhang.force_login(people["zhang"])
    li.force_login(people["li"])
    base = f"/api/chat/conversations/{group.pk}"
    listed = zhang.post(f"{base}/members/{people['li'].pk}/role", {"admin": True}, content_type="application/json")
    assert listed.status_code == 200
    assert [(m["name"], m["role"]) for m in listed.json()] == [("张三", "owner"), ("李四", "admin"), ("王五", "member")]
    refused = li.post(f"{base}/owner", {"person": people["wang"].pk}, content_type="application/json")
    assert refused.status_code == 403
    renamed = li.patch(base, {"title": "新群名"}, content_type="application/json")
    assert renamed.status_code == 200 and renamed.json()["title"] == "新群名"
    handed = zhang.post(f"{base}/owner", {"person": people["li"].pk}, content_type="application/json")
    assert [(m["name"], m["role"]) for m in handed.json()][:2] == [("李四", "owner"), ("张三", "admin")]
    assert zhang.post(f"{base}/leave").status_code == 204
    assert zhang.get(base).json()["active"] is False
    owner_leaving = li.post(f"{base}/leave")
    assert owner_leaving.status_code == 422 and owner_leaving.json()["error"] == "owner_leaving"
