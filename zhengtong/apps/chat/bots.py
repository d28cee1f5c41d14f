"""Bots: integrated systems (platform/todo's ``IntegratedSystem``) posting into chat groups.

Kept small: a bot is a person account made for the system the first time it is added to a group,
inactive (so it cannot sign in, and nobody can pick it as a person), named after the system, and
linked to it by ``Bot``. A group's owner or an administrator adds a system holding the ``chat``
scope; the bot is then a member like the others (removed the same way). The system posts text
with its ``zta_`` token on the external API, into the groups it is an active member of only,
idempotent by its client id like any sender; its messages carry ``Message.bot`` and show the
system's name with a 机器人 mark. A bot reads nothing: it has no API to list or read messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from zhengtong.apps.chat.models import Bot, Conversation, Member, Message
from zhengtong.apps.chat.rules import MANAGE
from zhengtong.apps.chat.services import MAX_TEXT, _client_id, _now, _publish_members, _retried, _store, conversation_of
from zhengtong.errors import Forbidden, NotFound, ServiceError
from zhengtong.platform import batch
from zhengtong.platform.accounts.services.tokens import InsufficientScope
from zhengtong.platform.audit import services as audit
from zhengtong.platform.todo.models import IntegratedSystem

SCOPE = IntegratedSystem.Scope.CHAT


def systems() -> list[IntegratedSystem]:
    """The active systems that may be added to groups."""
    return [system for system in IntegratedSystem.objects.filter(is_active=True) if SCOPE in system.scopes]


def bot_of(system: IntegratedSystem) -> Bot:
    """The system's bot, its account made the first time (a name no person's account can take: ``bot:<code>``)."""
    bot = Bot.objects.select_related("account").filter(system=system).first()
    if bot is None:
        account = get_user_model().objects.create(username=f"bot:{system.code}", display_name=system.name, is_active=False)
        account.set_unusable_password()
        account.save(update_fields=["password"])
        bot = Bot.objects.create(system=system, account=account)
    elif bot.account.display_name != system.name:  # the system was renamed
        bot.account.display_name = system.name
        bot.account.save(update_fields=["display_name"])
    return bot


def add(*, acting_user: Any, conversation_id: int, system_id: int) -> Member:
    """A group's owner or administrator lets a system post into it."""
    conversation = conversation_of(acting_user, conversation_id, MANAGE)
    system = next((s for s in systems() if s.pk == system_id), None)
    if system is None:
        raise ServiceError("invalid", _("Choose an active integrated application allowed to post in chat."),
                           {"system": [_("Not an application that may post in chat.")]})
    with batch.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        bot = bot_of(system)
        member, created = Member.objects.get_or_create(conversation=conversation, person=bot.account,
                                                       defaults={"joined_seq": conversation.last_seq, "read_seq": conversation.last_seq})
        if not created and member.active:
            return member
        if not created:
            member.joined_at, member.left_at, member.left_seq = _now(), None, None
            member.joined_seq = member.read_seq = conversation.last_seq
            member.save()
        audit.record("chat.bot_added", actor=acting_user, obj=conversation, changes={"system": [None, system.pk]})
        _publish_members(conversation)
    return member


def post(*, system: IntegratedSystem, conversation_id: int, client_msg_id: str, text: str) -> Message:
    """The system posts text into a group it was added to (a retry with the same client id returns the stored message)."""
    if SCOPE not in system.scopes:
        raise InsufficientScope("insufficient_scope",
                                _("This application may not do this; it lacks the %(scope)s scope.") % {"scope": SCOPE})
    bot = Bot.objects.select_related("account").filter(system=system).first()
    member = None if bot is None else Member.objects.filter(conversation_id=conversation_id, person=bot.account).first()
    if bot is None or member is None:
        raise NotFound("not_found", _("No such conversation."))
    client_msg_id = _client_id(client_msg_id)
    existing = _retried(bot.account, client_msg_id, conversation_id)
    if existing is not None:
        return existing
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise ServiceError("invalid", _("A message has at most %(n)d characters.") % {"n": MAX_TEXT}, {"text": [_("Empty or too long.")]})
    if not member.active:
        raise Forbidden("forbidden", _("This application was removed from the group."))
    with batch.atomic():
        return _store(bot_of(system).account, member.conversation, client_msg_id, text=text, mentions=[], bot=bot)
