"""All deadline arithmetic of the platform: nobody else adds days to a date.

A day is answered from, in order: a ``CalendarDay`` row (provenance "override" when an
administrator entered it, "package" when it came from ``chinesecalendar``); the plain weekday
rule inside a year with authoritative data (``CalendarYear``); otherwise the **provisional**
fallback — Monday to Friday minus the fixed-date statutory holidays — and administrators are
alerted that the year is missing. A question never raises for lack of data and never counts
weekends only.

The start rule: the start (receipt) date is day 0 and counting begins the next day, unless
``WORKDAYS_START_DAY_COUNTS`` is set, when the start date itself is the first day counted.

Each computation loads the known years in one query and the calendar rows of a window of
dates in another; it never queries per day. Deadlines of running work use ``current()``: the
whole calendar, kept in memory by each process while ``CalendarRevision`` stands, one query.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.workdays import alerts
from zhengtong.platform.workdays.models import CalendarDay, CalendarRevision, CalendarYear, DayKind, Origin, Unit

# Dates outside these years are refused as input errors: no deadline of a living matter lies there.
FIRST_YEAR = 2000
LAST_YEAR = 2099
# The fallback for a year without data: the holidays whose dates the law fixes
# (《全国年节及纪念日放假办法》 2024: 元旦 1 Jan, 劳动节 1–2 May, 国庆节 1–3 Oct).
FIXED_HOLIDAYS = {(1, 1): "元旦", (5, 1): "劳动节", (5, 2): "劳动节", (10, 1): "国庆节", (10, 2): "国庆节", (10, 3): "国庆节"}
ONE_DAY = timedelta(days=1)
# Rows are loaded a year and a bit at a time: ~30 rows a year, so one query covers nearly every deadline.
WINDOW = timedelta(days=400)


class Provenance(StrEnum):
    OVERRIDE = "override"
    PACKAGE = "package"
    PROVISIONAL = "provisional"


@dataclass(frozen=True)
class DayFact:
    day: date
    workday: bool
    provenance: Provenance
    name: str = ""

    def __bool__(self) -> bool:
        return self.workday


@dataclass(frozen=True)
class Due:
    day: date
    provisional: bool


@dataclass(frozen=True)
class DueTime:
    at: datetime
    provisional: bool


@dataclass(frozen=True)
class Span:
    working_days: int
    provisional: bool


def check_in_range(day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ServiceError("out_of_range", _("Dates must lie between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
                           {"day": [day.isoformat()]})
    return day


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ServiceError("out_of_range", _("Years must lie between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
                           {"year": [str(year)]})
    return year


def _provenance(origin: str) -> Provenance:
    return Provenance.PACKAGE if origin == Origin.PACKAGE else Provenance.OVERRIDE


class Snapshot:
    """The calendar as one computation (or one batch of them) sees it.

    Known years come in one query on first use, ``CalendarDay`` rows a window at a time; a
    walk that runs past the window loads the next window. A year without data is reported to
    ``alerts`` once per snapshot, unless the snapshot only serves to display the calendar.
    """

    def __init__(self, first: date | None = None, last: date | None = None, *, report_missing: bool = True) -> None:
        self._report_missing = report_missing
        self._known: dict[int, str] | None = None
        self._rows: dict[date, tuple[str, str, str]] = {}
        self._lo: date | None = None
        self._hi: date | None = None
        self._reported: set[int] = set()
        if first is not None:
            self._load(first, last or first + WINDOW)

    def _load(self, first: date, last: date) -> None:
        rows = CalendarDay.objects.filter(day__range=(first, last)).values_list("day", "kind", "name", "origin")
        self._rows.update({day: (kind, name, origin) for day, kind, name, origin in rows})
        self._lo = first if self._lo is None else min(self._lo, first)
        self._hi = last if self._hi is None else max(self._hi, last)

    def _cover(self, day: date) -> None:
        if self._lo is None or self._hi is None:
            self._load(day, day + WINDOW)
        elif day < self._lo:
            self._load(day - WINDOW, self._lo - ONE_DAY)
        elif day > self._hi:
            self._load(self._hi + ONE_DAY, day + WINDOW)

    def for_one_question(self) -> Snapshot:
        """The same data for one more computation, which reports a missing year once itself."""
        view = Snapshot(report_missing=self._report_missing)
        view._known, view._rows, view._lo, view._hi = self._known, self._rows, self._lo, self._hi
        return view

    def known_years(self) -> dict[int, str]:
        if self._known is None:
            self._known = dict(CalendarYear.objects.values_list("year", "origin"))
        return self._known

    def fact(self, day: date) -> DayFact:
        check_in_range(day)
        self._cover(day)
        row = self._rows.get(day)
        if row is not None:
            kind, name, origin = row
            return DayFact(day, kind == DayKind.WORKDAY, _provenance(origin), name)
        year_origin = self.known_years().get(day.year)
        if year_origin is not None:
            return DayFact(day, day.weekday() < 5, _provenance(year_origin))
        if self._report_missing and day.year not in self._reported:
            self._reported.add(day.year)
            alerts.note_missing_year(day.year)
        fixed = FIXED_HOLIDAYS.get((day.month, day.day), "")
        return DayFact(day, day.weekday() < 5 and not fixed, Provenance.PROVISIONAL, fixed)


_kept: tuple[int, Snapshot] | None = None
_kept_lock = threading.Lock()


def _whole_calendar() -> Snapshot:
    snapshot = Snapshot()
    snapshot.known_years()
    snapshot._load(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))
    return snapshot


def revision() -> Coalesce:
    """The calendar's revision as an expression: a query that reads rows anyway can carry it, for ``current``."""
    return Coalesce(Subquery(CalendarRevision.objects.filter(pk=1).values("number")[:1]), Value(0))


