"""Running processes: the only code that changes instances, work items and the action log.

Every operation locks the instance row first, so two people acting on one process at the
same moment are serialised: the second sees the first's result (a 或签 has exactly one
winner). Each operation checks ``access``, writes the action log and the audit record in the
same transaction as the change.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, NotFound, ServiceError
from zhengtong.platform.access.policy import can, require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.workflow import assignment, deadlines, definitions, engine, events, forms, hooks
from zhengtong.platform.workflow.definitions import StepConfig, active, parsed
from zhengtong.platform.workflow.models import Action, Copy, ProcessDefinition, ProcessInstance, StandingDelegation, WorkItem
from zhengtong.platform.workflow.rules import ACT, START, VIEW

OPEN_STATES = (WorkItem.State.OPEN, WorkItem.State.WAITING, WorkItem.State.DELEGATED)


def _log(instance: ProcessInstance, kind: str, actor: Any, *, item: WorkItem | None = None, step: StepConfig | None = None,
         comment: str = "", data: dict[str, Any] | None = None, on_behalf_of: Any = None, attachment: Any = None) -> Action:
    _announce_change(instance)
    return Action.objects.create(
        instance=instance, work_item=item, kind=kind, actor=actor, on_behalf_of=on_behalf_of, comment=comment,
        step_id=step.step_id if step else (item.step_id if item else ""), step_name=step.name if step else (item.step_name if item else ""),
        data=data or {}, attachment=attachment or "",
    )


def _announce_change(instance: ProcessInstance) -> None:
    """After commit, tell listeners the process changed (listeners refresh idempotently)."""
    transaction.on_commit(lambda: events.instance_changed.send(sender=ProcessInstance, instance=instance))


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
    # Without a step of their own, the initiator fills in the whole form when starting.
    editable = {spec["name"] for spec in definition.form if first.field_access(spec["name"]) == "edit"} \
        if first.assignee == "initiator" else {spec["name"] for spec in definition.form}
    values = forms.clean(definition.form, data or {}, editable=editable, existing={})
    with transaction.atomic():
        instance = ProcessInstance.objects.create(definition=definition, title=title[:300], initiator=acting_user, data=values,
                                                  classification=classification, subject=subject)
        workflow = engine.create(instance, values)
        submitted = [task for task in engine.ready_steps(workflow)
                     if task.task_spec.bpmn_id == first.step_id and first.assignee == "initiator"]
        _log(instance, Action.Kind.START, acting_user, comment=comment,
             data={"engine_task_id": str(submitted[0].id)} if submitted else {})
        for spiff_task in submitted:
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
    deadline = deadlines.start(instance, config, str(spiff_task.id), now)
    for position, person in enumerate(people):
        delegate = assignment.standing_delegate(person, instance.definition.key)
        waiting = mode == WorkItem.Mode.SEQUENTIAL and position > 0
        item = WorkItem.objects.create(
            instance=instance, step_id=config.step_id, step_name=config.name, engine_task_id=str(spiff_task.id),
            assignee=delegate or person, principal=person if delegate else None, mode=mode, sequence=position,
            state=WorkItem.State.WAITING if waiting else WorkItem.State.OPEN, created_at=now,
            clock_id=deadline.clock_id if deadline else None, due_at=deadline.due_at if deadline else None,
            warn_at=deadline.warn_at if deadline else None,
        )
        deadlines.schedule(item, config)
        if not waiting:
            events_on_commit(events.work_opened, item)
    return False


def _advance(instance: ProcessInstance, workflow: Any, *, chosen: list[str]) -> None:
    """Staff every newly ready step (skips and auto-passes may ready further steps), then save."""
    process = parsed(instance.definition)
    while True:
        # A ready step is staffed while it has open items; after 退回/撤回 the engine readies an
        # earlier task again under its old id, whose items are all done: it is staffed anew.
        staffed = set(WorkItem.objects.filter(instance=instance, state__in=OPEN_STATES).values_list("engine_task_id", flat=True))
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
    _close_steps(instance)
    _log(instance, Action.Kind.COMPLETE, None, data={"state": state})
    transaction.on_commit(lambda: events.instance_finished.send(sender=ProcessInstance, instance=instance))


def _close_steps(instance: ProcessInstance, engine_task_id: str | None = None) -> None:
    """Close the open items of one step (or of every step): they are cancelled, clocks stop."""
    items = WorkItem.objects.filter(instance=instance, state__in=OPEN_STATES)
    if engine_task_id is not None:
        items = items.filter(engine_task_id=engine_task_id)
    for task_id in set(items.values_list("engine_task_id", flat=True)) | ({engine_task_id} if engine_task_id else set()):
        deadlines.stop(task_id, instance)
    items.update(state=WorkItem.State.CANCELLED, completed_at=timezone.now())


def _apply_decision(instance: ProcessInstance, engine_task_id: str, config: StepConfig, decision: str, chosen: list[str]) -> None:
    """A decided step: rejected ends the process; approved (or passed) moves the engine on."""
    workflow = engine.load(instance)
    _close_steps(instance, engine_task_id)
    if decision == WorkItem.Outcome.REJECTED:
        engine.stop(workflow)
        _finish(instance, ProcessInstance.State.REJECTED)
        engine.save(instance, workflow)
        instance.save()
    else:
        engine.complete(workflow, engine_task_id, {**instance.data, config.step_id: decision})
        _advance(instance, workflow, chosen=chosen)


def lock_instance(instance_id: int, *related: str) -> ProcessInstance:
    """Lock the instance row alone, then read it with ``related``: a locking join would also lock
    the joined rows (on PostgreSQL), serialising every process of one definition or initiator."""
    ProcessInstance.objects.select_for_update().filter(pk=instance_id).values_list("pk", flat=True).get()
    return ProcessInstance.objects.select_related(*related).get(pk=instance_id)


def _locked(item_id: int) -> tuple[ProcessInstance, WorkItem]:
    """Lock the instance (serialising every action on it), then read the work item afresh."""
    instance_id = WorkItem.objects.filter(pk=item_id).values_list("instance_id", flat=True).first()
    if instance_id is None:
        raise NotFound("not_found", _("There is no such task."))
    return lock_instance(instance_id, "definition", "initiator"), WorkItem.objects.get(pk=item_id)


def _check_can_act(acting_user: Any, instance: ProcessInstance, item: WorkItem) -> None:
    if not can(acting_user, ACT, item):
        raise PermissionDenied
    if instance.state != ProcessInstance.State.RUNNING:
        raise Conflict("closed", _("This process has ended (%(state)s).") % {"state": instance.get_state_display()})
    if item.state != WorkItem.State.OPEN:
        raise Conflict("not_open", _("This task is no longer open: %(state)s.") % {"state": item.get_state_display()})


def _base_decision(base: Any, item: WorkItem, config: StepConfig) -> str | None:
    """The decision of the step's own assignees, by the step's mode."""
    mode = base.first().mode if base.exists() else item.mode
    decided = base.filter(state=WorkItem.State.DONE).exclude(outcome=WorkItem.Outcome.TRANSFERRED)
    if mode in (WorkItem.Mode.SINGLE, WorkItem.Mode.ANY, WorkItem.Mode.CLAIM):
        first = decided.order_by("completed_at", "id").first()
        return first.outcome if first else None
    if mode == WorkItem.Mode.SEQUENTIAL:
        if decided.filter(outcome=WorkItem.Outcome.REJECTED).exists():
            return WorkItem.Outcome.REJECTED
        if base.filter(state__in=(WorkItem.State.OPEN, WorkItem.State.DELEGATED)).exists():
            return None
        following = base.filter(state=WorkItem.State.WAITING).order_by("sequence").first()
        if following is None:
            return WorkItem.Outcome.APPROVED
        following.state = WorkItem.State.OPEN
        following.created_at = timezone.now()
        following.save(update_fields=["state", "created_at"])
        events_on_commit(events.work_opened, following)
        return None
    total = base.exclude(outcome=WorkItem.Outcome.TRANSFERRED).count()
    approved = decided.filter(outcome=WorkItem.Outcome.APPROVED).count()
    rejected = decided.filter(outcome=WorkItem.Outcome.REJECTED).count()
    if approved >= config.pass_ratio * total - 1e-9:
        return WorkItem.Outcome.APPROVED
    if total - rejected < config.pass_ratio * total - 1e-9:
        return WorkItem.Outcome.REJECTED
    return None


def _step_decision(instance: ProcessInstance, item: WorkItem, config: StepConfig) -> str | None:
    """Whether the step is decided: approved, rejected, or not yet (None).

    Signers added after someone (后加签) must all agree too; one of them rejecting rejects.
    """
    siblings = WorkItem.objects.filter(instance=instance, engine_task_id=item.engine_task_id).exclude(state=WorkItem.State.CANCELLED)
    added = siblings.filter(role=WorkItem.Role.AFTER)
    if added.filter(outcome=WorkItem.Outcome.REJECTED).exists():
        return WorkItem.Outcome.REJECTED
    decision = _base_decision(siblings.filter(role=WorkItem.Role.ASSIGNEE), item, config)
    if decision == WorkItem.Outcome.APPROVED and added.filter(state__in=OPEN_STATES).exists():
        return None
    return decision


def _decide(acting_user: Any, item_id: int, outcome: str, *, comment: str, data: dict[str, Any] | None,
            chosen: list[str] | None, attachment: Any) -> ProcessInstance:
    with transaction.atomic():
        instance, item = _locked(item_id)
        _check_can_act(acting_user, instance, item)
        if item.role == WorkItem.Role.DELEGATE:
            raise Conflict("delegated", _("A delegated task is handed back with your opinion; the person who delegated it decides."))
        config = _step(instance, item.step_id)
        if data:
            editable = {spec["name"] for spec in instance.definition.form if config.field_access(spec["name"]) == "edit"}
            instance.data = forms.clean(instance.definition.form, data, editable=editable, existing=instance.data)
        now = timezone.now()
        item.state, item.outcome, item.comment, item.completed_at = WorkItem.State.DONE, outcome, comment, now
        item.save(update_fields=["state", "outcome", "comment", "completed_at"])
        kind = Action.Kind.APPROVE if outcome == WorkItem.Outcome.APPROVED else Action.Kind.REJECT
        _log(instance, kind, acting_user, item=item, comment=comment, on_behalf_of=item.principal, attachment=attachment,
             data={"engine_task_id": item.engine_task_id})
        # A signer added before me gives an opinion either way; then my task is mine to decide again.
        if item.role == WorkItem.Role.BEFORE and item.reopens_id:
            _reopen_when_clear(item.reopens_id)
            audit.record(f"workflow.{kind}", actor=acting_user, obj=instance, detail=f"{config.name}: {comment}"[:500])
            return instance
        decision = _step_decision(instance, item, config)
        if decision is None:
            instance.save(update_fields=["data"])
        else:
            hooks.step_decided(instance, config.step_id, decision, acting_user, comment)
            _apply_decision(instance, item.engine_task_id, config, decision, chosen or [])
        audit.record(f"workflow.{kind}", actor=acting_user, obj=instance, detail=f"{config.name}: {comment}"[:500])
    return instance


def _reopen_when_clear(item_id: int) -> None:
    """Reopen an item once every item added before it (前加签) is done."""
    held = WorkItem.objects.get(pk=item_id)
    pending = WorkItem.objects.filter(reopens=held, role=WorkItem.Role.BEFORE, state__in=OPEN_STATES).exists()
    if not pending and held.state == WorkItem.State.WAITING:
        held.state = WorkItem.State.OPEN
        held.save(update_fields=["state"])
        events_on_commit(events.work_opened, held)


def events_on_commit(signal: Any, item: WorkItem, **kwargs: Any) -> None:
    transaction.on_commit(lambda: signal.send(sender=WorkItem, item=item, **kwargs))


def approve(*, acting_user: Any, item_id: int, comment: str = "", data: dict[str, Any] | None = None,
            chosen: list[str] | None = None, attachment: Any = None) -> ProcessInstance:
    return _decide(acting_user, item_id, WorkItem.Outcome.APPROVED, comment=comment, data=data, chosen=chosen, attachment=attachment)


def reject(*, acting_user: Any, item_id: int, comment: str = "", attachment: Any = None) -> ProcessInstance:
    if not comment.strip():
        raise ServiceError("invalid", _("Say why you reject it."), {"comment": [_("This field is required.")]})
    return _decide(acting_user, item_id, WorkItem.Outcome.REJECTED, comment=comment, data=None, chosen=None, attachment=attachment)



# --- Handing work on: claim, add and remove signers, transfer, delegate ----------------------


def _person(username: str) -> Any:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ServiceError("invalid", _("No active person %(name)s.") % {"name": username}, {"to": [_("Unknown person.")]})
    return user


def _allowed(instance: ProcessInstance, item: WorkItem, operation: str) -> StepConfig:
    config = _step(instance, item.step_id)
    if operation not in config.operations:
        raise Conflict("not_allowed", _("The step %(step)s does not allow this.") % {"step": config.name})
    return config


def claim(*, acting_user: Any, item_id: int) -> WorkItem:
    """抢办: take a pooled task; everyone else's copy of it closes."""
    with transaction.atomic():
        instance, item = _locked(item_id)
        _check_can_act(acting_user, instance, item)
        if item.mode != WorkItem.Mode.CLAIM:
            raise Conflict("not_claimable", _("This task is not offered for claiming."))
        WorkItem.objects.filter(instance=instance, engine_task_id=item.engine_task_id, state=WorkItem.State.OPEN).exclude(
            pk=item.pk).update(state=WorkItem.State.CANCELLED, completed_at=timezone.now())
        item.mode = WorkItem.Mode.SINGLE
        item.save(update_fields=["mode"])
        _log(instance, Action.Kind.CLAIM, acting_user, item=item)
        audit.record("workflow.claim", actor=acting_user, obj=instance, detail=item.step_name)
    return item


