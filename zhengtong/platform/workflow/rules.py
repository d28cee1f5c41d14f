"""Who may see and act on processes (registered with ``access``)."""

from __future__ import annotations

from typing import Any

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import permissions_of
from zhengtong.platform.workflow.assignment import MANAGE
from zhengtong.platform.workflow.models import Copy, ProcessInstance, WorkItem

START = "workflow.start"
VIEW = "workflow.view"
ACT = "workflow.act"


def staff_may_start(user: Any, definition: Any) -> bool:
    return perms.USE_BUSINESS_APPS in permissions_of(user)


def participants_may_view(user: Any, instance: ProcessInstance) -> bool:
    """The initiator, everyone who has or had a work item, copy recipients, process administrators."""
    if MANAGE in permissions_of(user) or instance.initiator_id == user.pk:
        return True
    return (WorkItem.objects.filter(instance=instance, assignee=user).exists()
            or WorkItem.objects.filter(instance=instance, principal=user).exists()
            or Copy.objects.filter(instance=instance, user=user).exists())


def assignee_may_act(user: Any, item: WorkItem) -> bool:
    return item.assignee_id == user.pk


RULES = {START: staff_may_start, VIEW: participants_may_view, ACT: assignee_may_act}
