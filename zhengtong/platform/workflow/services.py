"""Running processes: the only code that changes instances, work items and the action log.

Every operation locks the instance row first, so two people acting on one process at the
same moment are serialised: the second sees the first's result (a 或签 has exactly one
winner). Each operation checks ``access``, writes the action log and the audit record in the
same transaction as the change.

An operation works on a ``Locked`` process: the instance, all of its work items (one query)
and its engine, kept in memory between operations while the engine's version matches. What
the operation changes — items decided, items opened, the engine's state, the trace — is
written once when it ends, in bulk, and the to-do list follows from the same objects.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, NotFound, ServiceError
from zhengtong.platform import batch, prepared
from zhengtong.platform.access.policy import can, require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory import queries as directory
from zhengtong.platform.prepared import Prepared
from zhengtong.platform.workdays import calendar
from zhengtong.platform.workflow import assignment, deadlines, definitions, engine, forms, reminders, steps, todos
from zhengtong.platform.workflow.definitions import StepConfig, active, parsed
from zhengtong.platform.workflow.models import Action, Copy, ProcessDefinition, ProcessInstance, StandingDelegation, WorkItem
from zhengtong.platform.workflow.rules import ACT, START, VIEW

OPEN_STATES = (WorkItem.State.OPEN, WorkItem.State.WAITING, WorkItem.State.DELEGATED)
# Read only when needed: the engine's state when its kept copy is stale, the BPMN text when its parse is not
# cached. A locked process otherwise carries neither, once per item row.
UNREAD = ("engine_state", "definition__bpmn_xml")


class Locked:
    """One process locked for one operation; its changes are written by ``save``."""

    def __init__(self, instance: ProcessInstance, items: list[WorkItem]) -> None:
        self.instance = instance
        self.items = items
        self.opened: list[WorkItem] = []
        self.changed: dict[int, WorkItem] = {}
        self.changed_fields: set[str] = set()
        self.actions: list[Action] = []
        self._workflow: Any = None
        self.moved = False  # the engine's state changed
        # The working-day calendar's revision, when it was read with the process (new clocks need no query then).
        self.calendar_revision: int | None = None

    @property
    def process(self) -> definitions.ParsedProcess:
        return parsed(self.instance.definition)

    def step(self, step_id: str) -> StepConfig:
        return self.process.steps[step_id]

    @property
    def workflow(self) -> Any:
        if self._workflow is None:
            self._workflow = engine.load(self.instance)
        return self._workflow

    def item(self, item_id: int) -> WorkItem:
        found = next((item for item in self.items if item.pk == item_id), None)
        if found is None:
            raise NotFound("not_found", _("There is no such task."))
        return found

    def open_items(self, engine_task_id: str | None = None) -> list[WorkItem]:
        return [item for item in self.items if item.state in OPEN_STATES
                and (engine_task_id is None or item.engine_task_id == engine_task_id)]

    def update(self, item: WorkItem, **values: Any) -> None:
        for name, value in values.items():
            setattr(item, name, value)
        if item.pk is not None:
            self.changed[id(item)] = item
            self.changed_fields |= set(values)

    def add(self, item: WorkItem) -> WorkItem:
        self.items.append(item)
        self.opened.append(item)
        return item

    def log(self, kind: str, actor: Any, *, item: WorkItem | None = None, step: StepConfig | None = None, comment: str = "",
            data: dict[str, Any] | None = None, on_behalf_of: Any = None, attachment: Any = None) -> Action:
        action = Action(
            instance=self.instance, work_item=item, kind=kind, actor=actor, on_behalf_of=on_behalf_of, comment=comment,
            step_id=step.step_id if step else (item.step_id if item else ""),
            step_name=step.name if step else (item.step_name if item else ""), data=data or {}, attachment=attachment or "",
            created_at=timezone.now())
        if attachment:
            action.save()  # a file is stored by the model's save; such actions are rare
        else:
            self.actions.append(action)
        return action

    def save(self) -> None:
        """Write what the operation changed: the instance, new items, changed items, the trace."""
        fields = ["title", "state", "data", "current_steps", "ended_at"]
        if self.moved:
            engine.save(self.instance, self._workflow)
            fields += ["engine_state", "engine_version"]
        if self.instance.pk is None:  # a process starting: its row comes first, the items and the trace refer to it
            self.instance.save()
        else:
            prepared.update(ProcessInstance, self.instance.pk, {name: getattr(self.instance, name) for name in fields})
        prepared.insert(self.opened)
        changed = list(self.changed.values())
        item_fields = sorted(self.changed_fields)
        if len(changed) == 1:  # the usual case: a plain UPDATE costs far less to build than bulk_update's CASE per field
            prepared.update(WorkItem, changed[0].pk, {name: getattr(changed[0], name) for name in item_fields})
        elif changed:
            WorkItem.objects.bulk_update(changed, item_fields)
        prepared.insert(self.actions)
        todos.changed(self)
        if self.moved:
            engine.keep(self.instance, self._workflow)
        self.opened, self.changed, self.changed_fields, self.actions = [], {}, set(), []


def _locking(queryset: Any) -> Any:
    """Lock the instance row alone: a locking join would also lock the joined rows and serialise every
    process of one definition or initiator. MariaDB cannot name the table to lock, so it joins nothing;
    SQLite locks the whole database at BEGIN, so it joins freely."""
    features = connection.features
    if not features.has_select_for_update:
        return queryset.select_related("definition", "initiator").defer(*UNREAD)
    if features.has_select_for_update_of:
        return queryset.select_related("definition", "initiator").defer(*UNREAD).select_for_update(of=("self",))
    return queryset.select_for_update()


_items_of_process: Prepared[WorkItem] = Prepared(
    lambda instance_id: WorkItem.objects.filter(instance_id=instance_id).select_related("assignee", "principal").order_by("id"))


def _items_of(instance: ProcessInstance) -> list[WorkItem]:
    items = _items_of_process(instance.pk)
    for item in items:
        item.instance = instance
    return items


def lock(instance_id: int) -> Locked:
    instance = _locking(ProcessInstance.objects.filter(pk=instance_id)).first()
    if instance is None:
        raise NotFound("not_found", _("There is no such process."))
    return Locked(instance, _items_of(instance))


# PostgreSQL: the process of a work item, locked alone, with its definition, initiator and the calendar's revision.
_lock_process_of_item: Prepared[ProcessInstance] = Prepared(
    lambda item_id: _locking(ProcessInstance.objects.filter(work_items__pk=item_id)).annotate(calendar_revision=calendar.revision()))
# SQLite: every item of the process a work item belongs to, with the process, its definition, its
# initiator and the items' people, in one statement (the write lock is the transaction's).
_process_of_item: Prepared[WorkItem] = Prepared(lambda item_id: WorkItem.objects.filter(instance__work_items__pk=item_id).select_related(
    "instance__definition", "instance__initiator", "assignee", "principal").defer(
    *(f"instance__{name}" for name in UNREAD)).annotate(calendar_revision=calendar.revision()).order_by("id"))


def _lock_item(item_id: int) -> tuple[Locked, WorkItem]:
    """Lock the process of a work item (serialising every action on it) and read all its items.

    The items are read after the lock is held, by a statement of their own: a row read in the
    statement that waited for the lock would be as it was before the other transaction committed
    (and the items it added would be missing). SQLite holds the database from BEGIN, so there one
    statement reads both.
    """
    features = connection.features
    if features.has_select_for_update:
        if features.has_select_for_update_of:
            found = _lock_process_of_item(item_id)
        else:  # MariaDB would lock the item row with the process, in whichever order it scans: deadlocks
            instance_id = WorkItem.objects.filter(pk=item_id).values_list("instance_id", flat=True).first()
            found = list(_locking(ProcessInstance.objects.filter(pk=instance_id or 0)).annotate(calendar_revision=calendar.revision()))
        instance = found[0] if found else None
        if instance is None:
            raise NotFound("not_found", _("There is no such task."))
        locked = Locked(instance, _items_of(instance))
        locked.calendar_revision = getattr(instance, "calendar_revision", None)
        return locked, locked.item(item_id)
    items = _process_of_item(item_id)
    if not items:
        raise NotFound("not_found", _("There is no such task."))
    instance = items[0].instance
    for item in items:
        item.instance = instance
    locked = Locked(instance, items)
    # Read with the process, so that a step's new clock needs no query of its own for the calendar.
    locked.calendar_revision = getattr(items[0], "calendar_revision", None)
    return locked, locked.item(item_id)


# --- Starting ----------------------------------------------------------------------------


def start(*, acting_user: Any, key: str, title: str, data: dict[str, Any] | None = None, classification: int = 0,
          subject: str = "", chosen: list[str] | None = None, comment: str = "") -> ProcessInstance:
    """Start the active version of process ``key`` with the form ``data``.

    The first step, when it is the initiator's own (申请 / 拟稿), is the submission itself.
    """
    definition = active(key, with_calendar_revision=True)
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
    with batch.atomic():
        instance = ProcessInstance(definition=definition, title=title[:300], initiator=acting_user, data=values,
                                   classification=classification, subject=subject)
        locked = Locked(instance, [])
        locked.calendar_revision = getattr(definition, "calendar_revision", None)
        workflow = locked._workflow = engine.create(instance, values)
        submitted = [task for task in engine.ready_steps(workflow)
                     if task.task_spec.bpmn_id == first.step_id and first.assignee == "initiator"]
        for spiff_task in submitted:
            engine.complete(workflow, str(spiff_task.id), {first.step_id: WorkItem.Outcome.APPROVED})
        locked.log(Action.Kind.START, acting_user, comment=comment,
                   data={"engine_task_id": str(submitted[0].id)} if submitted else {})
        _advance(locked, chosen=chosen or [])
        locked.save()
        audit.record("workflow.started", actor=acting_user, obj=instance, changes={"process": [None, definition.key]})
    return instance


# --- Moving on ---------------------------------------------------------------------------


def _open_items(locked: Locked, spiff_task: Any, config: StepConfig, chosen: list[str]) -> bool:
    """Create the work items of a newly ready step; True when the step was passed without anyone."""
    instance = locked.instance
    people = assignment.resolve(config.assignee, initiator=instance.initiator, data=instance.data, chosen=chosen)
    if not people:
        if config.when_empty == "skip":
            locked.log(Action.Kind.SKIP, None, step=config)
            engine.complete(locked.workflow, str(spiff_task.id), {config.step_id: WorkItem.Outcome.SKIPPED})
            return True
        people = assignment.process_administrators() if config.when_empty == "admin" else []
        if not people:
            raise ServiceError("no_assignee", _("No one can be found for the step %(step)s.") % {"step": config.name})
    if config.initiator_auto_pass and [person.pk for person in people] == [instance.initiator_id]:
        locked.log(Action.Kind.AUTO_PASS, None, step=config, on_behalf_of=instance.initiator)
        engine.complete(locked.workflow, str(spiff_task.id), {config.step_id: WorkItem.Outcome.APPROVED})
        return True
    mode = config.mode if config.mode != "single" or len(people) == 1 else WorkItem.Mode.ANY
    now = timezone.now()
    deadline = deadlines.start(config, now, locked.calendar_revision)
    delegates = assignment.standing_delegates(people, instance.definition.key)
    for position, person in enumerate(people):
        delegate = delegates.get(person.pk)
        item = WorkItem(
            instance=instance, step_id=config.step_id, step_name=config.name, engine_task_id=str(spiff_task.id),
            assignee=delegate or person, principal=person if delegate else None, mode=mode, sequence=position,
            state=WorkItem.State.WAITING if mode == WorkItem.Mode.SEQUENTIAL and position > 0 else WorkItem.State.OPEN,
            created_at=now)
        deadlines.arm(item, deadline)
        locked.add(item)
    return False


def _advance(locked: Locked, *, chosen: list[str]) -> None:
    """Staff every newly ready step (skips and auto-passes may ready further steps)."""
    instance, workflow, process = locked.instance, locked.workflow, locked.process
    while True:
        # A ready step is staffed while it has open items; after 退回/撤回 the engine readies an
        # earlier task again under its old id, whose items are all done: it is staffed anew.
        staffed = {item.engine_task_id for item in locked.open_items()}
        fresh = [task for task in engine.ready_steps(workflow) if str(task.id) not in staffed]
        if not fresh:
            break
        moved = False
        for spiff_task in fresh:
            moved |= _open_items(locked, spiff_task, process.steps[spiff_task.task_spec.bpmn_id], chosen)
        if not moved:
            break
    ready = engine.ready_steps(workflow)
    instance.current_steps = "、".join(dict.fromkeys(task.task_spec.bpmn_name or task.task_spec.bpmn_id for task in ready))[:300]
    if workflow.is_completed():
        _finish(locked, ProcessInstance.State.APPROVED)
    locked.moved = True


def _finish(locked: Locked, state: str) -> None:
    instance = locked.instance
    instance.state = state
    instance.ended_at = timezone.now()
    instance.current_steps = ""
    _close_steps(locked)
    locked.log(Action.Kind.COMPLETE, None, data={"state": state})


def _close_steps(locked: Locked, engine_task_id: str | None = None) -> None:
    """Close the open items of one step (or of every step): they are cancelled, their clocks stop."""
    now = timezone.now()
    for item in locked.open_items(engine_task_id):
        locked.update(item, state=WorkItem.State.CANCELLED, completed_at=now, timer="", timer_at=None)


def _apply_decision(locked: Locked, engine_task_id: str, config: StepConfig, decision: str, chosen: list[str],
                    acting_user: Any = None, comment: str = "") -> None:
    """A decided step: what it means to its app first, then rejected ends the process and approved
    moves the engine on."""
    instance = locked.instance
    if decision == WorkItem.Outcome.REJECTED:
        steps.rejected(instance, config.step_id, acting_user, comment)
    else:
        steps.approved(instance, config.step_id, acting_user, comment)
    _close_steps(locked, engine_task_id)
    if decision == WorkItem.Outcome.REJECTED:
        engine.stop(locked.workflow)
        _finish(locked, ProcessInstance.State.REJECTED)
        locked.moved = True
    else:
        engine.complete(locked.workflow, engine_task_id, {**instance.data, config.step_id: decision})
        _advance(locked, chosen=chosen)


def _check_can_act(acting_user: Any, instance: ProcessInstance, item: WorkItem) -> None:
    if not can(acting_user, ACT, item):
        raise PermissionDenied
    if instance.state != ProcessInstance.State.RUNNING:
        raise Conflict("closed", _("This process has ended (%(state)s).") % {"state": instance.get_state_display()})
    if item.state != WorkItem.State.OPEN:
        raise Conflict("not_open", _("This task is no longer open: %(state)s.") % {"state": item.get_state_display()})


def _base_decision(locked: Locked, base: list[WorkItem], item: WorkItem, config: StepConfig) -> str | None:
    """The decision of the step's own assignees, by the step's mode."""
    mode = base[0].mode if base else item.mode
    decided = sorted((i for i in base if i.state == WorkItem.State.DONE and i.outcome != WorkItem.Outcome.TRANSFERRED),
                     key=lambda i: (i.completed_at, i.pk or 0))
    if mode in (WorkItem.Mode.SINGLE, WorkItem.Mode.ANY, WorkItem.Mode.CLAIM):
        return decided[0].outcome if decided else None
    if mode == WorkItem.Mode.SEQUENTIAL:
        if any(i.outcome == WorkItem.Outcome.REJECTED for i in decided):
            return WorkItem.Outcome.REJECTED
        if any(i.state in (WorkItem.State.OPEN, WorkItem.State.DELEGATED) for i in base):
            return None
        following = min((i for i in base if i.state == WorkItem.State.WAITING), key=lambda i: i.sequence, default=None)
        if following is None:
            return WorkItem.Outcome.APPROVED
        locked.update(following, state=WorkItem.State.OPEN, created_at=timezone.now())
        return None
    total = sum(1 for i in base if i.outcome != WorkItem.Outcome.TRANSFERRED)
    approved = sum(1 for i in decided if i.outcome == WorkItem.Outcome.APPROVED)
    rejected = sum(1 for i in decided if i.outcome == WorkItem.Outcome.REJECTED)
    if approved >= config.pass_ratio * total - 1e-9:
        return WorkItem.Outcome.APPROVED
    if total - rejected < config.pass_ratio * total - 1e-9:
        return WorkItem.Outcome.REJECTED
    return None


def _step_decision(locked: Locked, item: WorkItem, config: StepConfig) -> str | None:
    """Whether the step is decided: approved, rejected, or not yet (None).

    Signers added after someone (后加签) must all agree too; one of them rejecting rejects.
    """
    siblings = [i for i in locked.items if i.engine_task_id == item.engine_task_id and i.state != WorkItem.State.CANCELLED]
    added = [i for i in siblings if i.role == WorkItem.Role.AFTER]
    if any(i.outcome == WorkItem.Outcome.REJECTED for i in added):
        return WorkItem.Outcome.REJECTED
    decision = _base_decision(locked, [i for i in siblings if i.role == WorkItem.Role.ASSIGNEE], item, config)
    if decision == WorkItem.Outcome.APPROVED and any(i.state in OPEN_STATES for i in added):
        return None
    return decision


def _done(locked: Locked, item: WorkItem, outcome: str, comment: str) -> None:
    locked.update(item, state=WorkItem.State.DONE, outcome=outcome, comment=comment, completed_at=timezone.now(), timer="",
                  timer_at=None)


def _decide(acting_user: Any, item_id: int, outcome: str, *, comment: str, data: dict[str, Any] | None,
            chosen: list[str] | None, attachment: Any, within: int | None) -> ProcessInstance:
    with batch.atomic():
        locked, item = _lock_item(item_id)
        instance = locked.instance
        if within is not None and instance.pk != within:
            raise NotFound("not_found", _("There is no such task."))
        _check_can_act(acting_user, instance, item)
        if item.role == WorkItem.Role.DELEGATE:
            raise Conflict("delegated", _("A delegated task is handed back with your opinion; the person who delegated it decides."))
        config = locked.step(item.step_id)
        if data:
            editable = {spec["name"] for spec in instance.definition.form if config.field_access(spec["name"]) == "edit"}
            instance.data = forms.clean(instance.definition.form, data, editable=editable, existing=instance.data)
        _done(locked, item, outcome, comment)
        kind = Action.Kind.APPROVE if outcome == WorkItem.Outcome.APPROVED else Action.Kind.REJECT
        locked.log(kind, acting_user, item=item, comment=comment, on_behalf_of=item.principal, attachment=attachment,
                   data={"engine_task_id": item.engine_task_id})
        # A signer added before me gives an opinion either way; then my task is mine to decide again.
        if item.role == WorkItem.Role.BEFORE and item.reopens_id:
            _reopen_when_clear(locked, item.reopens_id)
        else:
            decision = _step_decision(locked, item, config)
            if decision is not None:
                _apply_decision(locked, item.engine_task_id, config, decision, chosen or [], acting_user, comment)
        audit.record(f"workflow.{kind}", actor=acting_user, obj=instance, detail=f"{config.name}: {comment}"[:500])
        locked.save()
    return instance


def _reopen_when_clear(locked: Locked, item_id: int) -> None:
    """Reopen an item once every item added before it (前加签) is done."""
    held = locked.item(item_id)
    pending = any(i.reopens_id == held.pk and i.role == WorkItem.Role.BEFORE and i.state in OPEN_STATES for i in locked.items)
    if not pending and held.state == WorkItem.State.WAITING:
        locked.update(held, state=WorkItem.State.OPEN)


def approve(*, acting_user: Any, item_id: int, comment: str = "", data: dict[str, Any] | None = None,
            chosen: list[str] | None = None, attachment: Any = None, within: int | None = None) -> ProcessInstance:
    """同意. ``within``: the process the caller means; a task of another one is not found."""
    return _decide(acting_user, item_id, WorkItem.Outcome.APPROVED, comment=comment, data=data, chosen=chosen, attachment=attachment,
                   within=within)


def reject(*, acting_user: Any, item_id: int, comment: str = "", attachment: Any = None, within: int | None = None) -> ProcessInstance:
    if not comment.strip():
        raise ServiceError("invalid", _("Say why you reject it."), {"comment": [_("This field is required.")]})
    return _decide(acting_user, item_id, WorkItem.Outcome.REJECTED, comment=comment, data=None, chosen=None, attachment=attachment,
                   within=within)


# --- Handing work on: claim, add and remove signers, transfer, delegate ----------------------


def _person(username: str) -> Any:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ServiceError("invalid", _("No active person %(name)s.") % {"name": username}, {"to": [_("Unknown person.")]})
    return user


def _allowed(locked: Locked, item: WorkItem, operation: str) -> StepConfig:
    config = locked.step(item.step_id)
    if operation not in config.operations:
        raise Conflict("not_allowed", _("The step %(step)s does not allow this.") % {"step": config.name})
    return config


def claim(*, acting_user: Any, item_id: int) -> WorkItem:
    """抢办: take a pooled task; everyone else's copy of it closes."""
    with batch.atomic():
        locked, item = _lock_item(item_id)
        _check_can_act(acting_user, locked.instance, item)
        if item.mode != WorkItem.Mode.CLAIM:
            raise Conflict("not_claimable", _("This task is not offered for claiming."))
        now = timezone.now()
        for other in locked.open_items(item.engine_task_id):
            if other is not item and other.state == WorkItem.State.OPEN:
                locked.update(other, state=WorkItem.State.CANCELLED, completed_at=now, timer="", timer_at=None)
        locked.update(item, mode=WorkItem.Mode.SINGLE)
        locked.log(Action.Kind.CLAIM, acting_user, item=item)
        audit.record("workflow.claim", actor=acting_user, obj=locked.instance, detail=item.step_name)
        locked.save()
    return item