def add_signers(*, acting_user: Any, item_id: int, usernames: list[str], before: bool, comment: str = "") -> list[WorkItem]:
    """加签: others sign before me (my task waits for them) or after me (the step waits for them)."""
    with transaction.atomic():
        instance, item = _locked(item_id)
        _check_can_act(acting_user, instance, item)
        _allowed(instance, item, "add_signer")
        people = [_person(name) for name in dict.fromkeys(usernames)]
        if not people or any(person.pk == acting_user.pk for person in people):
            raise ServiceError("invalid", _("Choose other people to add."), {"to": [_("Choose other people to add.")]})
        added = [WorkItem.objects.create(
            instance=instance, step_id=item.step_id, step_name=item.step_name, engine_task_id=item.engine_task_id,
            assignee=person, mode=WorkItem.Mode.SINGLE, role=WorkItem.Role.BEFORE if before else WorkItem.Role.AFTER,
            reopens=item if before else None, added_by=acting_user,
        ) for person in people]
        if before:
            item.state = WorkItem.State.WAITING
            item.save(update_fields=["state"])
        for new in added:
            events_on_commit(events.work_opened, new)
        _log(instance, Action.Kind.ADD_SIGNER, acting_user, item=item, comment=comment,
             data={"people": [person.username for person in people], "position": "before" if before else "after"})
        audit.record("workflow.add_signer", actor=acting_user, obj=instance, detail=", ".join(p.username for p in people))
    return added


