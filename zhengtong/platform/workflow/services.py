"""Running processes: the only code that changes instances, work items and the action log.

Every operation locks the instance row first, so two people acting on one process at the
same moment are serialised: the second sees the first's result (a 或签 has exactly one
winner). Each operation checks ``access``, writes the action log and the audit record in the
same transaction as the change.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, ServiceError
from zhengtong.platform.access.policy import can, require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.workflow import assignment, engine, forms
from zhengtong.platform.workflow.definitions import StepConfig, active, parsed
from zhengtong.platform.workflow.models import Action, ProcessInstance, WorkItem
from zhengtong.platform.workflow.rules import ACT, START

OPEN_STATES = (WorkItem.State.OPEN, WorkItem.State.WAITING, WorkItem.State.DELEGATED)


def _log(instance: ProcessInstance, kind: str, actor: Any, *, item: WorkItem | None = None, step: StepConfig | None = None,
         comment: str = "", data: dict[str, Any] | None = None, on_behalf_of: Any = None, attachment: Any = None) -> Action:
    return Action.objects.create(
        instance=instance, work_item=item, kind=kind, actor=actor, on_behalf_of=on_behalf_of, comment=comment,
        step_id=step.step_id if step else (item.step_id if item else ""), step_name=step.name if step else (item.step_name if item else ""),
        data=data or {}, attachment=attachment or "",
    )


def _step(instance: ProcessInstance, step_id: str) -> StepConfig:
    return parsed(instance.definition).steps[step_id]


# --- Starting ----------------------------------------------------------------------------


def start(*, acting_user: Any, key: str, title: str, data: dict[str, Any] | None = None, classification: int = 0,
          subject: str = "", chosen: list[str] | None = None, comment: str = "") -> ProcessInstance:
    """Start the active version of process ``key`` with the form ``data``.

    The first step, when it is the initiator's own (申请 / 拟稿), is the submission itself.
    """
    definition = active(key)
    require(acting_user, START, definition)
    title = title.strip()
    if not title:
        raise ServiceError("invalid", _("A title is required."), {"title": [_("This field is required.")]})
    if classification > min(getattr(acting_user, "clearance", 0), settings.MAX_CLASSIFICATION):
        raise ServiceError("invalid", _("You cannot start a process above your own clearance."), {"classification": [_("Too high.")]})
    process = parsed(definition)
    first = process.steps[process.order[0]]
    editable = {spec["name"] for spec in definition.form if first.field_access(spec["name"]) == "edit"} \
        if first.assignee == "initiator" else {spec["name"] for spec in definition.form}
    values = forms.clean(definition.form, data or {}, editable=editable, existing={})
    with transaction.atomic():
        instance = ProcessInstance.objects.create(definition=definition, title=title[:300], initiator=acting_user, data=values,
                                                  classification=classification, subject=subject)
        workflow = engine.create(instance, values)
        _log(instance, Action.Kind.START, acting_user, comment=comment)
        for spiff_task in engine.ready_steps(workflow):
            if spiff_task.task_spec.bpmn_id == first.step_id and first.assignee == "initiator":
                engine.complete(workflow, str(spiff_task.id), {first.step_id: WorkItem.Outcome.APPROVED})
        _advance(instance, workflow, chosen=chosen or [])
        audit.record("workflow.started", actor=acting_user, obj=instance, changes={"process": [None, definition.key]})
    return instance


# --- Moving on ---------------------------------------------------------------------------


def _open_items(instance: ProcessInstance, workflow: Any, spiff_task: Any, config: StepConfig, chosen: list[str]) -> bool:
    """Create the work items of a newly ready step; True when the step was passed without anyone."""
    people = assignment.resolve(config.assignee, initiator=instance.initiator, data=instance.data, chosen=chosen)
    if not people:
        if config.when_empty == "skip":
            _log(instance, Action.Kind.SKIP, None, step=config)
            engine.complete(workflow, str(spiff_task.id), {config.step_id: WorkItem.Outcome.SKIPPED})
            return True
        people = assignment.process_administrators() if config.when_empty == "admin" else []
        if not people:
            raise ServiceError("no_assignee", _("No one can be found for the step %(step)s.") % {"step": config.name})
    if config.initiator_auto_pass and [person.pk for person in people] == [instance.initiator_id]:
        _log(instance, Action.Kind.AUTO_PASS, None, step=config, on_behalf_of=instance.initiator)
        engine.complete(workflow, str(spiff_task.id), {config.step_id: WorkItem.Outcome.APPROVED})
        return True
    mode = config.mode if config.mode != "single" or len(people) == 1 else WorkItem.Mode.ANY
    now = timezone.now()
    for position, person in enumerate(people):
        delegate = assignment.standing_delegate(person, instance.definition.key)
        waiting = mode == WorkItem.Mode.SEQUENTIAL and position > 0
        WorkItem.objects.create(
            instance=instance, step_id=config.step_id, step_name=config.name, engine_task_id=str(spiff_task.id),
            assignee=delegate or person, principal=person if delegate else None, mode=mode, sequence=position,
            state=WorkItem.State.WAITING if waiting else WorkItem.State.OPEN, created_at=now,
        )
    return False


def _advance(instance: ProcessInstance, workflow: Any, *, chosen: list[str]) -> None:
    """Staff every newly ready step (skips and auto-passes may ready further steps), then save."""
    process = parsed(instance.definition)
    while True:
        staffed = set(WorkItem.objects.filter(instance=instance).exclude(state=WorkItem.State.CANCELLED)
                      .values_list("engine_task_id", flat=True))
        fresh = [task for task in engine.ready_steps(workflow) if str(task.id) not in staffed]
        if not fresh:
            break
        moved = False
        for spiff_task in fresh:
            moved |= _open_items(instance, workflow, spiff_task, process.steps[spiff_task.task_spec.bpmn_id], chosen)
        if not moved:
            break
    ready = engine.ready_steps(workflow)
    instance.current_steps = "、".join(dict.fromkeys(task.task_spec.bpmn_name or task.task_spec.bpmn_id for task in ready))[:300]
    if workflow.is_completed():
        _finish(instance, ProcessInstance.State.APPROVED)
    engine.save(instance, workflow)
    instance.save()


def _finish(instance: ProcessInstance, state: str) -> None:
    instance.state = state
    instance.ended_at = timezone.now()
    instance.current_steps = ""
    WorkItem.objects.filter(instance=instance, state__in=OPEN_STATES).update(state=WorkItem.State.CANCELLED, completed_at=timezone.now())
    _log(instance, Action.Kind.COMPLETE, None, data={"state": state})


def _locked(item_id: int) -> tuple[ProcessInstance, WorkItem]:
    """Lock the instance (serialising every action on it), then read the work item afresh."""
    instance_id = WorkItem.objects.filter(pk=item_id).values_list("instance_id", flat=True).first()
    if instance_id is None:
        raise ServiceError("not_found", _("There is no such task."))
    instance = ProcessInstance.objects.select_for_update().select_related("definition", "initiator").get(pk=instance_id)
    return instance, WorkItem.objects.get(pk=item_id)


def _check_can_act(acting_user: Any, instance: ProcessInstance, item: WorkItem) -> None:
    if not can(acting_user, ACT, item):
        raise PermissionDenied
    if instance.state != ProcessInstance.State.RUNNING:
        raise Conflict("closed", _("This process has ended (%(state)s).") % {"state": instance.get_state_display()})
    if item.state != WorkItem.State.OPEN:
        raise Conflict("not_open", _("This task is no longer open: %(state)s.") % {"state": item.get_state_display()})


def _step_decision(instance: ProcessInstance, item: WorkItem, config: StepConfig) -> str | None:
    """Whether the step the item belongs to is decided: approved, rejected, or not yet (None)."""
    siblings = WorkItem.objects.filter(instance=instance, engine_task_id=item.engine_task_id).exclude(state=WorkItem.State.CANCELLED)
    if item.mode in (WorkItem.Mode.SINGLE, WorkItem.Mode.ANY, WorkItem.Mode.CLAIM):
        return item.outcome
    if item.mode == WorkItem.Mode.SEQUENTIAL:
        if item.outcome == WorkItem.Outcome.REJECTED:
            return item.outcome
        following = siblings.filter(state=WorkItem.State.WAITING).order_by("sequence").first()
        if following is None:
            return WorkItem.Outcome.APPROVED
        following.state = WorkItem.State.OPEN
        following.created_at = timezone.now()
        following.save(update_fields=["state", "created_at"])
        return None
    total = siblings.count()
    approved = siblings.filter(outcome=WorkItem.Outcome.APPROVED).count()
    rejected = siblings.filter(outcome=WorkItem.Outcome.REJECTED).count()
    if approved >= config.pass_ratio * total - 1e-9:
        return WorkItem.Outcome.APPROVED
    if total - rejected < config.pass_ratio * total - 1e-9:
        return WorkItem.Outcome.REJECTED
    return None


def _decide(acting_user: Any, item_id: int, outcome: str, *, comment: str, data: dict[str, Any] | None,
            chosen: list[str] | None, attachment: Any) -> ProcessInstance:
    with transaction.atomic():
        instance, item = _locked(item_id)
        _check_can_act(acting_user, instance, item)
        config = _step(instance, item.step_id)
        if data:
            editable = {spec["name"] for spec in instance.definition.form if config.field_access(spec["name"]) == "edit"}
            instance.data = forms.clean(instance.definition.form, data, editable=editable, existing=instance.data)
        now = timezone.now()
        item.state, item.outcome, item.comment, item.completed_at = WorkItem.State.DONE, outcome, comment, now
        item.save(update_fields=["state", "outcome", "comment", "completed_at"])
        kind = Action.Kind.APPROVE if outcome == WorkItem.Outcome.APPROVED else Action.Kind.REJECT
        _log(instance, kind, acting_user, item=item, comment=comment, on_behalf_of=item.principal, attachment=attachment)
        decision = _step_decision(instance, item, config)
        workflow = engine.load(instance)
        if decision is not None:
            WorkItem.objects.filter(instance=instance, engine_task_id=item.engine_task_id, state__in=OPEN_STATES).update(
                state=WorkItem.State.CANCELLED, completed_at=now)
        if decision == WorkItem.Outcome.REJECTED:
            engine.stop(workflow)
            _finish(instance, ProcessInstance.State.REJECTED)
            engine.save(instance, workflow)
            instance.save()
        elif decision == WorkItem.Outcome.APPROVED:
            engine.complete(workflow, item.engine_task_id, {**instance.data, config.step_id: decision})
            _advance(instance, workflow, chosen=chosen or [])
        else:
            instance.save(update_fields=["data"])
        audit.record(f"workflow.{kind}", actor=acting_user, obj=instance, detail=f"{config.name}: {comment}"[:500])
    return instance


def approve(*, acting_user: Any, item_id: int, comment: str = "", data: dict[str, Any] | None = None,
            chosen: list[str] | None = None, attachment: Any = None) -> ProcessInstance:
    return _decide(acting_user, item_id, WorkItem.Outcome.APPROVED, comment=comment, data=data, chosen=chosen, attachment=attachment)


def reject(*, acting_user: Any, item_id: int, comment: str = "", attachment: Any = None) -> ProcessInstance:
    if not comment.strip():
        raise ServiceError("invalid", _("Say why you reject it."), {"comment": [_("This field is required.")]})
    return _decide(acting_user, item_id, WorkItem.Outcome.REJECTED, comment=comment, data=None, chosen=None, attachment=attachment)

