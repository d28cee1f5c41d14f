"""The back office for chat: conversations and their members listed, the retention policy set.

What was said is not here (三权分立): no message is registered, and a conversation shows neither
its name nor its messages, only its kind, owner, size and dates; the message audit (the audit
administrator's, oversight.py) is where messages are read. Conversations and members are changed
in chat by their members, so both are only listed; the retention policy is saved through its service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, Model, Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zhengtong.apps.chat import retention
from zhengtong.apps.chat.models import Conversation, Member, RetentionPolicy
from zhengtong.backoffice import ReadOnlyAdmin, ServiceAdmin


class ListedOnly(ReadOnlyAdmin):
    """Rows listed without a page of their own: a row's page would show what the list leaves out."""

    list_display_links = None

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None and super().has_view_permission(request, obj)


@admin.register(Conversation)
class ConversationAdmin(ListedOnly):
    list_display = ("pk", "kind", "owner", "members_now", "last_seq", "history_from_join", "created_at")
    list_filter = ("kind", "created_at")
    list_select_related = ("owner",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        return super().get_queryset(request).annotate(members_now=Count("members", filter=Q(members__left_at__isnull=True)))

    @admin.display(description=_("members"), ordering="members_now")
    def members_now(self, conversation: Any) -> int:
        return int(conversation.members_now)


@admin.register(Member)
class MemberAdmin(ListedOnly):
    list_display = ("conversation_id", "person", "role", "joined_at", "left_at")
    list_filter = ("role", "joined_at")
    list_select_related = ("person",)
    search_fields = ("person__username", "person__display_name")


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(ServiceAdmin):
    """One policy for the whole system: added once, then changed; the purge job applies it."""

    list_display = ("__str__", "changed_by", "changed_at")
    list_select_related = ("changed_by",)
    fields = ("days", "subject_days")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return not RetentionPolicy.objects.exists() and super().has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: RetentionPolicy, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        obj.pk = retention.set_policy(acting_user=request.user, days=form.cleaned_data["days"],
                                      subject_days=form.cleaned_data["subject_days"]).pk