def add_signers(*, acting_user: Any, item_id: int, usernames: list[str], before: bool, comment: str = "") -> list[WorkItem]:
    """加签: others sign before me (my task waits for them) or after me (the step waits for them)."""
    with batch.atomic():
        locked, item = _lock_item(item_id)
        _check_can_act(acting_user, locked.instance, item)
        _allowed(locked, item, "add_signer")
        people = [_person(name) for name in dict.fromkeys(usernames)]
        if not people or any(person.pk == acting_user.pk for person in people):
            raise ServiceError("invalid", _("Choose other people to add."), {"to": [_("Choose other people to add.")]})
        added = [locked.add(WorkItem(
            instance=locked.instance, step_id=item.step_id, step_name=item.step_name, engine_task_id=item.engine_task_id,
            assignee=person, mode=WorkItem.Mode.SINGLE, role=WorkItem.Role.BEFORE if before else WorkItem.Role.AFTER,
            reopens=item if before else None, added_by=acting_user, created_at=timezone.now(),
        )) for person in people]
        if before:
            locked.update(item, state=WorkItem.State.WAITING)
        locked.log(Action.Kind.ADD_SIGNER, acting_user, item=item, comment=comment,
                   data={"people": [person.username for person in people], "position": "before" if before else "after"})
        audit.record("workflow.add_signer", actor=acting_user, obj=locked.instance, detail=", ".join(p.username for p in people))
        locked.save()
    return added


