"""The operations on the calendar and on clocks: transactional, audited, the only writers.

Calendar changes are the system administrator's (``settings.manage``). Clock operations are
called by the services that own the work (a workflow task, a permit): those have decided who
may act on the owner, and pass the person acting, or None when a timer acts for the system.
Every calendar change recomputes the due times of the open clocks it touches.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, NotFound, ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.workdays import alerts, calendar, importing
from zhengtong.platform.workdays.models import (
    CalendarDay,
    CalendarYear,
    Clock,
    ClockExtension,
    ClockPause,
    ClockState,
    DayKind,
    DueChange,
    MissingYear,
    Origin,
    PauseReason,
    Unit,
)
from zhengtong.platform.workdays.package import SOURCE, package_days
from zhengtong.platform.workdays.signals import calendar_changed, due_changed

MAX_AMOUNT = {Unit.WORKING_DAYS: 1000, Unit.NATURAL_DAYS: 3660, Unit.HOURS: 24 * 366}
# Old → new pairs kept in one recomputation's audit record; the DueChange rows keep them all.
AUDITED_CHANGES = 200


# --- The calendar ------------------------------------------------------------------------


def _day_values(row: CalendarDay | None) -> dict[str, Any]:
    if row is None:
        return {}
    return {"kind": row.kind, "name": row.name, "origin": row.origin, "source": row.source}


def set_day(*, acting_user: Any, day: date, kind: str, name: str = "", origin: str = Origin.NOTICE, source: str = "") -> CalendarDay:
    """Enter or correct one day: a holiday, or a make-up working day (调休上班)."""
    require(acting_user, perms.MANAGE_SETTINGS)
    errors: dict[str, list[str]] = {}
    if kind not in DayKind.values:
        errors["kind"] = [_("Choose holiday or make-up working day.")]
    if origin not in (Origin.NOTICE, Origin.LOCAL):
        errors["origin"] = [_("A day entered here comes from a notice or is a local adjustment.")]
    if len(name.strip()) > importing.NAME_LENGTH:
        errors["name"] = [_("At most %(limit)s characters.") % {"limit": importing.NAME_LENGTH}]
    if len(source.strip()) > importing.SOURCE_LENGTH:
        errors["source"] = [_("At most %(limit)s characters.") % {"limit": importing.SOURCE_LENGTH}]
    if errors:
        raise ServiceError("invalid", _("The day is not valid."), errors)
    calendar.check_in_range(day)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(day=day).first()
        before = _day_values(row)
        row, _created = CalendarDay.objects.update_or_create(day=day, defaults={
            "kind": kind, "name": name.strip(), "origin": origin, "source": source.strip(), "created_by": acting_user,
            "created_at": timezone.now(),
        })
        audit.record("workdays.day_set", actor=acting_user, obj=row, changes=audit.diff(before, _day_values(row)))
        recompute_open_clocks(cause=_("calendar day %(day)s set") % {"day": day}, changed_days=[day], actor=acting_user)
    return row


def remove_day(*, acting_user: Any, day: date) -> None:
    """Remove a day's entry: it becomes an ordinary weekday or weekend day."""
    require(acting_user, perms.MANAGE_SETTINGS)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(day=day).first()
        if row is None:
            raise NotFound("not_found", _("%(day)s has no entry to remove.") % {"day": day}, {"day": [day.isoformat()]})
        audit.record("workdays.day_removed", actor=acting_user, obj=row, changes=audit.diff(_day_values(row), {}))
        row.delete()
        recompute_open_clocks(cause=_("calendar day %(day)s removed") % {"day": day}, changed_days=[day], actor=acting_user)


@dataclass(frozen=True)
class ImportResult:
    year: int
    stored: int
    removed: int
    kept_local: list[date]