def remove_signer(*, acting_user: Any, item_id: int, comment: str = "") -> None:
    """减签: take back a signer I added, while they have not signed."""
    with transaction.atomic():
        instance, item = _locked(item_id)
        if item.added_by_id != acting_user.pk:
            raise PermissionDenied
        if item.state not in OPEN_STATES or instance.state != ProcessInstance.State.RUNNING:
            raise Conflict("not_open", _("This signer has already signed."))
        _allowed(instance, item, "remove_signer")
        item.state, item.completed_at = WorkItem.State.CANCELLED, timezone.now()
        item.save(update_fields=["state", "completed_at"])
        if item.reopens_id:
            _reopen_when_clear(item.reopens_id)
        _log(instance, Action.Kind.REMOVE_SIGNER, acting_user, item=item, comment=comment, data={"person": item.assignee.username})
        audit.record("workflow.remove_signer", actor=acting_user, obj=instance, detail=item.assignee.username)
        if not item.reopens_id:
            _settle_step(instance, item)


def _settle_step(instance: ProcessInstance, item: WorkItem) -> None:
    """After a change of signers, complete the step if nothing is left to wait for."""
    config = _step(instance, item.step_id)
    decision = _step_decision(instance, item, config)
    if decision is None:
        return
    _apply_decision(instance, item.engine_task_id, config, decision, [])


