"""The working-day calendar over the API (system administrators). Thin: changes go through services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.workdays import calendar, importing, services
from zhengtong.platform.workdays.models import CalendarDay, CalendarYear, DayKind, Origin, Unit

router = Router(tags=["workdays"])


class DayOut(Schema):
    date: date
    kind: str = Field(..., description="holiday, or workday (调休上班: a make-up working day)")
    name: str
    origin: str = Field(..., description="package, notice or local")
    source: str


class YearOut(Schema):
    year: int
    authoritative: bool = Field(..., description="False: no data for this year; its deadlines are provisional.")
    origin: str | None
    source: str
    days: list[DayOut] = Field(..., description="The exceptions to Monday–Friday work: holidays and make-up working days.")


class DeadlineQuery(Schema):
    start: date = Field(..., description="The start (receipt) date, YYYY-MM-DD.")
    days: int = Field(..., ge=0, le=services.MAX_AMOUNT[Unit.NATURAL_DAYS])
    unit: Literal["working", "natural"] = "working"
    roll_to_workday: bool = Field(False, description="Natural days: move a due date on a rest day to the next working day.")


class DeadlineOut(Schema):
    start: date
    days: int
    unit: str
    due: date
    provisional: bool = Field(..., description="True when the count crossed a year without calendar data.")


class HoursQuery(Schema):
    start: datetime = Field(..., description="ISO 8601 with a time zone offset.")
    hours: int = Field(..., ge=0, le=services.MAX_AMOUNT[Unit.HOURS])


class HoursOut(Schema):
    start: datetime
    hours: int
    due_at: datetime
    provisional: bool


class BetweenQuery(Schema):
    start: date
    end: date


class BetweenOut(Schema):
    start: date
    end: date
    working_days: int = Field(..., description="Working days D with start < D <= end.")
    provisional: bool


class DayIn(Schema):
    date: date
    kind: Literal["holiday", "workday"]
    name: str = Field("", max_length=importing.NAME_LENGTH)
    origin: Literal["notice", "local"] = "notice"
    source: str = Field("", max_length=importing.SOURCE_LENGTH)


class ImportOut(Schema):
    year: int
    stored: int
    removed: int
    kept_local: list[date] = Field(..., description="Days of the file not stored because a local adjustment holds them.")


def _day_out(row: CalendarDay) -> DayOut:
    return DayOut(date=row.day, kind=row.kind, name=row.name, origin=row.origin, source=row.source)


@router.get("/calendar/{year}", response=YearOut, summary="A year's holidays and make-up working days")
def get_year(request: HttpRequest, year: int) -> YearOut:
    require(request.user, perms.MANAGE_SETTINGS)
    calendar.check_year(year)
    entry = CalendarYear.objects.filter(year=year).first()
    rows = CalendarDay.objects.filter(day__year=year)
    return YearOut(year=year, authoritative=entry is not None, origin=entry.origin if entry else None,
                   source=entry.source if entry else "", days=[_day_out(row) for row in rows])


@router.get("/deadline", response=DeadlineOut, summary="The due date N working or natural days after a start date")
def deadline(request: HttpRequest, query: Query[DeadlineQuery]) -> DeadlineOut:
    require(request.user, perms.MANAGE_SETTINGS)
    if query.unit == "working":
        due = calendar.add_working_days(query.start, query.days)
    else:
        due = calendar.add_natural_days(query.start, query.days, roll_to_workday=query.roll_to_workday)
    return DeadlineOut(start=query.start, days=query.days, unit=query.unit, due=due.day, provisional=due.provisional)


@router.get("/deadline/hours", response=HoursOut, summary="The due time N hours after a moment")
def deadline_hours(request: HttpRequest, query: Query[HoursQuery]) -> HoursOut:
    require(request.user, perms.MANAGE_SETTINGS)
    due = calendar.add_hours(query.start, query.hours)
    return HoursOut(start=query.start, hours=query.hours, due_at=due.at, provisional=due.provisional)


@router.get("/between", response=BetweenOut, summary="Working days between two dates")
def between(request: HttpRequest, query: Query[BetweenQuery]) -> BetweenOut:
    require(request.user, perms.MANAGE_SETTINGS)
    span = calendar.working_days_between(query.start, query.end)
    return BetweenOut(start=query.start, end=query.end, working_days=span.working_days, provisional=span.provisional)


@router.post("/days", response=DayOut, summary="Enter or correct a day")
def set_day(request: HttpRequest, payload: DayIn) -> DayOut:
    row = services.set_day(acting_user=request.user, day=payload.date, kind=DayKind(payload.kind), name=payload.name,
                           origin=Origin(payload.origin), source=payload.source)
    return _day_out(row)


@router.delete("/days/{day}", response={204: None}, summary="Remove a day's entry")
def remove_day(request: HttpRequest, day: date) -> Status[None]:
    services.remove_day(acting_user=request.user, day=day)
    return Status(204, None)


@router.post("/years/{year}/import", response=ImportOut, summary="Enter a year from a CSV or JSON file")
def import_year(request: HttpRequest, year: int, file: File[UploadedFile]) -> ImportOut:
    require(request.user, perms.MANAGE_SETTINGS)
    result = services.import_year(acting_user=request.user, year=year, content=file.read(importing.MAX_BYTES + 1),
                                  filename=file.name or "")
    return ImportOut(year=result.year, stored=result.stored, removed=result.removed, kept_local=result.kept_local)