def import_year(*, acting_user: Any, year: int, content: bytes, filename: str) -> ImportResult:
    """Enter a whole year from a file: its days replace the year's national ones; local adjustments stay."""
    require(acting_user, perms.MANAGE_SETTINGS)
    calendar.check_year(year)
    parsed = importing.parse(content, filename, year)
    now = timezone.now()
    with transaction.atomic():
        existing = {row.day: row for row in CalendarDay.objects.select_for_update().filter(day__year=year)}
        local = {day for day, row in existing.items() if row.origin == Origin.LOCAL}
        replaced = [row for row in existing.values() if row.origin != Origin.LOCAL]
        CalendarDay.objects.filter(pk__in=[row.pk for row in replaced]).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(day=item.day, kind=item.kind, name=item.name, origin=Origin.NOTICE, source=parsed.source,
                        created_by=acting_user, created_at=now)
            for item in parsed.days if item.day not in local
        )
        previous = CalendarYear.objects.filter(year=year).first()
        before = {"origin": previous.origin, "source": previous.source} if previous else {}
        entry, _created = CalendarYear.objects.update_or_create(year=year, defaults={
            "origin": Origin.NOTICE, "source": parsed.source, "created_by": acting_user, "created_at": now})
        alerts.resolve(year)
        kept = sorted(item.day for item in parsed.days if item.day in local)
        stored = len(parsed.days) - len(kept)
        audit.record("workdays.year_imported", actor=acting_user, obj=entry,
                     changes=audit.diff(before, {"origin": entry.origin, "source": entry.source}),
                     detail=f"{filename}: {stored} days stored, {len(replaced)} replaced, local adjustments kept on {len(kept)}")
        changed = {row.day for row in replaced} | {item.day for item in parsed.days}
        recompute_open_clocks(cause=_("calendar year %(year)s imported") % {"year": year}, changed_days=changed, years=[year],
                              actor=acting_user)
    return ImportResult(year, stored, len(replaced), kept)


@dataclass(frozen=True)
class SyncResult:
    new_years: list[int]
    changed_days: list[date]


def _sync_package(using: str, *, new_years_only: bool) -> SyncResult:
    """Bring the package's years into the database; a year an administrator entered is never touched."""
    wanted = package_days()
    years = sorted({day.year for day in wanted})
    with transaction.atomic(using=using):
        recorded = dict(CalendarYear.objects.using(using).filter(year__in=years).values_list("year", "origin"))
        synced = {year for year in years if year not in recorded or (not new_years_only and recorded[year] == Origin.PACKAGE)}
        existing = {row.day: row for row in CalendarDay.objects.using(using).filter(day__year__in=synced)}
        created, updated, changed = [], [], []
        for day, (kind, name) in sorted(wanted.items()):
            row = existing.get(day)
            if day.year not in synced or (row is not None and row.origin != Origin.PACKAGE):
                continue  # administrators' entries win over the package
            if row is None:
                created.append(CalendarDay(day=day, kind=kind, name=name, origin=Origin.PACKAGE, source=SOURCE))
            elif (row.kind, row.name) != (kind, name):
                row.kind, row.name, row.source = kind, name, SOURCE
                updated.append(row)
            else:
                continue
            changed.append(day)
        dropped = [row for day, row in existing.items() if row.origin == Origin.PACKAGE and day not in wanted]
        CalendarDay.objects.using(using).bulk_create(created)
        CalendarDay.objects.using(using).bulk_update(updated, ["kind", "name", "source"])
        CalendarDay.objects.using(using).filter(pk__in=[row.pk for row in dropped]).delete()
        new_years = sorted(year for year in synced if year not in recorded)
        CalendarYear.objects.using(using).bulk_create(CalendarYear(year=year, origin=Origin.PACKAGE, source=SOURCE) for year in new_years)
        MissingYear.objects.using(using).filter(year__in=new_years, resolved_at__isnull=True).update(resolved_at=timezone.now())
    return SyncResult(new_years, sorted(changed + [row.day for row in dropped]))


