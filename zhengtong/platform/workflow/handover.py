"""When a person leaves, their open work goes to their department head (交接).

The directory sends ``person_left`` after the person's account is disabled; every open work
item of theirs is reassigned by the system, with a trace entry, to the leader one level up
from them — or to the process administrators when they have no leader.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory import queries as directory
from zhengtong.platform.directory.signals_lifecycle import person_left
from zhengtong.platform.workflow import assignment
from zhengtong.platform.workflow.models import Action, WorkItem


@receiver(person_left)
def hand_over_open_work(sender: Any, user: Any, acting_user: Any = None, reason: str = "", **kwargs: Any) -> int:
    from zhengtong.platform.workflow.services import OPEN_STATES, hand_over_item, lock_instance

    successors = directory.department_head(user) or assignment.process_administrators()
    if not successors:
        return 0
    successor = successors[0]
    handed = 0
    for item_id in WorkItem.objects.filter(assignee=user, state__in=OPEN_STATES).values_list("pk", flat=True):
        with transaction.atomic():
            # The instance first, as every workflow operation locks it: the same order, no deadlock.
            lock_instance(WorkItem.objects.values_list("instance_id", flat=True).get(pk=item_id))
            item = WorkItem.objects.select_for_update().select_related("instance").get(pk=item_id)
            if item.state not in OPEN_STATES:
                continue
            hand_over_item(item, successor)
            item.state, item.completed_at = WorkItem.State.CANCELLED, timezone.now()
            item.save(update_fields=["state", "completed_at"])
            Action.objects.create(instance=item.instance, work_item=item, kind=Action.Kind.REASSIGN, step_id=item.step_id,
                                  step_name=item.step_name, comment=reason,
                                  data={"from": user.username, "to": successor.username, "why": "left"})
            audit.record("workflow.handover", actor=acting_user, obj=item.instance, detail=f"{user.username} → {successor.username}")
            handed += 1
    return handed
