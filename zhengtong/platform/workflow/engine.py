"""The thin layer over SpiffWorkflow: create, load, save and move a process's engine state.

Deserialising the engine's state costs more than anything else an action does, so each process
keeps the engines it last saved in memory, by instance and ``engine_version`` (drawn at random at
each save): an operation takes
its engine out (``load``), and it goes back only once the operation has committed (``keep``). A
version that no longer matches — another process saved since, or a restore — is read afresh.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from typing import Any
from uuid import UUID

from django.db import transaction
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from zhengtong.platform.workflow.definitions import parsed
from zhengtong.platform.workflow.models import ProcessInstance
from zhengtong.platform.workflow.sandbox import script_engine

_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
KEPT = 512
_kept: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
_kept_lock = threading.Lock()


def create(instance: ProcessInstance, data: dict[str, Any]) -> BpmnWorkflow:
    workflow = BpmnWorkflow(parsed(instance.definition).spec, script_engine=script_engine())
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    workflow.do_engine_steps()
    return workflow


def load(instance: ProcessInstance) -> BpmnWorkflow:
    """The process's engine, as its row's state says; the caller owns it from now on."""
    with _kept_lock:
        kept = _kept.pop(instance.pk, None)
    if kept is not None and kept[0] == instance.engine_version:
        return kept[1]
    workflow = _SERIALIZER.deserialize_json(instance.engine_state)
    workflow.script_engine = script_engine()
    return workflow


def save(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    instance.engine_state = _SERIALIZER.serialize_json(workflow)
    instance.engine_version = secrets.randbits(62)


def keep(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    """Keep the saved engine for the process's next operation, once this one has committed."""
    pk, version = instance.pk, instance.engine_version

    def kept() -> None:
        with _kept_lock:
            _kept[pk] = (version, workflow)
            _kept.move_to_end(pk)
            while len(_kept) > KEPT:
                _kept.popitem(last=False)

    transaction.on_commit(kept)


def ready_steps(workflow: BpmnWorkflow) -> list[SpiffTask]:
    """The user tasks waiting for people, in a stable order."""
    return sorted((task for task in workflow.get_tasks(state=TaskState.READY) if task.task_spec.manual),
                  key=lambda task: (task.task_spec.bpmn_id, str(task.id)))


def task(workflow: BpmnWorkflow, task_id: str) -> SpiffTask:
    return workflow.get_task_from_id(UUID(task_id))


def complete(workflow: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> None:
    """Finish a user task with ``data`` merged into its data, and run the engine on."""
    spiff_task = task(workflow, task_id)
    spiff_task.data.update(data)
    spiff_task.run()
    workflow.do_engine_steps()


def completed_step_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    """User tasks already completed, oldest first: the places 退回 may go back to."""
    done = [task for task in workflow.get_tasks(state=TaskState.COMPLETED) if task.task_spec.manual]
    return sorted(done, key=lambda task: task.last_state_change)


def completed_from(workflow: BpmnWorkflow, task_id: str) -> list[str]:
    """The user tasks completed from ``task_id`` on (it included), as step ids in the order they were
    completed: what going back to it will take again."""
    pending, found = [task(workflow, task_id)], []
    while pending:
        current = pending.pop()
        if current.task_spec.manual and current.state == TaskState.COMPLETED:
            found.append(current)
        pending.extend(current.children)
    return [done.task_spec.bpmn_id for done in sorted(found, key=lambda done: done.last_state_change)]


def rewind(workflow: BpmnWorkflow, task_id: str) -> None:
    """Put the process back at an earlier user task (退回 / 撤回)."""
    workflow.reset_from_task_id(UUID(task_id))
    workflow.do_engine_steps()


def refresh_timers(workflow: BpmnWorkflow) -> None:
    workflow.refresh_timers()
    workflow.do_engine_steps()


def stop(workflow: BpmnWorkflow) -> None:
    workflow.cancel()