def remove_signer(*, acting_user: Any, item_id: int, comment: str = "") -> None:
    """减签: take back a signer I added, while they have not signed."""
    with batch.atomic():
        locked, item = _lock_item(item_id)
        if item.added_by_id != acting_user.pk:
            raise PermissionDenied
        if item.state not in OPEN_STATES or locked.instance.state != ProcessInstance.State.RUNNING:
            raise Conflict("not_open", _("This signer has already signed."))
        _allowed(locked, item, "remove_signer")
        locked.update(item, state=WorkItem.State.CANCELLED, completed_at=timezone.now(), timer="", timer_at=None)
        if item.reopens_id:
            _reopen_when_clear(locked, item.reopens_id)
        locked.log(Action.Kind.REMOVE_SIGNER, acting_user, item=item, comment=comment, data={"person": item.assignee.username})
        audit.record("workflow.remove_signer", actor=acting_user, obj=locked.instance, detail=item.assignee.username)
        if not item.reopens_id:
            _settle_step(locked, item, acting_user)
        locked.save()


def _settle_step(locked: Locked, item: WorkItem, acting_user: Any) -> None:
    """After a change of signers, complete the step if nothing is left to wait for."""
    config = locked.step(item.step_id)
    decision = _step_decision(locked, item, config)
    if decision is not None:
        _apply_decision(locked, item.engine_task_id, config, decision, [], acting_user)


