"""The workflow API: start processes, list to-dos, act on tasks, read traces. Thin: services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from zhengtong.http import AuthenticatedHttpRequest
from zhengtong.pagination import Page, PageIn, page
from zhengtong.platform.access.policy import can
from zhengtong.platform.workflow import queries, services
from zhengtong.platform.workflow.models import Action, Copy, ProcessInstance, StandingDelegation, WorkItem
from zhengtong.platform.workflow.operations import available_operations
from zhengtong.platform.workflow.rules import VIEW

router = Router(tags=["workflow"])


class ProcessOut(Schema):
    key: str
    name: str
    version: int
    form: list[dict[str, Any]]


class StartIn(Schema):
    key: str = Field(..., max_length=100)
    title: str = Field(..., max_length=300)
    data: dict[str, Any] = {}
    classification: int = Field(0, ge=0)
    chosen: list[str] = []
    comment: str = Field("", max_length=2000)


class ItemOut(Schema):
    id: int
    instance: int
    title: str
    process: str
    step: str
    step_name: str
    initiator: str
    state: str
    outcome: str
    arrived_at: dt.datetime
    completed_at: dt.datetime | None
    due_at: dt.datetime | None
    on_behalf_of: str | None
    role: str


class StepOut(Schema):
    step: str
    name: str


class InstanceOut(Schema):
    id: int
    title: str
    process: str
    version: int
    state: str
    initiator: str
    current_steps: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    classification: int
    fields: list[dict[str, Any]]
    values: dict[str, Any]
    open_item: int | None
    operations: list[str] = Field(description="What I may do now: approve, reject, claim, hand_back, return, transfer, delegate, "
                                              "add_signer, remove_signer, withdraw, cancel, remind, copy, read, terminate, reassign")
    return_targets: list[StepOut] = Field(description="The steps “return” may send it back to")


class ActionOut(Schema):
    kind: str
    label: str
    step: str
    actor: str | None
    on_behalf_of: str | None
    comment: str
    data: dict[str, Any]
    at: dt.datetime


class CopyOut(Schema):
    instance: int
    title: str
    kind: str
    sent_by: str | None
    sent_at: dt.datetime
    read_at: dt.datetime | None


class TaskCountsOut(Schema):
    todo: int
    started: int
    copied: int


class DecideIn(Schema):
    comment: str = Field("", max_length=4000)
    data: dict[str, Any] = {}
    chosen: list[str] = []


class CommentIn(Schema):
    comment: str = Field("", max_length=4000)


class ToIn(Schema):
    to: str = Field(..., max_length=150)
    comment: str = Field("", max_length=4000)


class SignersIn(Schema):
    people: list[str] = Field(..., min_length=1, max_length=50)
    before: bool = False
    comment: str = Field("", max_length=4000)


class ReturnIn(Schema):
    step: str = Field(..., max_length=100)
    comment: str = Field(..., max_length=4000)


class CopyIn(Schema):
    people: list[str] = Field(..., min_length=1, max_length=200)
    circulate: bool = False
    comment: str = Field("", max_length=4000)


class DelegationIn(Schema):
    to: str = Field(..., max_length=150)
    starts_on: dt.date
    ends_on: dt.date
    processes: list[str] = []
    reason: str = Field("", max_length=200)


class DelegationOut(Schema):
    id: int
    to: str
    starts_on: dt.date
    ends_on: dt.date
    processes: list[str]
    reason: str
    revoked: bool


def _item(item: WorkItem) -> ItemOut:
    instance = item.instance
    return ItemOut(
        id=item.pk, instance=instance.pk, title=instance.title, process=instance.definition.name, step=item.step_id,
        step_name=item.step_name, initiator=instance.initiator.get_full_name(), state=item.state, outcome=item.outcome,
        arrived_at=item.created_at, completed_at=item.completed_at, due_at=item.due_at,
        on_behalf_of=item.principal.get_full_name() if item.principal else None, role=item.role,
    )


def _instance(request: AuthenticatedHttpRequest, instance: ProcessInstance) -> InstanceOut:
    view = queries.instance_view(request.user, instance)
    may = available_operations(request.user, instance)
    return InstanceOut(
        id=instance.pk, title=instance.title, process=instance.definition.key, version=instance.definition.version,
        state=instance.state, initiator=instance.initiator.get_full_name(), current_steps=instance.current_steps,
        started_at=instance.started_at, ended_at=instance.ended_at, classification=instance.classification,
        fields=view.fields, values=view.values, open_item=view.open_item.pk if view.open_item else None, operations=list(may.codes),
        return_targets=[StepOut(step=step, name=name) for step, name in may.return_targets],
    )


def _visible_instance(request: AuthenticatedHttpRequest, instance_id: int) -> ProcessInstance:
    """A process exists only for its participants: anyone else gets 404, not 403."""
    instance = get_object_or_404(ProcessInstance.objects.select_related("definition", "initiator"), pk=instance_id)
    if not can(request.user, VIEW, instance):
        raise Http404
    return instance


def _own_item(request: AuthenticatedHttpRequest, item_id: int) -> WorkItem:
    """A work item exists for its assignee (and the process's viewers); for anyone else it is 404."""
    item = get_object_or_404(WorkItem.objects.select_related("instance"), pk=item_id)
    _visible_instance(request, item.instance_id)
    return item


@router.get("/processes", response=list[ProcessOut], summary="Processes I may start")
def processes(request: AuthenticatedHttpRequest) -> list[ProcessOut]:
    return [ProcessOut(key=d.key, name=d.name, version=d.version, form=d.form) for d in queries.startable(request.user)]


@router.post("/instances", response={201: InstanceOut}, summary="Start a process")
def start(request: AuthenticatedHttpRequest, payload: StartIn) -> Any:
    instance = services.start(acting_user=request.user, key=payload.key, title=payload.title, data=payload.data,
                              classification=payload.classification, chosen=payload.chosen, comment=payload.comment)
    return Status(201, _instance(request, instance))


@router.get("/instances/{instance_id}", response=InstanceOut, summary="One process, with the fields I may see")
def instance_detail(request: AuthenticatedHttpRequest, instance_id: int) -> InstanceOut:
    return _instance(request, _visible_instance(request, instance_id))


@router.get("/instances/{instance_id}/trace", response=list[ActionOut], summary="The path taken: who, when, what, comments")
def trace(request: AuthenticatedHttpRequest, instance_id: int) -> list[ActionOut]:
    instance = _visible_instance(request, instance_id)
    return [ActionOut(kind=action.kind, label=str(Action.Kind(action.kind).label), step=action.step_name,
                      actor=action.actor.get_full_name() if action.actor else None,
                      on_behalf_of=action.on_behalf_of.get_full_name() if action.on_behalf_of else None,
                      comment=action.comment, data=action.data, at=action.created_at)
            for action in queries.trace(instance)]


@router.get("/counts", response=TaskCountsOut, summary="Counts for the to-do tabs")
def counts(request: AuthenticatedHttpRequest) -> TaskCountsOut:
    return TaskCountsOut(**queries.counts(request.user))


@router.get("/todo", response=Page[ItemOut], summary="待办: my open tasks")
def todo(request: AuthenticatedHttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    return page(queries.todo(request.user), paging, _item)


@router.get("/done", response=Page[ItemOut], summary="已办: tasks I completed")
def done(request: AuthenticatedHttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    return page(queries.done(request.user), paging, _item)


@router.get("/started", response=Page[InstanceOut], summary="我发起的: processes I started")
def started_list(request: AuthenticatedHttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    return page(queries.started(request.user), paging, lambda instance: _instance(request, instance))


def _copy(copy: Copy) -> CopyOut:
    return CopyOut(instance=copy.instance_id, title=copy.instance.title, kind=copy.kind,
                   sent_by=copy.sent_by.get_full_name() if copy.sent_by else None, sent_at=copy.created_at, read_at=copy.read_at)


@router.get("/copied", response=Page[CopyOut], summary="抄送我的: copies and circulations")
def copied(request: AuthenticatedHttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    return page(queries.copied(request.user), paging, _copy)


@router.post("/items/{item_id}/approve", response=InstanceOut, summary="Approve (同意), with comment and form values")
def approve(request: AuthenticatedHttpRequest, item_id: int, payload: DecideIn) -> InstanceOut:
    _own_item(request, item_id)
    instance = services.approve(acting_user=request.user, item_id=item_id, comment=payload.comment, data=payload.data,
                                chosen=payload.chosen)
    return _instance(request, instance)


@router.post("/items/{item_id}/reject", response=InstanceOut, summary="Reject (不同意): ends the process")
def reject(request: AuthenticatedHttpRequest, item_id: int, payload: CommentIn) -> InstanceOut:
    _own_item(request, item_id)
    return _instance(request, services.reject(acting_user=request.user, item_id=item_id, comment=payload.comment))


@router.post("/items/{item_id}/claim", response=ItemOut, summary="Claim (抢办) a pooled task")
def claim(request: AuthenticatedHttpRequest, item_id: int) -> ItemOut:
    _own_item(request, item_id)
    return _item(services.claim(acting_user=request.user, item_id=item_id))


@router.post("/items/{item_id}/transfer", response=ItemOut, summary="Transfer (转办) to someone who will decide")
def transfer(request: AuthenticatedHttpRequest, item_id: int, payload: ToIn) -> ItemOut:
    _own_item(request, item_id)
    return _item(services.transfer(acting_user=request.user, item_id=item_id, to=payload.to, comment=payload.comment))


@router.post("/items/{item_id}/delegate", response=ItemOut, summary="Delegate (委派): it comes back to me")
def delegate(request: AuthenticatedHttpRequest, item_id: int, payload: ToIn) -> ItemOut:
    _own_item(request, item_id)
    return _item(services.delegate(acting_user=request.user, item_id=item_id, to=payload.to, comment=payload.comment))


@router.post("/items/{item_id}/hand-back", response=ItemOut, summary="Hand a delegated task back with my opinion")
def hand_back(request: AuthenticatedHttpRequest, item_id: int, payload: CommentIn) -> ItemOut:
    _own_item(request, item_id)
    return _item(services.hand_back(acting_user=request.user, item_id=item_id, comment=payload.comment))


@router.post("/items/{item_id}/signers", response=list[ItemOut], summary="Add signers (加签) before or after me")
def add_signers(request: AuthenticatedHttpRequest, item_id: int, payload: SignersIn) -> list[ItemOut]:
    _own_item(request, item_id)
    return [_item(item) for item in services.add_signers(acting_user=request.user, item_id=item_id, usernames=payload.people,
                                                        before=payload.before, comment=payload.comment)]


@router.post("/items/{item_id}/remove", response={204: None}, summary="Remove a signer I added (减签)")
def remove_signer(request: AuthenticatedHttpRequest, item_id: int, payload: CommentIn) -> Any:
    _own_item(request, item_id)
    services.remove_signer(acting_user=request.user, item_id=item_id, comment=payload.comment)
    return Status(204, None)


@router.get("/items/{item_id}/return-targets", response=list[StepOut], summary="Steps this task may go back to")
def return_targets(request: AuthenticatedHttpRequest, item_id: int) -> list[StepOut]:
    item = _own_item(request, item_id)
    return [StepOut(step=step, name=name) for step, name in services.return_targets(item.instance)]


@router.post("/items/{item_id}/return", response=InstanceOut, summary="Return (退回) to a step already passed")
def return_to(request: AuthenticatedHttpRequest, item_id: int, payload: ReturnIn) -> InstanceOut:
    _own_item(request, item_id)
    return _instance(request, services.return_to(acting_user=request.user, item_id=item_id, step_id=payload.step,
                                                 comment=payload.comment))


@router.post("/items/{item_id}/reassign", response=ItemOut, summary="Reassign a stuck task (process administrators)")
def reassign(request: AuthenticatedHttpRequest, item_id: int, payload: ToIn) -> ItemOut:
    _own_item(request, item_id)
    return _item(services.reassign(acting_user=request.user, item_id=item_id, to=payload.to, comment=payload.comment))


@router.post("/instances/{instance_id}/withdraw", response=InstanceOut, summary="Withdraw (撤回) while the next step has not acted")
def withdraw(request: AuthenticatedHttpRequest, instance_id: int, payload: CommentIn) -> InstanceOut:
    _visible_instance(request, instance_id)
    return _instance(request, services.withdraw(acting_user=request.user, instance_id=instance_id, comment=payload.comment))


@router.post("/instances/{instance_id}/cancel", response=InstanceOut, summary="Cancel (撤销): the initiator calls it off")
def cancel(request: AuthenticatedHttpRequest, instance_id: int, payload: CommentIn) -> InstanceOut:
    _visible_instance(request, instance_id)
    return _instance(request, services.cancel(acting_user=request.user, instance_id=instance_id, comment=payload.comment))


@router.post("/instances/{instance_id}/terminate", response=InstanceOut, summary="Terminate (终止): process administrators")
def terminate(request: AuthenticatedHttpRequest, instance_id: int, payload: CommentIn) -> InstanceOut:
    _visible_instance(request, instance_id)
    return _instance(request, services.terminate(acting_user=request.user, instance_id=instance_id, comment=payload.comment))


@router.post("/instances/{instance_id}/remind", response=list[ItemOut], summary="Remind (催办) the current handlers")
def remind(request: AuthenticatedHttpRequest, instance_id: int, payload: CommentIn) -> list[ItemOut]:
    _visible_instance(request, instance_id)
    return [_item(item) for item in services.remind(acting_user=request.user, instance_id=instance_id, comment=payload.comment)]


@router.post("/instances/{instance_id}/copies", response={201: list[CopyOut]}, summary="Copy (抄送) or circulate (传阅)")
def copy(request: AuthenticatedHttpRequest, instance_id: int, payload: CopyIn) -> Any:
    _visible_instance(request, instance_id)
    copies = services.copy(acting_user=request.user, instance_id=instance_id, usernames=payload.people, circulate=payload.circulate,
                           comment=payload.comment)
    return Status(201, [CopyOut(instance=c.instance_id, title=c.instance.title, kind=c.kind, sent_by=request.user.get_full_name(),
                         sent_at=c.created_at, read_at=c.read_at) for c in copies])


@router.post("/instances/{instance_id}/read", response={204: None}, summary="Mark my copy as read")
def read(request: AuthenticatedHttpRequest, instance_id: int) -> Any:
    _visible_instance(request, instance_id)
    services.mark_read(acting_user=request.user, instance_id=instance_id)
    return Status(204, None)


def _delegation(delegation: StandingDelegation) -> DelegationOut:
    return DelegationOut(id=delegation.pk, to=delegation.delegate.username, starts_on=delegation.starts_on, ends_on=delegation.ends_on,
                         processes=delegation.process_keys, reason=delegation.reason, revoked=delegation.revoked_at is not None)


@router.get("/delegations", response=list[DelegationOut], summary="My standing delegations (委托)")
def delegations(request: AuthenticatedHttpRequest) -> list[DelegationOut]:
    return [_delegation(d) for d in StandingDelegation.objects.filter(principal=request.user).select_related("delegate")]


@router.post("/delegations", response={201: DelegationOut}, summary="Delegate my new work while I am away")
def create_delegation(request: AuthenticatedHttpRequest, payload: DelegationIn) -> Any:
    delegation = services.delegate_while_away(acting_user=request.user, to=payload.to, starts_on=payload.starts_on,
                                              ends_on=payload.ends_on, process_keys=payload.processes, reason=payload.reason)
    return Status(201, _delegation(delegation))


@router.delete("/delegations/{delegation_id}", response={204: None}, summary="End a standing delegation")
def revoke_delegation(request: AuthenticatedHttpRequest, delegation_id: int) -> Any:
    delegation = get_object_or_404(StandingDelegation, pk=delegation_id, principal=request.user)
    services.revoke_delegation(acting_user=request.user, delegation=delegation)
    return Status(204, None)