def hand_over_item(item: WorkItem, to: Any) -> WorkItem:
    """A copy of an open item for someone else, keeping its place in the step (for 交接)."""
    return _hand_over(item.instance, item, to, item.role, reopens=item.reopens)


def _hand_over(instance: ProcessInstance, item: WorkItem, to: Any, role: str, *, reopens: WorkItem | None = None) -> WorkItem:
    new = WorkItem.objects.create(
        instance=instance, step_id=item.step_id, step_name=item.step_name, engine_task_id=item.engine_task_id, assignee=to,
        principal=item.principal or item.assignee, mode=item.mode, sequence=item.sequence, role=role, reopens=reopens,
        added_by=item.added_by, due_at=item.due_at, warn_at=item.warn_at, clock_id=item.clock_id,
    )
    events_on_commit(events.work_opened, new)
    return new


def _handing_over(acting_user: Any, item_id: int, operation: str, to: str) -> tuple[ProcessInstance, WorkItem, Any]:
    """The locked process, my open item and the person it goes to, for 转办 and 委派."""
    instance, item = _locked(item_id)
    _check_can_act(acting_user, instance, item)
    _allowed(instance, item, operation)
    target = _person(to)
    if target.pk == acting_user.pk:
        raise ServiceError("invalid", _("Choose someone else."), {"to": [_("Choose someone else.")]})
    return instance, item, target