def current(known_revision: int | None = None) -> Snapshot:
    """The calendar as it stands, read once per revision by each process: one query to check it, none
    when the caller read the revision (``revision()``) with rows of its own in this transaction."""
    global _kept
    if known_revision is None:
        known_revision = CalendarRevision.objects.filter(pk=1).values_list("number", flat=True).first() or 0
    revision = known_revision
    with _kept_lock:
        if _kept is None or _kept[0] != revision:
            _kept = (revision, _whole_calendar())
        return _kept[1].for_one_question()


def changed() -> None:
    """Called by every service that changes days or years, inside its transaction."""
    number = secrets.randbits(62)
    if not CalendarRevision.objects.filter(pk=1).update(number=number):
        CalendarRevision.objects.create(pk=1, number=number)


def _never(day: date) -> bool:
    return False


def _origin(start: date) -> date:
    """Day 0 of a count: the start date itself, or the day before when the start date counts."""
    return start - ONE_DAY if settings.WORKDAYS_START_DAY_COUNTS else start


def _walk(snapshot: Snapshot, origin: date, n: int, *, working: bool, paused: Callable[[date], bool] = _never) -> Due:
    """The n-th counted date after ``origin``: working days only when ``working``, never a paused date."""
    day, provisional = origin, False
    while n > 0:
        day += ONE_DAY
        if paused(day):
            continue
        if working:
            fact = snapshot.fact(day)
            provisional = provisional or fact.provenance == Provenance.PROVISIONAL
            if not fact.workday:
                continue
        n -= 1
    return Due(check_in_range(day), provisional)


def _roll(snapshot: Snapshot, due: Due) -> Due:
    """Move a due date that falls on a rest day to the next working day (民法典 Art. 203)."""
    day, provisional = due.day, due.provisional
    while True:
        fact = snapshot.fact(day)
        provisional = provisional or fact.provenance == Provenance.PROVISIONAL
        if fact.workday:
            return Due(day, provisional)
        day += ONE_DAY


