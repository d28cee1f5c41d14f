"""Reading a year of the calendar from a small file (the State Council's notice, typed up).

CSV::

    source,国办发明电〔2026〕7号 2026-11-05
    date,kind,name
    2027-01-01,holiday,元旦
    2027-02-07,workday,春节

JSON: ``{"source": "…", "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, …]}``.

``kind`` is ``holiday`` (休) or ``workday`` (班, a make-up working day). Every row is checked
before anything is stored; the error lists each bad row.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.workdays.models import DayKind

MAX_BYTES = 64 * 1024
MAX_ROWS = 366
KINDS = {"holiday": DayKind.HOLIDAY, "休": DayKind.HOLIDAY, "workday": DayKind.WORKDAY, "班": DayKind.WORKDAY}
NAME_LENGTH = 50
SOURCE_LENGTH = 200


@dataclass(frozen=True)
class ImportedDay:
    day: date
    kind: str
    name: str


@dataclass(frozen=True)
class ImportedYear:
    source: str
    days: list[ImportedDay]


def _invalid(message: str, problems: list[str]) -> ServiceError:
    return ServiceError("invalid_file", message, {"rows": problems} if problems else {})


def _check_row(where: str, year: int, values: dict[str, Any], seen: set[date]) -> tuple[ImportedDay | None, list[str]]:
    problems = []
    raw_date, raw_kind = str(values.get("date") or "").strip(), str(values.get("kind") or "").strip().lower()
    name = str(values.get("name") or "").strip()
    try:
        day: date | None = date.fromisoformat(raw_date)
    except ValueError:
        day = None
        problems.append(_("%(where)s: “%(value)s” is not a date (YYYY-MM-DD).") % {"where": where, "value": raw_date})
    if day is not None and day.year != year:
        problems.append(_("%(where)s: %(day)s is not in %(year)s.") % {"where": where, "day": day, "year": year})
    elif day is not None and day in seen:
        problems.append(_("%(where)s: %(day)s appears twice.") % {"where": where, "day": day})
    if raw_kind not in KINDS:
        problems.append(_("%(where)s: the kind must be holiday or workday, not “%(value)s”.") % {"where": where, "value": raw_kind})
    if len(name) > NAME_LENGTH:
        problems.append(_("%(where)s: the name is longer than %(limit)s characters.") % {"where": where, "limit": NAME_LENGTH})
    if problems or day is None:
        return None, problems
    seen.add(day)
    return ImportedDay(day, KINDS[raw_kind], name), []


def _csv_rows(text: str) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    source, rows = "", []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        first = cells[0].lower()
        if first == "source":
            source = ",".join(cells[1:]).strip()
        elif first != "date":  # the header line
            rows.append((_("line %(number)s") % {"number": number},
                         dict(zip(("date", "kind", "name"), cells, strict=False))))
    return source, rows


def _json_rows(text: str) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _invalid(_("The file is not valid JSON: %(error)s") % {"error": exc.msg}, []) from None
    if not isinstance(document, dict) or not isinstance(document.get("days"), list):
        raise _invalid(_("A JSON file needs an object with a “days” list."), [])
    rows = [(_("day %(number)s") % {"number": number}, item if isinstance(item, dict) else {})
            for number, item in enumerate(document["days"], start=1)]
    return str(document.get("source") or ""), rows


def parse(content: bytes, filename: str, year: int) -> ImportedYear:
    """The year in ``content`` (CSV, or JSON when the name ends in .json or the text starts with “{”)."""
    if len(content) > MAX_BYTES:
        raise _invalid(_("The file is larger than %(limit)s KB.") % {"limit": MAX_BYTES // 1024}, [])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _invalid(_("The file must be UTF-8 text."), []) from None
    is_json = filename.lower().endswith(".json") or text.lstrip().startswith("{")
    source, rows = _json_rows(text) if is_json else _csv_rows(text)
    source = source.strip()
    problems: list[str] = []
    if not source:
        problems.append(_("The source line is missing: name the notice, its number and date."))
    elif len(source) > SOURCE_LENGTH:
        problems.append(_("The source is longer than %(limit)s characters.") % {"limit": SOURCE_LENGTH})
    if not rows:
        problems.append(_("The file lists no days."))
    elif len(rows) > MAX_ROWS:
        problems.append(_("The file lists more than %(limit)s days.") % {"limit": MAX_ROWS})
    seen: set[date] = set()
    days = []
    for where, values in rows[:MAX_ROWS]:
        day, row_problems = _check_row(where, year, values, seen)
        problems.extend(row_problems)
        if day is not None:
            days.append(day)
    if problems:
        raise _invalid(_("The file was not imported; nothing has changed."), problems)
    return ImportedYear(source, sorted(days, key=lambda item: item.day))
