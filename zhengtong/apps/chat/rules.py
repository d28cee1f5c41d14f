"""Who may do what in a conversation: its members, by their role in it.

A stranger does not learn a conversation exists (the services and pages look it up among the
person's own, so it is 404); a removed member still reads what was sent before the removal but
may not post; owners and administrators manage the members and may @所有人.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import permissions_of
from zhengtong.platform.prepared import Prepared

VIEW = "chat.view"
POST = "chat.post"
MANAGE = "chat.manage"
MENTION_ALL = "chat.mention_all"


def uses_chat(user: Any) -> bool:
    return perms.USE_BUSINESS_APPS in permissions_of(user)


def membership(user: Any, conversation: Any) -> Any:
    """The person's member row in ``conversation`` (current or former), or None."""
    cache = conversation.__dict__.setdefault("_members_by_person", {})
    if user.pk not in cache:
        cache[user.pk] = next(iter(_member(conversation.pk, user.pk)), None)
    return cache[user.pk]


def _member_query(conversation_id: int, person_id: int) -> QuerySet[Any]:
    from zhengtong.apps.chat.models import Member

    return Member.objects.filter(conversation_id=conversation_id, person_id=person_id)  # unique: at most one row


# Asked on every send and page: compiled once per connection (zhengtong/platform/prepared.py).
_member = Prepared(_member_query, ("int", "int"))


def may_view(user: Any, conversation: Any) -> bool:
    return conversation is not None and uses_chat(user) and membership(user, conversation) is not None


def may_post(user: Any, conversation: Any) -> bool:
    member = membership(user, conversation) if conversation is not None and uses_chat(user) else None
    return member is not None and member.active


def may_manage(user: Any, conversation: Any) -> bool:
    member = membership(user, conversation) if conversation is not None and uses_chat(user) else None
    return member is not None and conversation.kind == "group" and member.is_manager


def mine(user: Any) -> QuerySet[Any]:
    """The conversations ``user`` is or was a member of."""
    from zhengtong.apps.chat.models import Conversation

    return Conversation.objects.filter(members__person=user)


# --- message features: who pins (features.py) ---
PIN = "chat.pin"


def may_pin(user: Any, conversation: Any) -> bool:
    """置顶: a group's owner and administrators; either person of a 1:1 conversation; never someone removed."""
    member = membership(user, conversation) if conversation is not None and uses_chat(user) else None
    return member is not None and member.active and (conversation.kind == "direct" or member.is_manager)


RULES = {VIEW: may_view, POST: may_post, MANAGE: may_manage, MENTION_ALL: may_manage, PIN: may_pin}