def _hand_over(locked: Locked, item: WorkItem, to: Any, role: str, *, reopens: WorkItem | None = None) -> WorkItem:
    return locked.add(WorkItem(
        instance=locked.instance, step_id=item.step_id, step_name=item.step_name, engine_task_id=item.engine_task_id, assignee=to,
        principal=item.principal or item.assignee, mode=item.mode, sequence=item.sequence, role=role, reopens=reopens,
        added_by=item.added_by, deadline=item.deadline, clock_started_at=item.clock_started_at, due_at=item.due_at,
        warn_at=item.warn_at, timer=item.timer, timer_at=item.timer_at, created_at=timezone.now(),
    ))


def _handing_over(acting_user: Any, item_id: int, operation: str, to: str) -> tuple[Locked, WorkItem, Any]:
    """The locked process, my open item and the person it goes to, for 转办 and 委派."""
    locked, item = _lock_item(item_id)
    _check_can_act(acting_user, locked.instance, item)
    _allowed(locked, item, operation)
    target = _person(to)
    if target.pk == acting_user.pk:
        raise ServiceError("invalid", _("Choose someone else."), {"to": [_("Choose someone else.")]})
    return locked, item, target


def transfer(*, acting_user: Any, item_id: int, to: str, comment: str = "") -> WorkItem:
    """转办: the task becomes someone else's; they decide and the process goes on from them."""
    with batch.atomic():
        locked, item, target = _handing_over(acting_user, item_id, "transfer", to)
        new = _hand_over(locked, item, target, item.role, reopens=item.reopens)
        _done(locked, item, WorkItem.Outcome.TRANSFERRED, comment)
        locked.log(Action.Kind.TRANSFER, acting_user, item=item, comment=comment, data={"to": target.username})
        audit.record("workflow.transfer", actor=acting_user, obj=locked.instance, detail=f"{item.step_name} → {target.username}")
        locked.save()
    return new


