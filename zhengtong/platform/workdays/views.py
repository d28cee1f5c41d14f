"""The calendar pages of the system administrator. Thin: changes go through services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from zhengtong.errors import ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.workdays import calendar, services
from zhengtong.platform.workdays.calendar import DayFact, Provenance
from zhengtong.platform.workdays.forms import DayForm, ImportForm, RemoveDayForm
from zhengtong.platform.workdays.models import CalendarDay, CalendarYear, Origin

# One character a column, so that seven fit a phone's width.
WEEKDAY_HEADINGS = (
    pgettext_lazy("calendar column", "Mo"), pgettext_lazy("calendar column", "Tu"), pgettext_lazy("calendar column", "We"),
    pgettext_lazy("calendar column", "Th"), pgettext_lazy("calendar column", "Fr"), pgettext_lazy("calendar column", "Sa"),
    pgettext_lazy("calendar column", "Su"),
)


@dataclass(frozen=True)
class Cell:
    fact: DayFact
    css: str


def _css(fact: DayFact) -> str:
    classes = ["workday" if fact.workday else "rest"]
    if fact.name and not fact.workday:
        classes.append("holiday")
    if fact.workday and fact.day.weekday() >= 5:
        classes.append("makeup")
    if fact.provenance != Provenance.PACKAGE:
        classes.append(fact.provenance.value)
    return " ".join(classes)


def _months(year: int) -> list[tuple[date, list[list[Cell | None]]]]:
    """Twelve month grids of weeks (Monday first); blank cells before the 1st and after the last day."""
    facts = calendar.month_facts(year)
    months = []
    for month in range(1, 13):
        cells: list[Cell | None] = [None] * date(year, month, 1).weekday()
        cells += [Cell(fact, _css(fact)) for fact in facts if fact.day.month == month]
        cells += [None] * (-len(cells) % 7)
        months.append((date(year, month, 1), [cells[index:index + 7] for index in range(0, len(cells), 7)]))
    return months


def _chosen_day(value: str, year: int) -> date | None:
    """The day picked on the grid (``?day=``), when it is a date of the year shown."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if day.year == year else None


def _page(request: HttpRequest, year: int, *, day_form: DayForm | None = None, import_form: ImportForm | None = None,
          problems: list[str] | None = None, status: int = 200) -> HttpResponse:
    chosen = _chosen_day(request.GET.get("day", ""), year)
    initial: dict[str, object] = {"day": chosen.isoformat()} if chosen else {}
    row = CalendarDay.objects.filter(day=chosen).first() if chosen else None
    if row is not None:
        # A package day corrected here becomes the notice's: the form offers notice and local only.
        origin = Origin.NOTICE if row.origin == Origin.PACKAGE else row.origin
        initial.update(kind=row.kind, name=row.name, origin=origin, source=row.source)
    alerts = services.open_alerts()
    next_year = services.next_year_missing()
    return render(request, "workdays/calendar.html", {
        "year": year,
        "entry": CalendarYear.objects.filter(year=year).first(),
        "months": _months(year),
        "weekdays": WEEKDAY_HEADINGS,
        "rows": CalendarDay.objects.filter(day__year=year).select_related("created_by"),
        "alerts": alerts,
        # Already listed when a deadline has asked for it.
        "next_year_missing": next_year if next_year not in {alert.year for alert in alerts} else None,
        "day_form": day_form or DayForm(initial=initial),
        "chosen": row,
        "import_form": import_form or ImportForm(),
        "problems": problems or [],
        "first_year": calendar.FIRST_YEAR,
        "last_year": calendar.LAST_YEAR,
    }, status=status)


def _known_range(year: int) -> int:
    """A year outside the calendar's range has no page."""
    if not calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR:
        raise Http404
    return year


@login_required
def calendar_page(request: HttpRequest, year: int | None = None) -> HttpResponse:
    require(request.user, perms.MANAGE_SETTINGS)
    if year is None:
        return redirect("workdays:year", year=timezone.localdate().year)
    return _page(request, _known_range(year))


def _fail(form: DayForm | ImportForm, exc: ServiceError) -> None:
    form.add_error(None, exc.message)
    for field, errors in exc.fields.items():
        if field in form.fields:
            form.add_error(field, [str(error) for error in errors])


@login_required
@require_POST
def day_form(request: HttpRequest, year: int) -> HttpResponse:
    require(request.user, perms.MANAGE_SETTINGS)
    _known_range(year)
    form = DayForm(request.POST)
    if form.is_valid():
        try:
            row = services.set_day(acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("%(day)s saved.") % {"day": row.day})
            return redirect("workdays:year", year=row.day.year)
    return _page(request, year, day_form=form, status=400)


@login_required
@require_POST
def day_remove(request: HttpRequest, year: int) -> HttpResponse:
    require(request.user, perms.MANAGE_SETTINGS)
    _known_range(year)
    form = RemoveDayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a date."))
        return redirect("workdays:year", year=year)
    day = form.cleaned_data["day"]
    try:
        services.remove_day(acting_user=request.user, day=day)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The entry for %(day)s was removed.") % {"day": day})
    return redirect("workdays:year", year=day.year)


@login_required
@require_POST
def year_import(request: HttpRequest, year: int) -> HttpResponse:
    require(request.user, perms.MANAGE_SETTINGS)
    _known_range(year)
    form = ImportForm(request.POST, request.FILES)
    problems: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        content, filename = (upload.read(), upload.name) if upload else (form.cleaned_data["text"].encode(), "pasted.csv")
        try:
            result = services.import_year(acting_user=request.user, year=year, content=content, filename=filename)
        except ServiceError as exc:
            form.add_error(None, exc.message)
            problems = [str(problem) for problem in exc.fields.get("rows", [])]
        else:
            messages.success(request, _("%(year)s imported: %(stored)s days stored.") % {"year": year, "stored": result.stored})
            if result.kept_local:
                messages.warning(request, _("Local adjustments were kept on %(days)s.") % {
                    "days": ", ".join(str(day) for day in result.kept_local)})
            return redirect("workdays:year", year=year)
    return _page(request, year, import_form=form, problems=problems, status=400)
