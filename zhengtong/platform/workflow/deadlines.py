"""Deadlines of steps, from ``workdays``, and the timers that act on them.

A step with ``deadline`` (``3wd`` working days, ``2d`` natural days, ``4h`` hours) gives each of
its work items a clock: the due time computed by the working-day calendar from the step's
start, and a yellow-card time ``warn_ratio`` of the way there. The item's next timer is a column
of its row (``timer``, ``timer_at``): the worker claims the row in a transaction, acts, and sets
the next timer in the same transaction — after a crash it is still due and fires later, and it
never fires twice. When the calendar changes, open items' deadlines move with it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.dispatch import receiver
from django.utils import timezone

from zhengtong.platform import batch
from zhengtong.platform.directory import queries as directory
from zhengtong.platform.workdays import calendar
from zhengtong.platform.workdays.models import Unit
from zhengtong.platform.workdays.signals import calendar_changed
from zhengtong.platform.workflow import reminders
from zhengtong.platform.workflow.definitions import DEADLINE, StepConfig
from zhengtong.platform.workflow.models import Action, ProcessInstance, WorkItem

UNITS = {"wd": Unit.WORKING_DAYS, "d": Unit.NATURAL_DAYS, "h": Unit.HOURS}
WARN, OVERDUE = "warn", "overdue"


@dataclass(frozen=True)
class StepDeadline:
    deadline: str
    started_at: datetime
    due_at: datetime
    warn_at: datetime


def _due(deadline: str, started_at: datetime, warn_ratio: float, snapshot: calendar.Snapshot | None = None) -> StepDeadline | None:
    match = DEADLINE.match(deadline)
    if match is None:
        return None
    terms = calendar.ClockTerms(UNITS[match.group(2)], int(match.group(1)), started_at, False, ())
    due_at = calendar.clock_due(terms, snapshot).at
    return StepDeadline(deadline, started_at, due_at, started_at + (due_at - started_at) * warn_ratio)


def start(config: StepConfig, now: datetime, calendar_revision: int | None) -> StepDeadline | None:
    """The clock of a step starting now, if the step has a deadline (``calendar_revision``: as read with the process)."""
    if not config.deadline:
        return None
    return _due(config.deadline, now, config.warn_ratio, calendar.current(calendar_revision))


def arm(item: WorkItem, deadline: StepDeadline | None) -> None:
    """Give a new item its step's clock and its first timer."""
    if deadline is None:
        return
    item.deadline, item.clock_started_at = deadline.deadline, deadline.started_at
    item.due_at, item.warn_at = deadline.due_at, deadline.warn_at
    item.timer, item.timer_at = WARN, deadline.warn_at


@receiver(calendar_changed)
def follow_the_calendar(sender: Any, days: Collection[date], years: Collection[int], **kwargs: Any) -> None:
    """A changed working day moves the deadline of every open item whose clock spans it (or, for a year
    that gained data, every provisional one); pending timers move with it."""
    items = WorkItem.objects.filter(state__in=(WorkItem.State.OPEN, WorkItem.State.WAITING, WorkItem.State.DELEGATED),
                                    clock_started_at__isnull=False).exclude(deadline__endswith="h")
    if days and not years:
        items = items.filter(clock_started_at__lte=calendar.end_of_day(max(days)),
                             due_at__gt=calendar.end_of_day(min(days) - calendar.ONE_DAY))
    snapshot = calendar.Snapshot()
    moved = []
    for item in items.select_related("instance__definition"):
        if item.clock_started_at is None:
            continue
        config = _config(item)
        recomputed = _due(item.deadline, item.clock_started_at, config.warn_ratio if config else 0.8, snapshot)
        if recomputed is None or (recomputed.due_at, recomputed.warn_at) == (item.due_at, item.warn_at):
            continue
        item.due_at, item.warn_at = recomputed.due_at, recomputed.warn_at
        if item.timer:
            item.timer_at = item.warn_at if item.timer == WARN else item.due_at
        moved.append(item)
    WorkItem.objects.bulk_update(moved, ["due_at", "warn_at", "timer_at"])


def _config(item: WorkItem) -> StepConfig | None:
    from zhengtong.platform.workflow.definitions import parsed

    return parsed(item.instance.definition).steps.get(item.step_id)


# --- Firing --------------------------------------------------------------------------------


def _fire(item: WorkItem, instance: ProcessInstance, now: datetime) -> None:
    from zhengtong.platform.workflow import services

    if item.timer == WARN:
        item.timer, item.timer_at = OVERDUE, item.due_at
        services.record_timer_action(instance, item, Action.Kind.REMIND, {"level": "yellow"})
        reminders.yellow_card(item)
    else:
        item.timer, item.timer_at = "", None
        leaders = [leader.username for leader in directory.department_head(item.principal or item.assignee)]
        services.record_timer_action(instance, item, Action.Kind.ESCALATE, {"level": "red", "leaders": leaders})
        reminders.red_card(item, leaders)
    WorkItem.objects.filter(pk=item.pk).update(timer=item.timer, timer_at=item.timer_at)
    config = _config(item)
    if not item.timer and config is not None and config.on_timeout != "remind":
        services.decide_on_timeout(item)


def run_due(now: datetime | None = None, limit: int = 200) -> int:
    """Fire the timers that are due; returns how many fired. Safe with several workers."""
    now = now or timezone.now()
    fired = 0
    due = list(WorkItem.objects.filter(timer_at__lte=now, state=WorkItem.State.OPEN).order_by("timer_at", "id")
               .values_list("pk", "instance_id")[:limit])
    skip = connection.features.has_select_for_update_skip_locked
    for pk, instance_id in due:
        with batch.atomic():
            # The process first, as every workflow operation locks it; one another worker or a person holds is left
            # for the next round.
            instance = ProcessInstance.objects.select_for_update(skip_locked=skip).filter(pk=instance_id).first()
            item = WorkItem.objects.filter(pk=pk, state=WorkItem.State.OPEN, timer_at__lte=now).select_related(
                "assignee", "principal").first() if instance is not None else None
            if instance is None or item is None:
                continue
            instance = ProcessInstance.objects.select_related("definition").get(pk=instance_id)
            item.instance = instance
            if instance.state != ProcessInstance.State.RUNNING:
                WorkItem.objects.filter(pk=pk).update(timer="", timer_at=None)
                continue
            # A worker that was away fires the yellow and the red card of a long-overdue item in one round.
            while item.timer and item.timer_at is not None and item.timer_at <= now and item.state == WorkItem.State.OPEN:
                _fire(item, instance, now)
            fired += 1
    return fired
