"""Clocks of open work: pauses, extensions, stopping, and recomputation when the calendar changes."""

from datetime import date, datetime
from typing import Any

import pytest

from zhengtong.errors import ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.workdays import calendar, services
from zhengtong.platform.workdays.models import Clock, ClockState, DueChange, MissingYear

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


def due_day(clock: Clock) -> date:
    return clock.due_at.astimezone(SHANGHAI).date()


def start(amount: int = 20, unit: str = "working_days", when: datetime | None = None, owner: str = "workflow.task:42") -> Clock:
    return services.start_clock(acting_user=None, owner=owner, label="依申请公开", unit=unit, amount=amount,
                                started_at=when or at(2025, 9, 26, 10, 0))


def test_a_clock_is_due_at_the_end_of_its_last_working_day() -> None:
    clock = start()
    assert clock.due_at == at(2025, 10, 30, 23, 59, 59) and not clock.provisional and clock.state == ClockState.RUNNING
    assert AuditRecord.objects.filter(action="workdays.clock_started", object_id=str(clock.pk)).exists()


def test_pause_and_resume_shift_the_due_date_by_the_working_days_paused(clerk: Any) -> None:
    clock = start()
    services.pause_clock(acting_user=clerk, clock=clock, reason="correction", note="补正材料", at=at(2025, 10, 13, 9, 0))
    clock = services.resume_clock(acting_user=clerk, clock=clock, at=at(2025, 10, 16, 15, 0))
    # Not counted: 14, 15, 16 Oct (pause date < D <= resume date): three working days later.
    assert due_day(clock) == date(2025, 11, 4) == calendar.add_working_days(date(2025, 10, 30), 3).day
    pause = clock.pauses.get()
    assert (pause.reason, pause.ended_at, pause.created_by) == ("correction", at(2025, 10, 16, 15, 0), clerk)
    change = DueChange.objects.get(clock=clock)
    assert (change.old_due_at, change.new_due_at) == (at(2025, 10, 30, 23, 59, 59), at(2025, 11, 4, 23, 59, 59))


def test_a_pause_over_a_holiday_costs_only_the_working_days_in_it() -> None:
    clock = start()
    services.pause_clock(acting_user=None, clock=clock, reason="consultation", at=at(2025, 9, 30, 9, 0))
    clock = services.resume_clock(acting_user=None, clock=clock, at=at(2025, 10, 9, 9, 0))
    assert due_day(clock) == date(2025, 10, 31)  # only Thu 9 Oct was a working day


def test_a_pause_and_resume_on_the_same_day_moves_nothing() -> None:
    clock = start()
    services.pause_clock(acting_user=None, clock=clock, reason="hearing", at=at(2025, 10, 13, 9, 0))
    clock = services.resume_clock(acting_user=None, clock=clock, at=at(2025, 10, 13, 17, 0))
    assert due_day(clock) == date(2025, 10, 30) and not DueChange.objects.exists()


def test_an_extension_adds_working_days(clerk: Any) -> None:
    clock = services.extend_clock(acting_user=clerk, clock=start(), amount=20, reason="情况复杂，经负责人同意延长")
    assert due_day(clock) == calendar.add_working_days(date(2025, 9, 26), 40).day
    extension = clock.extensions.get()
    assert (extension.amount, extension.created_by) == (20, clerk)
    assert AuditRecord.objects.filter(action="workdays.clock_extended", object_id=str(clock.pk)).exists()


def test_hours_clocks_shift_by_the_time_paused() -> None:
    clock = start(amount=4, unit="hours", when=at(2026, 11, 27, 9, 0))
    assert clock.due_at == at(2026, 11, 27, 13, 0)
    services.pause_clock(acting_user=None, clock=clock, reason="other", at=at(2026, 11, 27, 10, 0))
    clock = services.resume_clock(acting_user=None, clock=clock, at=at(2026, 11, 27, 11, 30))
    assert clock.due_at == at(2026, 11, 27, 14, 30)