def delegate(*, acting_user: Any, item_id: int, to: str, comment: str = "") -> WorkItem:
    """委派: someone works on it and hands it back; I still decide."""
    with batch.atomic():
        locked, item, target = _handing_over(acting_user, item_id, "delegate", to)
        locked.update(item, state=WorkItem.State.DELEGATED)
        new = _hand_over(locked, item, target, WorkItem.Role.DELEGATE, reopens=item)
        locked.log(Action.Kind.DELEGATE, acting_user, item=item, comment=comment, data={"to": target.username})
        audit.record("workflow.delegate", actor=acting_user, obj=locked.instance, detail=f"{item.step_name} → {target.username}")
        locked.save()
    return new


def hand_back(*, acting_user: Any, item_id: int, comment: str = "", attachment: Any = None) -> WorkItem:
    """The delegate's answer: their opinion goes back to the person who delegated."""
    with batch.atomic():
        locked, item = _lock_item(item_id)
        _check_can_act(acting_user, locked.instance, item)
        if item.role != WorkItem.Role.DELEGATE or item.reopens_id is None:
            raise Conflict("not_delegated", _("This task was not delegated to you."))
        _done(locked, item, WorkItem.Outcome.HANDED_BACK, comment)
        owner = locked.item(item.reopens_id)
        locked.update(owner, state=WorkItem.State.OPEN)
        locked.log(Action.Kind.DELEGATE_RETURN, acting_user, item=item, comment=comment, attachment=attachment,
                   on_behalf_of=owner.assignee)
        audit.record("workflow.delegate_return", actor=acting_user, obj=locked.instance, detail=item.step_name)
        locked.save()
    return owner