def _check_amount(n: int) -> None:
    if n < 0:
        raise ServiceError("invalid", _("An amount of time cannot be negative."), {"amount": [str(n)]})


def is_workday(day: date) -> DayFact:
    """Whether ``day`` is a working day, with where the answer comes from; truthy when it is."""
    return current().fact(day)


def add_working_days(start: date, n: int) -> Due:
    """The due date n working days after ``start`` (see the start rule); 0 gives ``start``."""
    _check_amount(n)
    check_in_range(start)
    if n == 0:
        return Due(start, False)
    return _walk(current(), _origin(start), n, working=True)


def add_natural_days(start: date, n: int, roll_to_workday: bool = False) -> Due:
    """The due date n calendar days after ``start``; optionally moved off a rest day."""
    _check_amount(n)
    check_in_range(start)
    due = Due(start, False) if n == 0 else _walk(current(), _origin(start), n, working=False)
    # A natural count needs no calendar; only moving the due date off a rest day does.
    return _roll(current(), due) if roll_to_workday else due


def add_hours(start: datetime, hours: int) -> DueTime:
    """Calendar hours (urgent work such as hotline emergencies runs through nights and holidays)."""
    _check_amount(hours)
    if timezone.is_naive(start):
        raise ServiceError("invalid", _("A time must carry its time zone."), {"start": [start.isoformat()]})
    check_in_range(timezone.localdate(start))
    return DueTime(start + timedelta(hours=hours), False)


def working_days_between(a: date, b: date) -> Span:
    """Working days D with a < D <= b (negative when b is before a): add_working_days(a, n) = b gives n."""
    check_in_range(a)
    check_in_range(b)
    first, last, sign = (a, b, 1) if a <= b else (b, a, -1)
    snapshot = Snapshot(first, last)
    facts = [snapshot.fact(first + ONE_DAY * offset) for offset in range(1, (last - first).days + 1)]
    return Span(sign * sum(1 for fact in facts if fact.workday),
                any(fact.provenance == Provenance.PROVISIONAL for fact in facts))


def month_facts(year: int) -> list[DayFact]:
    """Every day of ``year`` answered: what the calendar pages and API show (looking is not a question to alert about)."""
    first, last = date(check_year(year), 1, 1), date(year, 12, 31)
    snapshot = Snapshot(first, last, report_missing=False)
    return [snapshot.fact(first + ONE_DAY * offset) for offset in range((last - first).days + 1)]


def end_of_day(day: date) -> datetime:
    """A date's deadline as a moment: the last second of that local day."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


@dataclass(frozen=True)
class ClockTerms:
    """What a clock's due time depends on. Pauses are (paused at, resumed at) moments."""

    unit: str
    amount: int
    started_at: datetime
    roll_to_workday: bool
    pauses: tuple[tuple[datetime, datetime], ...]


def clock_due(terms: ClockTerms, snapshot: Snapshot | None = None) -> DueTime:
    """The due time of a clock: hours shift by the time paused, days skip the paused dates."""
    if terms.unit == Unit.HOURS:
        paused = sum((resumed - paused_at for paused_at, resumed in terms.pauses), timedelta())
        return DueTime(terms.started_at + timedelta(hours=terms.amount) + paused, False)
    snapshot = snapshot or current()
    intervals = [(timezone.localdate(paused_at), timezone.localdate(resumed)) for paused_at, resumed in terms.pauses]

    def paused_on(day: date) -> bool:
        return any(first < day <= last for first, last in intervals)

    start = check_in_range(timezone.localdate(terms.started_at))
    due = _walk(snapshot, _origin(start), terms.amount, working=terms.unit == Unit.WORKING_DAYS, paused=paused_on)
    if terms.unit == Unit.NATURAL_DAYS and terms.roll_to_workday:
        due = _roll(snapshot, due)
    return DueTime(end_of_day(due.day), due.provisional)