def seed_package_years(using: str = "default") -> None:
    """On migrate: add the years the package knows and the database does not; installation data, not audited."""
    result = _sync_package(using, new_years_only=True)
    if result.new_years and Clock.objects.using(using).exclude(state=ClockState.STOPPED).exists():
        recompute_open_clocks(cause=_("calendar years %(years)s added from the package") % {"years": result.new_years},
                              changed_days=result.changed_days, years=result.new_years)


def sync_package(*, acting_user: Any = None) -> SyncResult:
    """After upgrading ``chinesecalendar``: take its corrections and new years (not years administrators entered)."""
    if acting_user is not None:
        require(acting_user, perms.MANAGE_SETTINGS)
    with transaction.atomic():
        result = _sync_package("default", new_years_only=False)
        if result.new_years or result.changed_days:
            audit.record("workdays.package_synced", actor=acting_user, object_type="workdays.package", object_id=SOURCE,
                         changes={"new_years": [None, result.new_years], "changed_days": [None, [str(day) for day in result.changed_days]]},
                         detail=f"{SOURCE}: {len(result.new_years)} new years, {len(result.changed_days)} days changed")
            recompute_open_clocks(cause=_("calendar synchronised with %(source)s") % {"source": SOURCE},
                                  changed_days=result.changed_days, years=result.new_years, actor=acting_user)
    return result


def open_alerts() -> list[MissingYear]:
    return list(MissingYear.objects.filter(resolved_at__isnull=True))


def next_year_missing(today: date | None = None) -> int | None:
    """From 1 November, next year when it has no data yet: the notice is due about now."""
    today = today or timezone.localdate()
    if today.month < 11 or CalendarYear.objects.filter(year=today.year + 1).exists():
        return None
    return today.year + 1


# --- Clocks --------------------------------------------------------------------------------


def _terms(clock: Clock, now: datetime) -> calendar.ClockTerms:
    """Reads ``pauses`` and ``extensions`` through prefetched lists when the caller prefetched them."""
    extra = sum(extension.amount for extension in clock.extensions.all())
    pauses = tuple((pause.started_at, pause.ended_at or now) for pause in clock.pauses.all())
    return calendar.ClockTerms(clock.unit, clock.amount + extra, clock.started_at, clock.roll_to_workday, pauses)


def _redue(clock: Clock, cause: str, now: datetime, snapshot: calendar.Snapshot | None = None) -> DueChange | None:
    """Recompute ``clock.due_at`` in place; the change (not yet saved) when it moved."""
    due = calendar.clock_due(_terms(clock, now), snapshot)
    if (due.at, due.provisional) == (clock.due_at, clock.provisional):
        return None
    change = DueChange(clock=clock, old_due_at=clock.due_at, new_due_at=due.at, old_provisional=clock.provisional,
                       new_provisional=due.provisional, cause=cause[:200], changed_at=now)
    clock.due_at, clock.provisional = due.at, due.provisional
    return change


def _locked(clock: Clock) -> Clock:
    return Clock.objects.select_for_update().get(pk=clock.pk)


def _clock_values(clock: Clock) -> dict[str, Any]:
    return {"state": clock.state, "due_at": clock.due_at, "provisional": clock.provisional}


def start_clock(*, acting_user: Any, owner: str, unit: str, amount: int, label: str = "", started_at: datetime | None = None,
                roll_to_workday: bool = False) -> Clock:
    """Start the deadline of ``owner`` (e.g. "workflow.task:42"): ``amount`` working days, natural days or hours."""
    errors: dict[str, list[str]] = {}
    if not owner.strip() or len(owner) > 100:
        errors["owner"] = [_("Name the work the clock belongs to, in at most 100 characters.")]
    if unit not in Unit.values:
        errors["unit"] = [_("Choose working days, natural days or hours.")]
    elif not 1 <= amount <= MAX_AMOUNT[Unit(unit)]:
        errors["amount"] = [_("Between 1 and %(limit)s.") % {"limit": MAX_AMOUNT[Unit(unit)]}]
    if errors:
        raise ServiceError("invalid", _("The clock is not valid."), errors)
    started_at = started_at or timezone.now()
    with transaction.atomic():
        clock = Clock(owner=owner.strip(), label=label.strip()[:200], unit=unit, amount=amount, roll_to_workday=roll_to_workday,
                      started_at=started_at, created_by=acting_user if getattr(acting_user, "pk", None) else None)
        terms = calendar.ClockTerms(unit, amount, started_at, roll_to_workday, ())
        due = calendar.clock_due(terms)
        clock.due_at, clock.provisional = due.at, due.provisional
        clock.save()
        audit.record("workdays.clock_started", actor=acting_user, obj=clock,
                     changes=audit.diff({}, {"owner": clock.owner, "unit": unit, "amount": amount, **_clock_values(clock)}))
    return clock


