"""The audit administrator's reading of the trail: browse, one record, export, verify.

Each function checks ``audit.view`` / ``audit.export`` / ``audit.verify`` through ``access``; that
is why they are here and not in ``services``, which ``access`` itself records through.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import Http404

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit.exports import csv_lines
from zhengtong.platform.audit.filters import RecordFilter
from zhengtong.platform.audit.models import AuditRecord, Checkpoint, Outcome
from zhengtong.platform.audit.services import record
from zhengtong.platform.audit.verification import VerifyResult, verify


def browse(acting_user: Any, query: RecordFilter, *, before: int | None = None, limit: int = 50) -> tuple[list[AuditRecord], int | None]:
    """One page of matching records, newest first, and the cursor for the next (older) page.

    Paged by record number rather than by offset: new records arriving while someone reads do not
    shift the pages under them, and a deep page costs what the first one costs. Records not yet
    sealed are listed like the others.
    """
    require(acting_user, perms.VIEW_AUDIT)
    records = query.apply(AuditRecord.objects.all())
    if before is not None:
        records = records.filter(pk__lt=before)
    rows = list(records.order_by("-pk")[: limit + 1])
    next_before = rows[limit - 1].pk if len(rows) > limit else None
    return rows[:limit], next_before


def get_record(acting_user: Any, record_id: int) -> AuditRecord:
    require(acting_user, perms.VIEW_AUDIT)
    found = AuditRecord.objects.filter(pk=record_id).first()
    if found is None:
        raise Http404
    return found


def sealed_in(entry: AuditRecord) -> Checkpoint | None:
    """The first checkpoint that covers ``entry``; None while it waits to be sealed."""
    if entry.seq is None:
        return None
    return Checkpoint.objects.filter(size__gte=entry.seq).order_by("size").first()


def sealed_size() -> int:
    """Records up to this position are sealed."""
    return Checkpoint.objects.order_by("-size").values_list("size", flat=True).first() or 0


def export(acting_user: Any, query: RecordFilter) -> Iterator[str]:
    """The matching records as CSV lines, newest first, streamed from the database.

    The export is itself recorded first: who took a copy of the trail, and of what.
    """
    require(acting_user, perms.EXPORT_AUDIT)
    record("audit.exported", actor=acting_user, detail=query.describe())
    return csv_lines(query.apply(AuditRecord.objects.all()).order_by("-pk").iterator(chunk_size=1000))


def verify_chain(acting_user: Any) -> VerifyResult:
    """The audit administrator's "verify": the result, and a record that it was asked."""
    require(acting_user, perms.VERIFY_AUDIT)
    result = verify()
    record("audit.verified", actor=acting_user, outcome=Outcome.SUCCESS if result.ok else Outcome.FAILURE,
           detail=f"{result.checked} checked, {result.pending} pending"
           + ("" if result.ok else f"; #{result.first_bad_seq}: {result.problem}"))
    return result
