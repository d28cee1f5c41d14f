"""The workflow's reminders (催办) and yellow/red cards reach people as notices.

The engine never notifies anyone itself (workflow/events.py); the message center listens.
Each notice offers 同意 in place, run through ``workflow.services.approve`` with its checks.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.notices import actions
from zhengtong.platform.notices.models import Notice
from zhengtong.platform.notices.services import notify
from zhengtong.platform.workflow import events
from zhengtong.platform.workflow.permissions import NOTICE_CATEGORY

logger = logging.getLogger(__name__)
APP = "workflow"
TARGET = "workflow.item:"


def approve(user: Any, notice: Notice, comment: str) -> str:
    from zhengtong.platform.workflow import services as workflow

    if not notice.target.startswith(TARGET):
        raise ServiceError("invalid", _("This notice offers no such action."))
    workflow.approve(acting_user=user, item_id=int(notice.target.removeprefix(TARGET)), comment=comment)
    return _("Approved.")


actions.register(APP, "approve", approve)


def _notify_about(item: Any, *, sender: Any, to: list[Any], title: str, priority: str) -> None:
    # The signals arrive after the workflow's commit: a notice that cannot be sent must not turn
    # the committed action into an error page, so it is logged instead.
    try:
        with translation.override(settings.LANGUAGE_CODE):
            notify(sender=sender, to=to, title=title % {"title": item.instance.title, "step": item.step_name},
                   link=reverse("workflow:instance", args=[item.instance_id]), category=NOTICE_CATEGORY, priority=priority,
                   app=APP, quick_actions=[{"code": "approve", "label": _("Approve")}], target=f"{TARGET}{item.pk}")
    except Exception:  # noqa: BLE001  (see above)
        logger.exception("notice about work item %s failed", item.pk)


@receiver(events.work_reminded)
def reminded(sender: Any, item: Any, by: Any = None, **kwargs: Any) -> None:
    _notify_about(item, sender=by, to=[item.assignee], title=_("Reminder: “%(title)s” is waiting for you (%(step)s)"),
                  priority=Notice.Priority.URGENT)


@receiver(events.work_overdue)
def overdue(sender: Any, item: Any, level: str, leaders: Any = (), **kwargs: Any) -> None:
    """Yellow: the handler is warned. Red: the handler and the leaders above them (usernames)."""
    if level == "red":
        _notify_about(item, sender=None, to=[item.assignee, *(f"user:{username}" for username in leaders)],
                      title=_("Overdue (red card): “%(title)s” (%(step)s)"), priority=Notice.Priority.URGENT)
    else:
        _notify_about(item, sender=None, to=[item.assignee], title=_("Due soon (yellow card): “%(title)s” (%(step)s)"),
                      priority=Notice.Priority.NORMAL)