def transfer(*, acting_user: Any, item_id: int, to: str, comment: str = "") -> WorkItem:
    """转办: the task becomes someone else's; they decide and the process goes on from them."""
    with transaction.atomic():
        instance, item, target = _handing_over(acting_user, item_id, "transfer", to)
        item.state, item.outcome, item.comment, item.completed_at = (WorkItem.State.DONE, WorkItem.Outcome.TRANSFERRED, comment,
                                                                     timezone.now())
        item.save(update_fields=["state", "outcome", "comment", "completed_at"])
        new = _hand_over(instance, item, target, item.role, reopens=item.reopens)
        _log(instance, Action.Kind.TRANSFER, acting_user, item=item, comment=comment, data={"to": target.username})
        audit.record("workflow.transfer", actor=acting_user, obj=instance, detail=f"{item.step_name} → {target.username}")
    return new


def delegate(*, acting_user: Any, item_id: int, to: str, comment: str = "") -> WorkItem:
    """委派: someone works on it and hands it back; I still decide."""
    with transaction.atomic():
        instance, item, target = _handing_over(acting_user, item_id, "delegate", to)
        item.state = WorkItem.State.DELEGATED
        item.save(update_fields=["state"])
        new = _hand_over(instance, item, target, WorkItem.Role.DELEGATE, reopens=item)
        _log(instance, Action.Kind.DELEGATE, acting_user, item=item, comment=comment, data={"to": target.username})
        audit.record("workflow.delegate", actor=acting_user, obj=instance, detail=f"{item.step_name} → {target.username}")
    return new


def hand_back(*, acting_user: Any, item_id: int, comment: str = "", attachment: Any = None) -> WorkItem:
    """The delegate's answer: their opinion goes back to the person who delegated."""
    with transaction.atomic():
        instance, item = _locked(item_id)
        _check_can_act(acting_user, instance, item)
        if item.role != WorkItem.Role.DELEGATE or item.reopens_id is None:
            raise Conflict("not_delegated", _("This task was not delegated to you."))
        item.state, item.outcome, item.comment, item.completed_at = (WorkItem.State.DONE, WorkItem.Outcome.HANDED_BACK, comment,
                                                                     timezone.now())
        item.save(update_fields=["state", "outcome", "comment", "completed_at"])
        owner = WorkItem.objects.get(pk=item.reopens_id)
        owner.state = WorkItem.State.OPEN
        owner.save(update_fields=["state"])
        events_on_commit(events.work_opened, owner)
        _log(instance, Action.Kind.DELEGATE_RETURN, acting_user, item=item, comment=comment, attachment=attachment,
             on_behalf_of=owner.assignee)
        audit.record("workflow.delegate_return", actor=acting_user, obj=instance, detail=item.step_name)
    return owner


# --- Going back: return (退回), withdraw (撤回) -------------------------------------------------


def _rewind_to(instance: ProcessInstance, engine_task_id: str) -> None:
    workflow = engine.load(instance)
    _close_steps(instance)
    engine.rewind(workflow, engine_task_id)
    _advance(instance, workflow, chosen=[])


