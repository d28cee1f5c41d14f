"""The workflow's entries in the to-do list: each process as its participants should see it.

An operation's ``Locked.save`` hands over what it changed (``changed``): each work item it opened
or changed becomes its assignee's entry (待办 while open, 已办 once decided, gone when cancelled),
and the initiator's 我发起的 entry follows the process — from the objects in memory, without
reading anything back. Copies (待阅 / 抄送我的) follow ``copy`` and ``mark_read``. ``mirror`` builds
every entry of a process from its tables, for maintenance (``manage.py workflow_todo_sync``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from zhengtong.platform import batch, registry
from zhengtong.platform.todo import services as todo
from zhengtong.platform.todo.models import Entry
from zhengtong.platform.workflow.models import Copy, ProcessInstance, WorkItem

if TYPE_CHECKING:
    from zhengtong.platform.workflow.services import Locked

ITEM, COPY, STARTED = "workflow.item", "workflow.copy", "workflow.instance"
URGENT_VALUES = {"urgent", "特急", "加急", "紧急"}
# What a to-do offers in place, by the item's role: a delegate hands back and a pooled task is
# claimed from the process page; everyone else may approve or reject from the list.
DECIDING_ROLES = (WorkItem.Role.ASSIGNEE, WorkItem.Role.BEFORE, WorkItem.Role.AFTER)


def _name(user: Any) -> str:
    return user.get_full_name() if user is not None else ""


def _common(instance: ProcessInstance) -> tuple[str, dict[str, Any]]:
    """The app the entries are filed under, and what every entry of the process shows."""
    apps = registry.current()
    value = instance.data.get("urgency") if isinstance(instance.data, dict) else None
    return apps.owner_of_process(instance.definition.key) or "workflow", {
        "title": instance.title, "classification": instance.classification,
        "urgency": Entry.Urgency.URGENT if value in URGENT_VALUES else Entry.Urgency.NORMAL,
        "link": apps.subject_link(instance.subject) or reverse("workflow:instance", args=[instance.pk])}


def _item_todo(item: WorkItem, instance: ProcessInstance, common: dict[str, Any]) -> todo.Todo | None:
    # Waiting, delegated-away and cancelled items are nobody's to-do and nobody's decision.
    if item.state not in (WorkItem.State.OPEN, WorkItem.State.DONE):
        return None
    is_open = item.state == WorkItem.State.OPEN
    offers = ("approve", "reject") if is_open and item.role in DECIDING_ROLES and item.mode != WorkItem.Mode.CLAIM else ()
    return todo.Todo(user_id=item.assignee_id, subtitle=item.step_name, sender_name=_name(instance.initiator),
                     on_behalf_of=_name(item.principal), due_at=item.due_at if is_open else None,
                     warn_at=item.warn_at if is_open else None, created_at=item.created_at, completed_at=item.completed_at,
                     tab=Entry.Tab.TODO if is_open else Entry.Tab.DONE, state=Entry.State.OPEN if is_open else Entry.State.CLOSED,
                     actions=offers, **common)


def _started_todo(instance: ProcessInstance, common: dict[str, Any]) -> todo.Todo:
    running = instance.state == ProcessInstance.State.RUNNING
    return todo.Todo(user_id=instance.initiator_id, subtitle=instance.current_steps or instance.get_state_display(),
                     due_at=instance.due_at if running else None, created_at=instance.started_at, completed_at=instance.ended_at,
                     tab=Entry.Tab.STARTED, state=Entry.State.OPEN if running else Entry.State.CLOSED, **common)


def changed(locked: Locked) -> None:
    """The entries of the items an operation opened or changed, and the initiator's."""
    instance = locked.instance
    app, common = _common(instance)
    for item in [*locked.opened, *locked.changed.values()]:
        todo.put_for(item.assignee_id, ITEM, item.pk, _item_todo(item, instance, common), app=app)
    todo.put_for(instance.initiator_id, STARTED, instance.pk, _started_todo(instance, common), app=app)


def _copy_todo(copy: Copy, common: dict[str, Any]) -> todo.Todo:
    return todo.Todo(user_id=copy.user_id, sender_name=_name(copy.sent_by), created_at=copy.created_at, completed_at=copy.read_at,
                     tab=Entry.Tab.TO_READ if copy.kind == Copy.Kind.CIRCULATE else Entry.Tab.COPIED,
                     state=Entry.State.OPEN if copy.read_at is None else Entry.State.CLOSED, **common)


def copies_changed(instance: ProcessInstance, copies: Iterable[Copy]) -> None:
    app, common = _common(instance)
    for copy in copies:
        todo.put_for(copy.user_id, COPY, copy.pk, _copy_todo(copy, common), app=app)


def mirror(instance_id: int) -> None:
    """Put every entry of one process in step with its tables."""
    instance = ProcessInstance.objects.select_related("initiator", "definition").filter(pk=instance_id).first()
    if instance is None:
        return
    app, common = _common(instance)
    for item in WorkItem.objects.filter(instance=instance).select_related("principal"):
        wanted = _item_todo(item, instance, common)
        todo.put(ITEM, item.pk, [wanted] if wanted else [], app=app)
    for copy in Copy.objects.filter(instance=instance).select_related("sent_by"):
        todo.put(COPY, copy.pk, [_copy_todo(copy, common)], app=app)
    todo.put(STARTED, instance.pk, [_started_todo(instance, common)], app=app)


def mirror_now(instance_id: int) -> None:
    with batch.atomic():
        mirror(instance_id)