# --- Going back: return (退回), withdraw (撤回) -------------------------------------------------


def _rewind_to(locked: Locked, engine_task_id: str, acting_user: Any, comment: str) -> None:
    """Go back to an earlier task; what the steps taken again had done is undone first."""
    steps.undone(locked.instance, engine.completed_from(locked.workflow, engine_task_id), acting_user, comment)
    _close_steps(locked)
    engine.rewind(locked.workflow, engine_task_id)
    _advance(locked, chosen=[])


def return_targets(instance: ProcessInstance) -> list[tuple[str, str]]:
    """The steps a task may be sent back to: those already passed, as (step id, name), in order."""
    workflow = engine.load(instance)
    steps_of = parsed(instance.definition).steps
    seen: dict[str, str] = {}
    for spiff_task in engine.completed_step_tasks(workflow):
        seen.setdefault(spiff_task.task_spec.bpmn_id, steps_of[spiff_task.task_spec.bpmn_id].name)
    return list(seen.items())


def return_to(*, acting_user: Any, item_id: int, step_id: str, comment: str) -> ProcessInstance:
    """退回: send the process back to a step already passed — the initiator's, the previous, any."""
    if not comment.strip():
        raise ServiceError("invalid", _("Say why you send it back."), {"comment": [_("This field is required.")]})
    with batch.atomic():
        locked, item = _lock_item(item_id)
        _check_can_act(acting_user, locked.instance, item)
        _allowed(locked, item, "return")
        passed = [task for task in engine.completed_step_tasks(locked.workflow) if task.task_spec.bpmn_id == step_id]
        if not passed:
            raise ServiceError("invalid", _("The process has not been through that step; it can only go back to a step already passed."),
                               {"step": [_("Not a step already passed.")]})
        _done(locked, item, WorkItem.Outcome.RETURNED, comment)
        locked.log(Action.Kind.RETURN, acting_user, item=item, comment=comment, data={"to": step_id})
        _rewind_to(locked, str(passed[-1].id), acting_user, comment)
        audit.record("workflow.return", actor=acting_user, obj=locked.instance, detail=f"{item.step_name} → {step_id}: {comment}"[:500])
        locked.save()
    return locked.instance


def withdraw(*, acting_user: Any, instance_id: int, comment: str = "") -> ProcessInstance:
    """撤回: the last one to act (or the initiator, after submitting) takes it back, while the
    next step has not acted yet."""
    with batch.atomic():
        locked = lock(instance_id)
        instance = locked.instance
        if instance.state != ProcessInstance.State.RUNNING:
            raise Conflict("closed", _("This process has ended (%(state)s).") % {"state": instance.get_state_display()})
        last = instance.actions.filter(kind__in=(Action.Kind.START, Action.Kind.APPROVE)).order_by("-created_at", "-id").first()
        if last is None or last.actor_id != acting_user.pk or not last.data.get("engine_task_id"):
            raise Conflict("not_last", _("Only the last person to act can take the process back."))
        acted_since = any(i.completed_at and i.completed_at > last.created_at and i.outcome not in ("", WorkItem.Outcome.TRANSFERRED)
                          and i.state != WorkItem.State.CANCELLED for i in locked.items)
        if acted_since or instance.actions.filter(created_at__gt=last.created_at).exclude(
                kind__in=(Action.Kind.REMIND, Action.Kind.COPY, Action.Kind.READ, Action.Kind.COMPLETE)).exists():
            raise Conflict("acted", _("The next step has already acted; the process can no longer be taken back."))
        locked.log(Action.Kind.WITHDRAW, acting_user, comment=comment, data={"to": last.step_id or "start"})
        _rewind_to(locked, last.data["engine_task_id"], acting_user, comment)
        audit.record("workflow.withdraw", actor=acting_user, obj=instance, detail=comment[:500])
        locked.save()
    return instance