def test_natural_day_clocks_can_move_off_a_rest_day() -> None:
    clock = services.start_clock(acting_user=None, owner="permits.case:7", unit="natural_days", amount=10,
                                 started_at=at(2025, 9, 21, 9, 0), roll_to_workday=True)
    assert due_day(clock) == date(2025, 10, 9)


def test_illegal_transitions_are_refused_and_change_nothing() -> None:
    clock = start()
    with pytest.raises(ServiceError):
        services.resume_clock(acting_user=None, clock=clock)
    with pytest.raises(ServiceError):
        services.pause_clock(acting_user=None, clock=clock, reason="holiday-ish")
    with pytest.raises(ServiceError):
        services.pause_clock(acting_user=None, clock=clock, reason="other", at=at(2025, 9, 1, 9, 0))
    services.stop_clock(acting_user=None, clock=clock)
    for operation in (lambda: services.stop_clock(acting_user=None, clock=clock),
                      lambda: services.extend_clock(acting_user=None, clock=clock, amount=1, reason="r"),
                      lambda: services.pause_clock(acting_user=None, clock=clock, reason="other")):
        with pytest.raises(ServiceError):
            operation()
    with pytest.raises(ServiceError) as bad:
        services.start_clock(acting_user=None, owner="", unit="weeks", amount=0)
    assert set(bad.value.fields) == {"owner", "unit"}
    assert Clock.objects.count() == 1 and Clock.objects.get().state == ClockState.STOPPED


def test_a_provisional_clock_becomes_exact_when_the_year_is_imported(sysadmin: Any, year_2027_csv: bytes) -> None:
    crossing = start(when=at(2026, 12, 20, 10, 0))
    assert crossing.provisional and due_day(crossing) == date(2027, 1, 18)
    unaffected = start(owner="workflow.task:1")
    services.import_year(acting_user=sysadmin, year=2027, content=year_2027_csv, filename="2027.csv")
    crossing.refresh_from_db()
    # The fixture gives Monday 4 Jan off as well: one working day later, and no longer provisional.
    assert not crossing.provisional and due_day(crossing) == date(2027, 1, 19)
    change = DueChange.objects.get()
    assert (change.clock, change.old_provisional, change.new_provisional) == (crossing, True, False)
    assert "2027" in change.cause
    unaffected.refresh_from_db()
    assert due_day(unaffected) == date(2025, 10, 30)
    recomputed = AuditRecord.objects.get(action="workdays.clocks_recomputed")
    assert "1 of 1" in recomputed.detail and list(recomputed.changes) == [f"{crossing.pk} workflow.task:42"]
    assert MissingYear.objects.get(year=2027).resolved


def test_a_calendar_correction_moves_open_clocks_across_it_and_not_stopped_ones(sysadmin: Any) -> None:
    open_clock, stopped = start(), start(owner="workflow.task:2")
    services.stop_clock(acting_user=None, clock=stopped)
    services.set_day(acting_user=sysadmin, day=date(2025, 10, 20), kind="holiday", name="地方假日", origin="local")
    open_clock.refresh_from_db()
    stopped.refresh_from_db()
    assert due_day(open_clock) == date(2025, 10, 31) and due_day(stopped) == date(2025, 10, 30)
    services.remove_day(acting_user=sysadmin, day=date(2025, 10, 20))
    open_clock.refresh_from_db()
    assert due_day(open_clock) == date(2025, 10, 30)
    assert DueChange.objects.filter(clock=open_clock).count() == 2


def test_a_paused_clock_is_recomputed_as_if_resumed_now(sysadmin: Any) -> None:
    clock = start(when=at(2026, 12, 20, 10, 0))
    services.pause_clock(acting_user=None, clock=clock, reason="expert_review", at=at(2026, 12, 21, 9, 0))
    services.set_day(acting_user=sysadmin, day=date(2026, 12, 31), kind="holiday", name="测试", origin="local")
    clock.refresh_from_db()
    assert clock.state == ClockState.PAUSED and DueChange.objects.filter(clock=clock).exists()