def return_targets(instance: ProcessInstance) -> list[tuple[str, str]]:
    """The steps a task may be sent back to: those already passed, as (step id, name), in order."""
    workflow = engine.load(instance)
    steps = parsed(instance.definition).steps
    seen: dict[str, str] = {}
    for spiff_task in engine.completed_step_tasks(workflow):
        seen.setdefault(spiff_task.task_spec.bpmn_id, steps[spiff_task.task_spec.bpmn_id].name)
    return list(seen.items())


def return_to(*, acting_user: Any, item_id: int, step_id: str, comment: str) -> ProcessInstance:
    """退回: send the process back to a step already passed — the initiator's, the previous, any."""
    if not comment.strip():
        raise ServiceError("invalid", _("Say why you send it back."), {"comment": [_("This field is required.")]})
    with transaction.atomic():
        instance, item = _locked(item_id)
        _check_can_act(acting_user, instance, item)
        _allowed(instance, item, "return")
        workflow = engine.load(instance)
        passed = [task for task in engine.completed_step_tasks(workflow) if task.task_spec.bpmn_id == step_id]
        if not passed:
            raise ServiceError("invalid", _("The process has not been through that step; it can only go back to a step already passed."),
                               {"step": [_("Not a step already passed.")]})
        item.state, item.outcome, item.comment, item.completed_at = (WorkItem.State.DONE, WorkItem.Outcome.RETURNED, comment,
                                                                     timezone.now())
        item.save(update_fields=["state", "outcome", "comment", "completed_at"])
        _log(instance, Action.Kind.RETURN, acting_user, item=item, comment=comment, data={"to": step_id})
        hooks.step_decided(instance, step_id, WorkItem.Outcome.RETURNED, acting_user, comment)
        _rewind_to(instance, str(passed[-1].id))
        audit.record("workflow.return", actor=acting_user, obj=instance, detail=f"{item.step_name} → {step_id}: {comment}"[:500])
    return instance


def withdraw(*, acting_user: Any, instance_id: int, comment: str = "") -> ProcessInstance:
    """撤回: the last one to act (or the initiator, after submitting) takes it back, while the
    next step has not acted yet."""
    with transaction.atomic():
        instance = lock_instance(instance_id, "definition")
        if instance.state != ProcessInstance.State.RUNNING:
            raise Conflict("closed", _("This process has ended (%(state)s).") % {"state": instance.get_state_display()})
        last = instance.actions.filter(kind__in=(Action.Kind.START, Action.Kind.APPROVE)).order_by("-created_at", "-id").first()
        if last is None or last.actor_id != acting_user.pk or not last.data.get("engine_task_id"):
            raise Conflict("not_last", _("Only the last person to act can take the process back."))
        acted_since = WorkItem.objects.filter(instance=instance, completed_at__gt=last.created_at).exclude(
            outcome__in=("", WorkItem.Outcome.TRANSFERRED)).exclude(state=WorkItem.State.CANCELLED)
        if acted_since.exists() or instance.actions.filter(created_at__gt=last.created_at).exclude(
                kind__in=(Action.Kind.REMIND, Action.Kind.COPY, Action.Kind.READ, Action.Kind.COMPLETE)).exists():
            raise Conflict("acted", _("The next step has already acted; the process can no longer be taken back."))
        _log(instance, Action.Kind.WITHDRAW, acting_user, comment=comment, data={"to": last.step_id or "start"})
        hooks.step_decided(instance, last.step_id or parsed(instance.definition).order[0], WorkItem.Outcome.WITHDRAWN, acting_user,
                           comment)
        _rewind_to(instance, last.data["engine_task_id"])
        audit.record("workflow.withdraw", actor=acting_user, obj=instance, detail=comment[:500])
    return instance


# --- Ending early, reminding, copies ---------------------------------------------------------


def _end(instance_id: int, acting_user: Any, state: str, kind: str, comment: str) -> ProcessInstance:
    instance = lock_instance(instance_id, "definition")
    if instance.state != ProcessInstance.State.RUNNING:
        raise Conflict("closed", _("This process has ended (%(state)s).") % {"state": instance.get_state_display()})
    workflow = engine.load(instance)
    engine.stop(workflow)
    _log(instance, kind, acting_user, comment=comment)
    _finish(instance, state)
    engine.save(instance, workflow)
    instance.save()
    audit.record(f"workflow.{kind}", actor=acting_user, obj=instance, detail=comment[:500])
    return instance