# --- Ending early, reminding, copies ---------------------------------------------------------


def _end(locked: Locked, acting_user: Any, state: str, kind: str, comment: str) -> ProcessInstance:
    instance = locked.instance
    if instance.state != ProcessInstance.State.RUNNING:
        raise Conflict("closed", _("This process has ended (%(state)s).") % {"state": instance.get_state_display()})
    engine.stop(locked.workflow)
    locked.log(kind, acting_user, comment=comment)
    _finish(locked, state)
    locked.moved = True
    audit.record(f"workflow.{kind}", actor=acting_user, obj=instance, detail=comment[:500])
    locked.save()
    return instance


def cancel(*, acting_user: Any, instance_id: int, comment: str) -> ProcessInstance:
    """撤销: the initiator calls the whole process off."""
    with batch.atomic():
        locked = lock(instance_id)
        require(acting_user, VIEW, locked.instance)
        if locked.instance.initiator_id != acting_user.pk:
            raise PermissionDenied
        return _end(locked, acting_user, ProcessInstance.State.CANCELLED, Action.Kind.CANCEL, comment)


def terminate(*, acting_user: Any, instance_id: int, comment: str) -> ProcessInstance:
    """终止: a process administrator stops a process."""
    require(acting_user, assignment.MANAGE)
    if not comment.strip():
        raise ServiceError("invalid", _("Say why the process is stopped."), {"comment": [_("This field is required.")]})
    with batch.atomic():
        return _end(lock(instance_id), acting_user, ProcessInstance.State.TERMINATED, Action.Kind.TERMINATE, comment)


def remind(*, acting_user: Any, instance_id: int, comment: str = "") -> list[WorkItem]:
    """催办: remind the people the process waits for; at most once per ``WORKFLOW_REMIND_MINUTES``."""
    with batch.atomic():
        locked = lock(instance_id)
        instance = locked.instance
        require(acting_user, VIEW, instance)
        if instance.initiator_id != acting_user.pk and not can(acting_user, assignment.MANAGE):
            raise PermissionDenied
        if instance.state != ProcessInstance.State.RUNNING:
            raise Conflict("closed", _("This process has ended (%(state)s).") % {"state": instance.get_state_display()})
        now = timezone.now()
        window = timedelta(minutes=settings.WORKFLOW_REMIND_MINUTES)
        pending = [item for item in locked.items if item.state == WorkItem.State.OPEN]
        recent = [item for item in pending if item.last_reminded_at and item.last_reminded_at > now - window]
        if recent:
            again = timezone.localtime(max(item.last_reminded_at for item in recent if item.last_reminded_at) + window)
            raise Conflict("too_soon", _("They were reminded recently; you can remind them again after %(time)s.")
                           % {"time": again.strftime("%H:%M")})
        for item in pending:
            locked.update(item, last_reminded_at=now)
            reminders.reminded(item, acting_user)
        locked.log(Action.Kind.REMIND, acting_user, comment=comment, data={"people": [item.assignee.username for item in pending]})
        audit.record("workflow.remind", actor=acting_user, obj=instance, detail=", ".join(item.assignee.username for item in pending))
        locked.save()
    return pending


def copy(*, acting_user: Any, instance_id: int, usernames: list[str], circulate: bool = False, comment: str = "") -> list[Copy]:
    """抄送 / 传阅: read-only copies for others, each with its own read state."""
    with batch.atomic():
        locked = lock(instance_id)
        instance = locked.instance
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
        locked.log(Action.Kind.CIRCULATE if circulate else Action.Kind.COPY, acting_user, comment=comment,
                   data={"people": [person.username for person in people]})
        audit.record(f"workflow.{kind}", actor=acting_user, obj=instance, detail=", ".join(p.username for p in people))
        locked.save()
        todos.copies_changed(instance, copies)
    return copies


def mark_read(*, acting_user: Any, instance_id: int) -> int:
    with batch.atomic():
        instance = ProcessInstance.objects.filter(pk=instance_id).first()
        if instance is None:
            raise NotFound("not_found", _("There is no such process."))
        require(acting_user, VIEW, instance)
        unread = list(Copy.objects.filter(instance=instance, user=acting_user, read_at__isnull=True))
        if unread:
            now = timezone.now()
            Copy.objects.filter(pk__in=[copy.pk for copy in unread]).update(read_at=now)
            for copy in unread:
                copy.read_at = now
            Action.objects.create(instance=instance, kind=Action.Kind.READ, actor=acting_user)
            todos.copies_changed(instance, unread)
    return len(unread)


