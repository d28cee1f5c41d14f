"""Reminders (催办) and yellow/red cards reach people as notices, offering 同意 in place.

Sent inside the transaction that reminds or fires the card, so the notice and the trace entry
commit together. The text is stored in the deployment's language, as every notice is.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from zhengtong.platform import registry
from zhengtong.platform.notices.models import Notice
from zhengtong.platform.notices.services import notify
from zhengtong.platform.workflow.models import WorkItem
from zhengtong.platform.workflow.permissions import NOTICE_CATEGORY
from zhengtong.platform.workflow.todos import ITEM


def _send(item: WorkItem, *, sender: Any, to: list[Any], title: str, priority: str) -> None:
    instance = item.instance
    link = registry.current().subject_link(instance.subject) or reverse("workflow:instance", args=[instance.pk])
    with translation.override(settings.LANGUAGE_CODE):
        notify(sender=sender, to=to, title=title % {"title": instance.title, "step": item.step_name}, link=link,
               category=NOTICE_CATEGORY, priority=priority, app="workflow", quick_actions=[{"code": "approve", "label": _("Approve")}],
               target=f"{ITEM}:{item.pk}")


def reminded(item: WorkItem, by: Any) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Reminder: “%(title)s” is waiting for you (%(step)s)")
    _send(item, sender=by, to=[item.assignee], title=title, priority=Notice.Priority.URGENT)


def yellow_card(item: WorkItem) -> None:
    """Due soon: the handler is warned."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Due soon (yellow card): “%(title)s” (%(step)s)")
    _send(item, sender=None, to=[item.assignee], title=title, priority=Notice.Priority.NORMAL)


def red_card(item: WorkItem, leaders: list[str]) -> None:
    """Overdue: the handler and the leaders above them (usernames)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Overdue (red card): “%(title)s” (%(step)s)")
    _send(item, sender=None, to=[item.assignee, *(f"user:{username}" for username in leaders)], title=title,
          priority=Notice.Priority.URGENT)