def pause_clock(*, acting_user: Any, clock: Clock, reason: str, note: str = "", at: datetime | None = None) -> Clock:
    """Stop the clock for 补正, a consultation, a hearing, an expert review…; resume_clock restarts it."""
    if reason not in PauseReason.values:
        raise ServiceError("invalid", _("Choose why the clock pauses."), {"reason": [reason]})
    at = at or timezone.now()
    with transaction.atomic():
        clock = _locked(clock)
        if clock.state != ClockState.RUNNING:
            raise Conflict("not_running", _("Only a running clock can be paused."))
        if at < clock.started_at:
            raise ServiceError("invalid", _("A clock cannot pause before it started."), {"at": [at.isoformat()]})
        ClockPause.objects.create(clock=clock, reason=reason, note=note.strip()[:200], started_at=at,
                                  created_by=acting_user if getattr(acting_user, "pk", None) else None)
        clock.state = ClockState.PAUSED
        clock.save(update_fields=["state"])
        audit.record("workdays.clock_paused", actor=acting_user, obj=clock, changes={"state": [ClockState.RUNNING, ClockState.PAUSED]},
                     detail=f"{reason}: {note}".strip(": "))
    return clock


def resume_clock(*, acting_user: Any, clock: Clock, at: datetime | None = None) -> Clock:
    """Run the clock again; the due date moves by the days paused (dates after the pause day up to today)."""
    at = at or timezone.now()
    with transaction.atomic():
        clock = _locked(clock)
        pause = clock.pauses.filter(ended_at__isnull=True).first()
        if clock.state != ClockState.PAUSED or pause is None:
            raise Conflict("not_paused", _("Only a paused clock can be resumed."))
        if at < pause.started_at:
            raise ServiceError("invalid", _("A clock cannot resume before it paused."), {"at": [at.isoformat()]})
        pause.ended_at = at
        pause.save(update_fields=["ended_at"])
        before = _clock_values(clock)
        clock.state = ClockState.RUNNING
        change = _redue(clock, _("resumed after %(reason)s") % {"reason": pause.get_reason_display()}, at)
        _save_changes(clock, change, ["state", "due_at", "provisional"])
        audit.record("workdays.clock_resumed", actor=acting_user, obj=clock, changes=audit.diff(before, _clock_values(clock)))
    return clock


def extend_clock(*, acting_user: Any, clock: Clock, amount: int, reason: str) -> Clock:
    """Add ``amount`` of the clock's unit (延期, e.g. 行政许可法 Art. 42's ten working days), with the reason."""
    errors: dict[str, list[str]] = {}
    if not 1 <= amount <= MAX_AMOUNT[Unit(clock.unit)]:
        errors["amount"] = [_("Between 1 and %(limit)s.") % {"limit": MAX_AMOUNT[Unit(clock.unit)]}]
    if not reason.strip() or len(reason) > 200:
        errors["reason"] = [_("Give the reason, in at most 200 characters.")]
    if errors:
        raise ServiceError("invalid", _("The extension is not valid."), errors)
    now = timezone.now()
    with transaction.atomic():
        clock = _locked(clock)
        if clock.state == ClockState.STOPPED:
            raise Conflict("stopped", _("A stopped clock cannot be extended."))
        ClockExtension.objects.create(clock=clock, amount=amount, reason=reason.strip(), created_at=now,
                                      created_by=acting_user if getattr(acting_user, "pk", None) else None)
        before = _clock_values(clock)
        change = _redue(clock, _("extended by %(amount)s: %(reason)s") % {"amount": amount, "reason": reason.strip()}, now)
        _save_changes(clock, change, ["due_at", "provisional"])
        audit.record("workdays.clock_extended", actor=acting_user, obj=clock, changes=audit.diff(before, _clock_values(clock)),
                     detail=f"+{amount} {clock.unit}: {reason.strip()}")
    return clock