# --- Standing delegation (委托) and administration -----------------------------------------------


def delegate_while_away(*, acting_user: Any, to: str, starts_on: Any, ends_on: Any, process_keys: list[str] | None = None,
                        reason: str = "") -> StandingDelegation:
    target = _person(to)
    if target.pk == acting_user.pk:
        raise ServiceError("invalid", _("Choose someone else."), {"to": [_("Choose someone else.")]})
    if ends_on < starts_on:
        raise ServiceError("invalid", _("The end comes before the start."), {"ends_on": [_("The end comes before the start.")]})
    with batch.atomic():
        delegation = StandingDelegation.objects.create(principal=acting_user, delegate=target, starts_on=starts_on, ends_on=ends_on,
                                                       process_keys=process_keys or [], reason=reason)
        audit.record("workflow.standing_delegation", actor=acting_user, obj=delegation,
                     detail=f"→ {target.username} {starts_on}…{ends_on}")
    return delegation


def revoke_delegation(*, acting_user: Any, delegation: StandingDelegation) -> None:
    if delegation.principal_id != acting_user.pk:
        raise PermissionDenied
    with batch.atomic():
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit.record("workflow.standing_delegation_revoked", actor=acting_user, obj=delegation)


def _moved_to(locked: Locked, item: WorkItem, target: Any) -> WorkItem:
    """A stuck or orphaned task goes to someone else, keeping its place in the step."""
    locked.update(item, state=WorkItem.State.CANCELLED, completed_at=timezone.now(), timer="", timer_at=None)
    return _hand_over(locked, item, target, item.role, reopens=item.reopens)


def reassign(*, acting_user: Any, item_id: int, to: str, comment: str) -> WorkItem:
    """A process administrator moves a stuck task to someone else."""
    require(acting_user, assignment.MANAGE)
    with batch.atomic():
        locked, item = _lock_item(item_id)
        if item.state not in OPEN_STATES or locked.instance.state != ProcessInstance.State.RUNNING:
            raise Conflict("not_open", _("This task is no longer open: %(state)s.") % {"state": item.get_state_display()})
        target = _person(to)
        new = _moved_to(locked, item, target)
        locked.log(Action.Kind.REASSIGN, acting_user, item=item, comment=comment,
                   data={"from": item.assignee.username, "to": target.username})
        audit.record("workflow.reassign", actor=acting_user, obj=locked.instance, detail=f"{item.assignee.username} → {target.username}")
        locked.save()
    return new


def hand_over_work(*, user: Any, acting_user: Any = None, reason: str = "") -> int:
    """交接: every open work item of a person who left goes to the leader one level up from them, or to
    the process administrators when they have none; one transaction per item, each in the trace."""
    successors = directory.department_head(user) or assignment.process_administrators()
    if not successors:
        return 0
    successor = successors[0]
    handed = 0
    for item_id in WorkItem.objects.filter(assignee=user, state__in=OPEN_STATES).values_list("pk", flat=True):
        with batch.atomic():
            locked, item = _lock_item(item_id)
            if item.state not in OPEN_STATES:
                continue
            _moved_to(locked, item, successor)
            locked.log(Action.Kind.REASSIGN, None, item=item, comment=reason,
                       data={"from": user.username, "to": successor.username, "why": "left"})
            audit.record("workflow.handover", actor=acting_user, obj=locked.instance, detail=f"{user.username} → {successor.username}")
            locked.save()
            handed += 1
    return handed


def upload_definition(*, acting_user: Any, key: str, name: str, process_id: str, bpmn_xml: str,
                      form: list[dict[str, Any]]) -> ProcessDefinition:
    """A process administrator stores a new version; running instances keep theirs."""
    require(acting_user, assignment.MANAGE)
    with batch.atomic():
        definition = definitions.store_version(key=key, name=name, process_id=process_id, bpmn_xml=bpmn_xml, form=form,
                                               source=ProcessDefinition.Source.UPLOADED, created_by=acting_user)
        audit.record("workflow.definition_uploaded", actor=acting_user, obj=definition, detail=f"{key} v{definition.version}")
    return definition


# --- Timers (called by the worker through deadlines.run_due) ----------------------------------


def record_timer_action(instance: ProcessInstance, item: WorkItem, kind: str, data: dict[str, Any]) -> None:
    Action.objects.create(instance=instance, work_item=item, kind=kind, step_id=item.step_id, step_name=item.step_name, data=data)
    audit.record(f"workflow.timer_{kind}", obj=instance, actor_name="system", detail=f"{item.step_name} · {item.assignee.username}")


def decide_on_timeout(item: WorkItem) -> None:
    """The step's deadline passed and it says to decide by itself (approve or reject)."""
    locked = lock(item.instance_id)
    item = locked.item(item.pk)
    config = locked.step(item.step_id)
    outcome = WorkItem.Outcome.APPROVED if config.on_timeout == "approve" else WorkItem.Outcome.REJECTED
    locked.log(Action.Kind.TIMEOUT, None, item=item, data={"decision": outcome})
    audit.record("workflow.timeout", obj=locked.instance, actor_name="system", detail=f"{config.name}: {outcome}")
    _apply_decision(locked, item.engine_task_id, config, outcome, [])
    locked.save()
