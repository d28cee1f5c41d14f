"""The workflow's entries in the to-do list: each process as its participants should see it.

Every service that changes a process marks it (``changed``); at the end of the service
transaction the process is mirrored once — its work items (待办 / 已办), its copies (待阅 /
抄送我的) and its initiator's 我发起的 entry — however many times it changed. Outside a service
transaction (a maintenance command) the process is mirrored after the commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse

from zhengtong.platform import batch, registry
from zhengtong.platform.todo import services as todo
from zhengtong.platform.todo.models import Entry
from zhengtong.platform.workflow.models import Copy, ProcessInstance, WorkItem

ITEM, COPY, STARTED = "workflow.item", "workflow.copy", "workflow.instance"
URGENT_VALUES = {"urgent", "特急", "加急", "紧急"}
# What a to-do offers in place, by the item's role: a delegate hands back and a pooled task is
# claimed from the process page; everyone else may approve or reject from the list.
DECIDING_ROLES = (WorkItem.Role.ASSIGNEE, WorkItem.Role.BEFORE, WorkItem.Role.AFTER)


class ChangedProcesses(batch.Pending):
    order = 40

    def __init__(self) -> None:
        self.instance_ids: set[int] = set()

    def flush(self) -> None:
        for instance_id in sorted(self.instance_ids):
            mirror(instance_id)


def changed(instance: ProcessInstance) -> None:
    collected = batch.pending(ChangedProcesses)
    if collected is not None:
        collected.instance_ids.add(instance.pk)
    else:
        transaction.on_commit(lambda: mirror_now(instance.pk))


def mirror_now(instance_id: int) -> None:
    with batch.atomic():
        mirror(instance_id)


def _name(user: Any) -> str:
    return user.get_full_name() if user is not None else ""


def _urgency(instance: ProcessInstance) -> str:
    value = instance.data.get("urgency") if isinstance(instance.data, dict) else None
    return Entry.Urgency.URGENT if value in URGENT_VALUES else Entry.Urgency.NORMAL


def _item_todos(item: WorkItem, instance: ProcessInstance, common: dict[str, Any]) -> list[todo.Todo]:
    # Waiting, delegated-away and cancelled items are nobody's to-do and nobody's decision.
    if item.state not in (WorkItem.State.OPEN, WorkItem.State.DONE):
        return []
    is_open = item.state == WorkItem.State.OPEN
    offers = ("approve", "reject") if is_open and item.role in DECIDING_ROLES and item.mode != WorkItem.Mode.CLAIM else ()
    return [todo.Todo(user_id=item.assignee_id, subtitle=item.step_name, sender_name=_name(instance.initiator),
                      on_behalf_of=_name(item.principal), due_at=item.due_at if is_open else None,
                      warn_at=item.warn_at if is_open else None, created_at=item.created_at, completed_at=item.completed_at,
                      tab=Entry.Tab.TODO if is_open else Entry.Tab.DONE, state=Entry.State.OPEN if is_open else Entry.State.CLOSED,
                      actions=offers, **common)]


def mirror(instance_id: int) -> None:
    """Put every entry of one process in step with it."""
    instance = ProcessInstance.objects.select_related("initiator", "definition").filter(pk=instance_id).first()
    if instance is None:
        return
    apps = registry.current()
    app = apps.owner_of_process(instance.definition.key) or "workflow"
    common: dict[str, Any] = {"title": instance.title, "urgency": _urgency(instance), "classification": instance.classification,
                              "link": apps.subject_link(instance.subject) or reverse("workflow:instance", args=[instance.pk])}
    for item in WorkItem.objects.filter(instance=instance).select_related("principal"):
        todo.put(ITEM, item.pk, _item_todos(item, instance, common), app=app)
    for copy in Copy.objects.filter(instance=instance).select_related("sent_by"):
        todo.put(COPY, copy.pk, [todo.Todo(
            user_id=copy.user_id, sender_name=_name(copy.sent_by), created_at=copy.created_at, completed_at=copy.read_at,
            tab=Entry.Tab.TO_READ if copy.kind == Copy.Kind.CIRCULATE else Entry.Tab.COPIED,
            state=Entry.State.OPEN if copy.read_at is None else Entry.State.CLOSED, **common)], app=app)
    running = instance.state == ProcessInstance.State.RUNNING
    todo.put(STARTED, instance.pk, [todo.Todo(
        user_id=instance.initiator_id, subtitle=instance.current_steps or instance.get_state_display(),
        due_at=instance.due_at if running else None, created_at=instance.started_at, completed_at=instance.ended_at,
        tab=Entry.Tab.STARTED, state=Entry.State.OPEN if running else Entry.State.CLOSED, **common)], app=app)