def stop_clock(*, acting_user: Any, clock: Clock, at: datetime | None = None) -> Clock:
    """The work is done (or ended): the clock keeps its last due time for the record."""
    at = at or timezone.now()
    with transaction.atomic():
        clock = _locked(clock)
        if clock.state == ClockState.STOPPED:
            raise Conflict("stopped", _("The clock has already stopped."))
        before = clock.state
        clock.pauses.filter(ended_at__isnull=True).update(ended_at=at)
        clock.state, clock.stopped_at = ClockState.STOPPED, at
        clock.save(update_fields=["state", "stopped_at"])
        audit.record("workdays.clock_stopped", actor=acting_user, obj=clock, changes={"state": [before, ClockState.STOPPED]})
    return clock


def _save_changes(clock: Clock, change: DueChange | None, fields: list[str]) -> None:
    clock.save(update_fields=fields)
    if change is not None:
        change.save()
        due_changed.send(sender=Clock, changes=[change])


def _due_text(at: datetime, provisional: bool) -> str:
    return at.isoformat() + (" provisional" if provisional else "")


def recompute_open_clocks(*, cause: str, changed_days: Collection[date] = (), years: Collection[int] = (), actor: Any = None) -> int:
    """Recompute the due times of open day-counted clocks that a calendar change can move.

    A clock is affected when its span (start date to due date) contains a changed day, or when
    it is provisional and a year it may cross gained data. Hours clocks never are. Returns how
    many changed; each change is kept as a DueChange row (old → new) and the batch is audited.
    """
    if not changed_days and not years:
        return 0
    calendar.changed()
    calendar_changed.send(sender=CalendarDay, days=set(changed_days), years=set(years))
    days = sorted(changed_days)
    reach = Q(provisional=True) if years else Q()
    if days:
        # A changed day moves a due time only when it lies between the clock's start and its due date.
        span = Q(started_at__lte=calendar.end_of_day(days[-1]), due_at__gt=calendar.end_of_day(days[0] - calendar.ONE_DAY))
        reach = reach | span if years else span
    clocks = list(Clock.objects.select_for_update().exclude(state=ClockState.STOPPED).exclude(unit=Unit.HOURS).filter(reach)
                  .prefetch_related("pauses", "extensions").order_by("started_at"))
    if not clocks:
        return 0
    now = timezone.now()
    snapshot = calendar.Snapshot()
    changes = [change for clock in clocks if (change := _redue(clock, cause, now, snapshot)) is not None]
    with transaction.atomic():
        Clock.objects.bulk_update([change.clock for change in changes], ["due_at", "provisional"])
        DueChange.objects.bulk_create(changes)
        due_changed.send(sender=Clock, changes=changes)
        audit.record("workdays.clocks_recomputed", actor=actor, object_type="workdays.clock", object_id="*",
                     detail=f"{cause}: {len(changes)} of {len(clocks)} open clocks affected changed their due time",
                     changes={f"{change.clock.pk} {change.clock.owner}": [_due_text(change.old_due_at, change.old_provisional),
                                                                          _due_text(change.new_due_at, change.new_provisional)]
                              for change in changes[:AUDITED_CHANGES]})
    return len(changes)