def cancel(*, acting_user: Any, instance_id: int, comment: str) -> ProcessInstance:
    """撤销: the initiator calls the whole process off."""
    with transaction.atomic():
        instance = ProcessInstance.objects.get(pk=instance_id)
        require(acting_user, VIEW, instance)
        if instance.initiator_id != acting_user.pk:
            raise PermissionDenied
        return _end(instance_id, acting_user, ProcessInstance.State.CANCELLED, Action.Kind.CANCEL, comment)


def terminate(*, acting_user: Any, instance_id: int, comment: str) -> ProcessInstance:
    """终止: a process administrator stops a process."""
    require(acting_user, assignment.MANAGE)
    if not comment.strip():
        raise ServiceError("invalid", _("Say why the process is stopped."), {"comment": [_("This field is required.")]})
    with transaction.atomic():
        return _end(instance_id, acting_user, ProcessInstance.State.TERMINATED, Action.Kind.TERMINATE, comment)


def remind(*, acting_user: Any, instance_id: int, comment: str = "") -> list[WorkItem]:
    """催办: remind the people the process waits for; at most once per ``WORKFLOW_REMIND_MINUTES``."""
    with transaction.atomic():
        instance = ProcessInstance.objects.select_for_update().get(pk=instance_id)
        require(acting_user, VIEW, instance)
        if instance.initiator_id != acting_user.pk and not can(acting_user, assignment.MANAGE):
            raise PermissionDenied
        if instance.state != ProcessInstance.State.RUNNING:
            raise Conflict("closed", _("This process has ended (%(state)s).") % {"state": instance.get_state_display()})
        now = timezone.now()
        window = timedelta(minutes=settings.WORKFLOW_REMIND_MINUTES)
        pending = list(WorkItem.objects.filter(instance=instance, state=WorkItem.State.OPEN).select_related("assignee"))
        recent = [item for item in pending if item.last_reminded_at and item.last_reminded_at > now - window]
        if recent:
            again = timezone.localtime(max(item.last_reminded_at for item in recent if item.last_reminded_at) + window)
            raise Conflict("too_soon", _("They were reminded recently; you can remind them again after %(time)s.")
                           % {"time": again.strftime("%H:%M")})
        WorkItem.objects.filter(pk__in=[item.pk for item in pending]).update(last_reminded_at=now)
        for item in pending:
            events_on_commit(events.work_reminded, item, by=acting_user)
        _log(instance, Action.Kind.REMIND, acting_user, comment=comment, data={"people": [item.assignee.username for item in pending]})
        audit.record("workflow.remind", actor=acting_user, obj=instance, detail=", ".join(item.assignee.username for item in pending))
    return pending


def copy(*, acting_user: Any, instance_id: int, usernames: list[str], circulate: bool = False, comment: str = "") -> list[Copy]:
    """抄送 / 传阅: read-only copies for others, each with its own read state."""
    with transaction.atomic():
        instance = ProcessInstance.objects.select_for_update().get(pk=instance_id)
        require(acting_user, VIEW, instance)
        people = [_person(name) for name in dict.fromkeys(usernames)]
        if not people:
            raise ServiceError("invalid", _("Choose whom to send it to."), {"to": [_("This field is required.")]})
        too_low = [person.username for person in people if person.clearance < instance.classification]
        if too_low:
            raise ServiceError("invalid", _("These people may not read a record at this classification: %(names)s")
                               % {"names": ", ".join(too_low)}, {"to": too_low})
        kind = Copy.Kind.CIRCULATE if circulate else Copy.Kind.CC
        copies = [Copy.objects.get_or_create(instance=instance, user=person, kind=kind, defaults={"sent_by": acting_user})[0]
                  for person in people]
        _log(instance, Action.Kind.CIRCULATE if circulate else Action.Kind.COPY, acting_user, comment=comment,
             data={"people": [person.username for person in people]})
        audit.record(f"workflow.{kind}", actor=acting_user, obj=instance, detail=", ".join(p.username for p in people))
    return copies


