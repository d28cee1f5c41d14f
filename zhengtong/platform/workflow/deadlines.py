"""Deadlines of steps, from ``workdays``, and the durable timers that act on them.

A step with ``deadline`` (``3wd`` working days, ``2d`` natural days, ``4h`` hours) gets one
workdays clock; each of its work items carries the due time and a yellow-card time
(``warn_ratio`` of the way there). Timers are rows: the worker claims one in a transaction,
acts, and marks it fired in the same transaction — after a crash it is still pending and
fires later, and it never fires twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from zhengtong.platform import batch
from zhengtong.platform.directory import queries as directory
from zhengtong.platform.workdays import services as workdays
from zhengtong.platform.workdays.models import Clock, ClockState, DueChange, Unit
from zhengtong.platform.workdays.signals import due_changed
from zhengtong.platform.workflow import reminders
from zhengtong.platform.workflow.definitions import DEADLINE, StepConfig
from zhengtong.platform.workflow.models import Action, ProcessInstance, Timer, WorkItem

UNITS = {"wd": Unit.WORKING_DAYS, "d": Unit.NATURAL_DAYS, "h": Unit.HOURS}


@dataclass(frozen=True)
class StepDeadline:
    clock_id: int
    due_at: datetime
    warn_at: datetime


def start(instance: ProcessInstance, config: StepConfig, engine_task_id: str, now: datetime) -> StepDeadline | None:
    match = DEADLINE.match(config.deadline)
    if match is None:
        return None
    clock = workdays.start_clock(acting_user=None, owner=f"workflow.step:{instance.pk}:{engine_task_id}"[:100],
                                 unit=UNITS[match.group(2)], amount=int(match.group(1)), label=f"{instance.title} · {config.name}",
                                 started_at=now)
    return StepDeadline(clock.pk, clock.due_at, now + (clock.due_at - now) * config.warn_ratio)


def schedule(item: WorkItem, config: StepConfig) -> None:
    """The timers of a new work item: yellow card, red card, and the automatic decision if any."""
    if item.due_at is None or item.warn_at is None:
        return
    kinds = [(Timer.Kind.WARN, item.warn_at), (Timer.Kind.OVERDUE, item.due_at)]
    if config.on_timeout != "remind":
        kinds.append((Timer.Kind.TIMEOUT, item.due_at))
    Timer.objects.bulk_create(Timer(kind=kind, instance=item.instance, work_item=item, due_at=at) for kind, at in kinds)


def stop(engine_task_id: str, instance: ProcessInstance) -> None:
    """The step is over: its clock stops and its pending timers are cancelled."""
    items = WorkItem.objects.filter(instance=instance, engine_task_id=engine_task_id)
    Timer.objects.filter(work_item__in=items, state=Timer.State.PENDING).update(state=Timer.State.CANCELLED)
    clock_id = items.exclude(clock_id__isnull=True).values_list("clock_id", flat=True).first()
    if clock_id is not None:
        clock = Clock.objects.filter(pk=clock_id).exclude(state=ClockState.STOPPED).first()
        if clock is not None:
            workdays.stop_clock(acting_user=None, clock=clock)


@receiver(due_changed)
def follow_the_calendar(sender: Any, changes: list[DueChange], **kwargs: Any) -> None:
    """When the calendar moves a clock, its work items and their pending timers move with it."""
    for change in changes:
        shift = change.new_due_at - change.old_due_at
        for item in WorkItem.objects.filter(clock_id=change.clock_id, state__in=(WorkItem.State.OPEN, WorkItem.State.WAITING,
                                                                                 WorkItem.State.DELEGATED)):
            item.due_at = change.new_due_at
            item.warn_at = item.warn_at + shift if item.warn_at else None
            item.save(update_fields=["due_at", "warn_at"])
            for timer in Timer.objects.filter(work_item=item, state=Timer.State.PENDING):
                timer.due_at = item.warn_at if timer.kind == Timer.Kind.WARN and item.warn_at else item.due_at
                timer.save(update_fields=["due_at"])


# --- Firing --------------------------------------------------------------------------------


def _fire(timer: Timer, now: datetime) -> None:
    from zhengtong.platform.workflow import services

    item = timer.work_item
    if item is None or item.state != WorkItem.State.OPEN or timer.instance.state != ProcessInstance.State.RUNNING:
        return
    if timer.kind == Timer.Kind.WARN:
        services.record_timer_action(timer.instance, item, Action.Kind.REMIND, {"level": "yellow"})
        reminders.yellow_card(item)
    elif timer.kind == Timer.Kind.OVERDUE:
        leaders = [leader.username for leader in directory.department_head(item.principal or item.assignee)]
        services.record_timer_action(timer.instance, item, Action.Kind.ESCALATE, {"level": "red", "leaders": leaders})
        reminders.red_card(item, leaders)
    elif timer.kind == Timer.Kind.TIMEOUT:
        services.decide_on_timeout(item)


def run_due(now: datetime | None = None, limit: int = 200) -> int:
    """Fire the timers that are due; returns how many fired. Safe with several workers."""
    now = now or timezone.now()
    fired = 0
    due = list(Timer.objects.filter(state=Timer.State.PENDING, due_at__lte=now).order_by("due_at", "id")
               .values_list("pk", flat=True)[:limit])
    for pk in due:
        with batch.atomic():
            # Lock the timer row alone: joins under FOR UPDATE differ between databases.
            timer = Timer.objects.select_for_update(skip_locked=True).filter(pk=pk, state=Timer.State.PENDING).first()
            if timer is None:
                continue
            _fire(timer, now)
            timer.state, timer.fired_at = Timer.State.FIRED, now
            timer.save(update_fields=["state", "fired_at"])
            fired += 1
    return fired
