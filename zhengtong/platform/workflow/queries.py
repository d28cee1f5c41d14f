"""Reading processes: the to-do lists, one instance as a person may see it, its trace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet

from zhengtong.platform.access.policy import can, clearance_of, permissions_of
from zhengtong.platform.workflow import forms
from zhengtong.platform.workflow.assignment import MANAGE
from zhengtong.platform.workflow.definitions import parsed
from zhengtong.platform.workflow.models import Action, Copy, ProcessDefinition, ProcessInstance, WorkItem
from zhengtong.platform.workflow.rules import START

TABS = ("todo", "done", "started", "copied")
ACCESS_RANK = {"hidden": 0, "view": 1, "edit": 2}


def startable(user: Any) -> list[ProcessDefinition]:
    return [definition for definition in ProcessDefinition.objects.filter(is_active=True).order_by("name")
            if can(user, START, definition)]


def _within_clearance(user: Any, items: QuerySet[Any], prefix: str = "instance__") -> QuerySet[Any]:
    return items.filter(**{f"{prefix}classification__lte": clearance_of(user)})


def todo(user: Any) -> QuerySet[WorkItem]:
    """待办: open items, the ones due soonest first, then the newest."""
    items = WorkItem.objects.filter(assignee=user, state=WorkItem.State.OPEN)
    return _within_clearance(user, items).select_related("instance", "instance__initiator", "instance__definition", "principal") \
        .order_by(F("due_at").asc(nulls_last=True), "-created_at", "-id")


def done(user: Any) -> QuerySet[WorkItem]:
    """已办: what I decided, newest first."""
    items = WorkItem.objects.filter(assignee=user, state=WorkItem.State.DONE)
    return _within_clearance(user, items).select_related("instance", "instance__initiator", "instance__definition") \
        .order_by("-completed_at", "-id")


def started(user: Any) -> QuerySet[ProcessInstance]:
    """我发起的."""
    return ProcessInstance.objects.filter(initiator=user).select_related("definition").order_by("-started_at", "-id")


def copied(user: Any) -> QuerySet[Copy]:
    """抄送我的 and 传阅: unread first."""
    copies = Copy.objects.filter(user=user)
    return _within_clearance(user, copies).select_related("instance", "instance__definition", "sent_by") \
        .order_by("read_at", "-created_at", "-id")


def counts(user: Any) -> dict[str, int]:
    return {
        "todo": todo(user).count(),
        "started": started(user).filter(state=ProcessInstance.State.RUNNING).count(),
        "copied": copied(user).filter(read_at__isnull=True).count(),
    }


@dataclass(frozen=True)
class InstanceView:
    """One process as one person sees it: the fields their steps let them see, and what they may do."""

    instance: ProcessInstance
    fields: list[dict[str, Any]]
    values: dict[str, Any]
    open_item: WorkItem | None


def field_access(user: Any, instance: ProcessInstance, open_item: WorkItem | None) -> Any:
    """The access a person has to each field: the best over the steps they work or worked on.

    Only the step they are working on now can edit; process administrators see every field.
    """
    process = parsed(instance.definition)
    if MANAGE in permissions_of(user):
        return lambda name: "view"
    steps = set(WorkItem.objects.filter(instance=instance, assignee=user).values_list("step_id", flat=True))
    if instance.initiator_id == user.pk:
        steps.add(process.order[0])

    def access(name: str) -> str:
        best = "hidden"
        for step_id in steps:
            level = process.steps[step_id].field_access(name)
            level = "view" if level == "edit" and (open_item is None or open_item.step_id != step_id) else level
            best = max(best, level, key=ACCESS_RANK.__getitem__)
        return best

    return access


def instance_view(user: Any, instance: ProcessInstance) -> InstanceView:
    open_item = WorkItem.objects.filter(instance=instance, assignee=user, state=WorkItem.State.OPEN).first()
    access = field_access(user, instance, open_item)
    form = instance.definition.form
    return InstanceView(instance, forms.visible_fields(form, access), forms.visible_values(form, instance.data, access), open_item)


def trace(instance: ProcessInstance) -> QuerySet[Action]:
    """流程跟踪: who did what, when, with which comment, in order."""
    return instance.actions.select_related("actor", "on_behalf_of").order_by("created_at", "id")


def holders(instance_id: int | None) -> list[WorkItem]:
    """Who holds the process now: the open items of its current steps (a 委派 delegate's, not the
    delegator's), with their due times, soonest due first. Later signers still waiting their turn
    are not holders yet."""
    if instance_id is None:
        return []
    items = WorkItem.objects.filter(instance_id=instance_id, state=WorkItem.State.OPEN)
    return list(items.select_related("assignee", "principal").order_by(F("due_at").asc(nulls_last=True), "id"))


def step_states(instance: ProcessInstance) -> dict[str, str]:
    """Each step's state for the diagram: done, current, or (absent) pending."""
    states: dict[str, str] = {}
    passed = instance.actions.filter(kind__in=(Action.Kind.APPROVE, Action.Kind.AUTO_PASS, Action.Kind.SKIP, Action.Kind.REJECT))
    for step_id in passed.values_list("step_id", flat=True):
        states[step_id] = "done"
    if instance.actions.filter(kind=Action.Kind.START).exists():
        states[parsed(instance.definition).order[0]] = "done"
    if instance.state == ProcessInstance.State.RUNNING:
        current = WorkItem.objects.filter(instance=instance, state__in=(WorkItem.State.OPEN, WorkItem.State.WAITING,
                                                                        WorkItem.State.DELEGATED))
        for step_id in current.values_list("step_id", flat=True):
            states[step_id] = "current"
    return states
