"""CSV export of audit records, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

from zhengtong.platform.audit.models import AuditRecord, Outcome

COLUMNS = (
    "id", "seq", "occurred_at", "actor_name", "actor_id", "source_ip", "user_agent", "action",
    "object_type", "object_id", "object_repr", "outcome", "changes", "detail",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection);
# a leading apostrophe makes it text.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_TRIGGERS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(records: Iterable[AuditRecord]) -> Iterator[str]:
    """The header line and one line per record.

    Labels are translated now, while the request's language is active, not later when the
    server pulls the lines.
    """
    writer = csv.writer(_Echo())
    labels = {field.name: field.verbose_name for field in AuditRecord._meta.concrete_fields}
    header = [safe_cell(labels[name]) for name in COLUMNS]
    outcomes = {value: str(label) for value, label in Outcome.choices}

    def row(entry: AuditRecord) -> str:
        values = {name: getattr(entry, name) for name in COLUMNS}
        values["occurred_at"] = timezone.localtime(entry.occurred_at).isoformat()
        values["outcome"] = outcomes.get(entry.outcome, entry.outcome)
        values["changes"] = json.dumps(entry.changes, ensure_ascii=False, sort_keys=True) if entry.changes else ""
        return writer.writerow([safe_cell(values[name]) for name in COLUMNS])

    # A byte-order mark: Excel and WPS otherwise read UTF-8 as the local code page and garble Chinese.
    return chain(["\ufeff" + writer.writerow(header)], (row(entry) for entry in records))


def csv_response(lines: Iterator[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