def mark_read(*, acting_user: Any, instance_id: int) -> int:
    with transaction.atomic():
        instance = ProcessInstance.objects.get(pk=instance_id)
        require(acting_user, VIEW, instance)
        read = Copy.objects.filter(instance=instance, user=acting_user, read_at__isnull=True).update(read_at=timezone.now())
        if read:
            _log(instance, Action.Kind.READ, acting_user)
    return read


# --- Standing delegation (委托) and administration -----------------------------------------------


def delegate_while_away(*, acting_user: Any, to: str, starts_on: Any, ends_on: Any, process_keys: list[str] | None = None,
                        reason: str = "") -> StandingDelegation:
    target = _person(to)
    if target.pk == acting_user.pk:
        raise ServiceError("invalid", _("Choose someone else."), {"to": [_("Choose someone else.")]})
    if ends_on < starts_on:
        raise ServiceError("invalid", _("The end comes before the start."), {"ends_on": [_("The end comes before the start.")]})
    with transaction.atomic():
        delegation = StandingDelegation.objects.create(principal=acting_user, delegate=target, starts_on=starts_on, ends_on=ends_on,
                                                       process_keys=process_keys or [], reason=reason)
        audit.record("workflow.standing_delegation", actor=acting_user, obj=delegation,
                     detail=f"→ {target.username} {starts_on}…{ends_on}")
    return delegation


def revoke_delegation(*, acting_user: Any, delegation: StandingDelegation) -> None:
    if delegation.principal_id != acting_user.pk:
        raise PermissionDenied
    with transaction.atomic():
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit.record("workflow.standing_delegation_revoked", actor=acting_user, obj=delegation)


def reassign(*, acting_user: Any, item_id: int, to: str, comment: str) -> WorkItem:
    """A process administrator moves a stuck task to someone else."""
    require(acting_user, assignment.MANAGE)
    with transaction.atomic():
        instance, item = _locked(item_id)
        if item.state not in OPEN_STATES or instance.state != ProcessInstance.State.RUNNING:
            raise Conflict("not_open", _("This task is no longer open: %(state)s.") % {"state": item.get_state_display()})
        target = _person(to)
        item.state, item.completed_at = WorkItem.State.CANCELLED, timezone.now()
        item.save(update_fields=["state", "completed_at"])
        new = _hand_over(instance, item, target, item.role, reopens=item.reopens)
        _log(instance, Action.Kind.REASSIGN, acting_user, item=item, comment=comment,
             data={"from": item.assignee.username, "to": target.username})
        audit.record("workflow.reassign", actor=acting_user, obj=instance, detail=f"{item.assignee.username} → {target.username}")
    return new


def upload_definition(*, acting_user: Any, key: str, name: str, process_id: str, bpmn_xml: str,
                      form: list[dict[str, Any]]) -> ProcessDefinition:
    """A process administrator stores a new version; running instances keep theirs."""
    require(acting_user, assignment.MANAGE)
    with transaction.atomic():
        definition = definitions.store_version(key=key, name=name, process_id=process_id, bpmn_xml=bpmn_xml, form=form,
                                               source=ProcessDefinition.Source.UPLOADED, created_by=acting_user)
        audit.record("workflow.definition_uploaded", actor=acting_user, obj=definition, detail=f"{key} v{definition.version}")
    return definition


# --- Timers (called by the worker through deadlines.run_due) ----------------------------------


def record_timer_action(instance: ProcessInstance, item: WorkItem, kind: str, data: dict[str, Any]) -> None:
    _log(instance, kind, None, item=item, data=data)
    audit.record(f"workflow.timer_{kind}", obj=instance, actor_name="system", detail=f"{item.step_name} · {item.assignee.username}")


def decide_on_timeout(item: WorkItem) -> None:
    """The step's deadline passed and it says to decide by itself (approve or reject)."""
    instance = lock_instance(item.instance_id, "definition")
    config = _step(instance, item.step_id)
    outcome = WorkItem.Outcome.APPROVED if config.on_timeout == "approve" else WorkItem.Outcome.REJECTED
    _log(instance, Action.Kind.TIMEOUT, None, item=item, data={"decision": outcome})
    audit.record("workflow.timeout", obj=instance, actor_name="system", detail=f"{config.name}: {outcome}")
    _apply_decision(instance, item.engine_task_id, config, outcome, [])
