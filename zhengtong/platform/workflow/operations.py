"""What a person may do to a process now: the one answer for its page, the API and phone clients.

``available_operations(user, instance)`` looks at the process's state, the person's open task in
it, the step's allowed operations (``StepConfig.operations``) and their role, and names every
operation the services would accept from them. The services still check each one when it is
asked for; this only tells a client which buttons to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zhengtong.platform.access.policy import can
from zhengtong.platform.workflow import services
from zhengtong.platform.workflow.definitions import parsed
from zhengtong.platform.workflow.models import Action, Copy, ProcessInstance, WorkItem
from zhengtong.platform.workflow.permissions import MANAGE

OPEN_STATES = (WorkItem.State.OPEN, WorkItem.State.WAITING, WorkItem.State.DELEGATED)
# In the order a page shows them.
CODES = ("approve", "reject", "claim", "hand_back", "return", "transfer", "delegate", "add_signer", "remove_signer", "withdraw",
         "cancel", "remind", "copy", "read", "terminate", "reassign")


@dataclass(frozen=True)
class Operations:
    item: WorkItem | None  # the person's open task in the process, if any
    codes: tuple[str, ...]
    return_targets: list[tuple[str, str]] = field(default_factory=list)  # (step id, name) for "return"
    added: list[WorkItem] = field(default_factory=list)  # signers they added and may remove
    open_items: list[WorkItem] = field(default_factory=list)  # what a process administrator may reassign

    def __contains__(self, code: str) -> bool:
        return code in self.codes


def last_actor_id(instance: ProcessInstance) -> int | None:
    """Who may withdraw (撤回): the last to submit or approve, while that action moved the engine."""
    last = instance.actions.filter(kind__in=(Action.Kind.START, Action.Kind.APPROVE)).order_by("-created_at", "-id").first()
    return last.actor_id if last and last.data.get("engine_task_id") else None


def _item_codes(instance: ProcessInstance, item: WorkItem) -> tuple[set[str], list[tuple[str, str]]]:
    if item.mode == WorkItem.Mode.CLAIM:
        return {"claim"}, []
    if item.role == WorkItem.Role.DELEGATE:
        return {"hand_back"}, []
    allowed = set(parsed(instance.definition).steps[item.step_id].operations)
    codes = {"approve", "reject"} | (allowed & {"transfer", "add_signer"})
    if "delegate" in allowed and item.role == WorkItem.Role.ASSIGNEE:
        codes.add("delegate")
    targets = services.return_targets(instance) if "return" in allowed else []
    if targets:
        codes.add("return")
    return codes, targets


def available_operations(user: Any, instance: ProcessInstance) -> Operations:
    if instance.state != ProcessInstance.State.RUNNING:
        unread = Copy.objects.filter(instance=instance, user_id=user.pk, read_at__isnull=True).exists()
        return Operations(None, tuple(code for code in CODES if code in {"copy"} | ({"read"} if unread else set())))
    item = WorkItem.objects.filter(instance=instance, assignee_id=user.pk, state=WorkItem.State.OPEN).first()
    codes, targets = _item_codes(instance, item) if item is not None else (set(), [])
    added = list(WorkItem.objects.filter(instance=instance, added_by_id=user.pk, state__in=OPEN_STATES,
                                         role__in=(WorkItem.Role.BEFORE, WorkItem.Role.AFTER)).select_related("assignee"))
    manager = can(user, MANAGE)
    is_initiator = instance.initiator_id == user.pk
    codes |= {"copy"}
    codes |= {"remove_signer"} if added else set()
    codes |= {"withdraw"} if last_actor_id(instance) == user.pk else set()
    codes |= {"cancel"} if is_initiator else set()
    codes |= {"remind"} if is_initiator or manager else set()
    codes |= {"read"} if Copy.objects.filter(instance=instance, user_id=user.pk, read_at__isnull=True).exists() else set()
    open_items: list[WorkItem] = []
    if manager:
        codes |= {"terminate", "reassign"}
        open_items = list(WorkItem.objects.filter(instance=instance, state__in=OPEN_STATES).select_related("assignee", "principal"))
    return Operations(item, tuple(code for code in CODES if code in codes), targets, added, open_items)
