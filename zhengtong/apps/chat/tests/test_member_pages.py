"""The members page, phone and PC alike: who is in the group with what role, and what owners, administrators and members do there."""

from __future__ import annotations

from typing import Any

from django.test import Client

from zhengtong.apps.chat.models import Conversation, Member


def client_for(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def role_of(group: Conversation, person: Any) -> str | None:
    member = Member.objects.filter(conversation=group, person=person, left_at__isnull=True).first()
    return member.role if member else None


def test_the_owner_adds_promotes_hands_over_renames_and_removes_from_the_page(people: dict[str, Any], group: Conversation) -> None:
    zhang = client_for(people["zhang"])
    page = zhang.get(f"/apps/chat/{group.pk}/members/").content.decode()
    assert "张三" in page and "群主" in page and 'id="chat-add-members"' in page and "赵六" in page
    assert zhang.post(f"/apps/chat/{group.pk}/members/add/", {"members": [people["zhao"].pk]}).status_code == 302
    assert role_of(group, people["zhao"]) == "member"
    assert zhang.post(f"/apps/chat/{group.pk}/members/{people['li'].pk}/role/", {"admin": "on"}).status_code == 302
    assert role_of(group, people["li"]) == "admin"
    assert zhang.post(f"/apps/chat/{group.pk}/rename/", {"title": "防汛值班群"}).status_code == 302
    assert zhang.post(f"/apps/chat/{group.pk}/members/{people['zhao'].pk}/remove/").status_code == 302
    assert role_of(group, people["zhao"]) is None
    assert zhang.post(f"/apps/chat/{group.pk}/owner/", {"person": people["wang"].pk}).status_code == 302
    assert (role_of(group, people["wang"]), role_of(group, people["zhang"])) == ("owner", "admin")
    group.refresh_from_db()
    assert group.title == "防汛值班群"


def test_a_member_sees_the_list_mutes_and_leaves_but_manages_nothing(people: dict[str, Any], group: Conversation) -> None:
    wang = client_for(people["wang"])
    page = wang.get(f"/apps/chat/{group.pk}/members/").content.decode()
    assert "李四" in page and 'id="chat-add-members"' not in page and 'id="chat-rename"' not in page
    refused = wang.post(f"/apps/chat/{group.pk}/members/add/", {"members": [people["zhao"].pk]})
    assert refused.status_code == 403 and role_of(group, people["zhao"]) is None
    assert "群主" in refused.content.decode()  # the refusal says who may
    assert wang.post(f"/apps/chat/{group.pk}/mute/", {"muted": "on"}).status_code == 302
    assert Member.objects.get(conversation=group, person=people["wang"]).muted
    assert "取消免打扰" in wang.get(f"/apps/chat/{group.pk}/members/").content.decode()
    assert wang.post(f"/apps/chat/{group.pk}/leave/").status_code == 302
    assert role_of(group, people["wang"]) is None


def test_the_owner_cannot_leave_before_handing_over_and_a_bad_form_is_answered_400(people: dict[str, Any], group: Conversation) -> None:
    zhang = client_for(people["zhang"])
    refused = zhang.post(f"/apps/chat/{group.pk}/leave/")
    assert refused.status_code == 422 and 'id="chat-group-error"' in refused.content.decode()
    assert zhang.post(f"/apps/chat/{group.pk}/rename/", {"title": ""}).status_code == 400
    assert zhang.post(f"/apps/chat/{group.pk}/owner/", {"person": "x"}).status_code == 400
    assert role_of(group, people["zhang"]) == "owner"


def test_a_stranger_learns_nothing_of_the_members_page(people: dict[str, Any], group: Conversation) -> None:
    zhao = client_for(people["zhao"])
    assert zhao.get(f"/apps/chat/{group.pk}/members/").status_code == 404
    assert zhao.post(f"/apps/chat/{group.pk}/leave/").status_code == 404
