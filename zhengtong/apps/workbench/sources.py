"""Workflow work in the workbench: entries mirrored from processes, and approving in place.

Reading only: the workflow's tables are read here, never written; every decision goes through
``workflow.services``. Any event about a process re-mirrors the whole process (its work items,
copies and the initiator's 我发起的 entry), so the list converges whatever the order of events.

Receivers run after the workflow's commit (its signals are sent on commit); ``instance_changed``
comes with every logged action, so items decided, claimed away, handed on, copies sent and read
all reach the list even when no other signal says so.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhengtong.apps.workbench.actions import register_action
from zhengtong.apps.workbench.models import Entry
from zhengtong.apps.workbench.services import EntryData, Part, mirror
from zhengtong.platform import registry
from zhengtong.platform.workflow import events
from zhengtong.platform.workflow import services as workflow
from zhengtong.platform.workflow.models import Copy, ProcessInstance, WorkItem

APP = "workflow"
ITEM, INSTANCE, COPY = "workflow.item", "workflow.instance", "workflow.copy"
URGENT_VALUES = {"urgent", "特急", "加急", "紧急"}

def _name(user: Any) -> str:
    return user.get_full_name() if user is not None else ""


def _urgency(instance: ProcessInstance) -> str:
    value = instance.data.get("urgency") if isinstance(instance.data, dict) else None
    return Entry.Urgency.URGENT if value in URGENT_VALUES else Entry.Urgency.NORMAL


def wanted_entries(instance: ProcessInstance) -> list[Part]:
    """What the workbench should show about one process, for every person involved."""
    link = registry.current().subject_link(instance.subject) or reverse("workflow:instance", args=[instance.pk])
    common: dict[str, Any] = {"title": instance.title, "link": link, "urgency": _urgency(instance),
                              "classification": instance.classification}
    items = list(WorkItem.objects.filter(instance=instance).select_related("principal"))
    item_entries = [
        EntryData(source_id=str(item.pk), user_id=item.assignee_id, subtitle=item.step_name, sender_name=_name(instance.initiator),
                  on_behalf_of=_name(item.principal), due_at=item.due_at if item.state == WorkItem.State.OPEN else None,
                  warn_at=item.warn_at if item.state == WorkItem.State.OPEN else None, created_at=item.created_at,
                  completed_at=item.completed_at,
                  tab=Entry.Tab.TODO if item.state == WorkItem.State.OPEN else Entry.Tab.DONE,
                  state=Entry.State.OPEN if item.state == WorkItem.State.OPEN else Entry.State.CLOSED, **common)
        # Waiting, delegated-away and cancelled items are nobody's to-do and nobody's decision.
        for item in items if item.state in (WorkItem.State.OPEN, WorkItem.State.DONE)
    ]
    copies = list(Copy.objects.filter(instance=instance).select_related("sent_by"))
    copy_entries = [
        EntryData(source_id=str(copy.pk), user_id=copy.user_id, sender_name=_name(copy.sent_by), created_at=copy.created_at,
                  completed_at=copy.read_at, tab=Entry.Tab.TO_READ if copy.kind == Copy.Kind.CIRCULATE else Entry.Tab.COPIED,
                  state=Entry.State.OPEN if copy.read_at is None else Entry.State.CLOSED, **common)
        for copy in copies
    ]
    running = instance.state == ProcessInstance.State.RUNNING
    started = EntryData(source_id=str(instance.pk), user_id=instance.initiator_id, subtitle=instance.current_steps or
                        instance.get_state_display(), due_at=instance.due_at if running else None, created_at=instance.started_at,
                        completed_at=instance.ended_at, tab=Entry.Tab.STARTED,
                        state=Entry.State.OPEN if running else Entry.State.CLOSED, **common)
    return [Part(ITEM, {str(item.pk) for item in items}, item_entries), Part(COPY, {str(copy.pk) for copy in copies}, copy_entries),
            Part(INSTANCE, {str(instance.pk)}, [started])]


def sync_instance(instance_id: int) -> set[int]:
    instance = ProcessInstance.objects.select_related("initiator").filter(pk=instance_id).first()
    if instance is None:
        return set()
    return mirror(app=APP, parts=wanted_entries(instance))


@receiver(events.work_opened)
@receiver(events.work_overdue)
def _work_changed(sender: Any, item: WorkItem, **kwargs: Any) -> None:
    sync_instance(item.instance_id)


@receiver(events.instance_finished)
@receiver(events.instance_changed)
def _instance_changed(sender: Any, instance: ProcessInstance, **kwargs: Any) -> None:
    sync_instance(instance.pk)


def _approve(acting_user: Any, entry: Entry, comment: str) -> None:
    workflow.approve(acting_user=acting_user, item_id=int(entry.source_id), comment=comment)


def _reject(acting_user: Any, entry: Entry, comment: str) -> None:
    workflow.reject(acting_user=acting_user, item_id=int(entry.source_id), comment=comment)


register_action(APP, "approve", _("Approve"), _approve, batch=True)
register_action(APP, "reject", _("Reject"), _reject, comment_required=True)
