"""The audit trail over the API: the audit administrator's browse, export and verify."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema

from zhengtong.pagination import Page, PageIn, position
from zhengtong.platform.audit import auditor
from zhengtong.platform.audit.exports import csv_response
from zhengtong.platform.audit.filters import RecordFilter
from zhengtong.platform.audit.models import AuditRecord

router = Router(tags=["audit"])


class RecordOut(Schema):
    id: int = Field(..., description="The record's number: pass it to `/records/{record_id}` and as `before`.")
    seq: int | None = Field(..., description="Its position in the sealed trail; null until the worker has numbered it.")
    sealed: bool = Field(False, description="Whether a signed checkpoint covers it yet.")
    occurred_at: datetime
    actor_id: int | None
    actor_name: str
    source_ip: str
    user_agent: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    outcome: str
    changes: dict[str, Any]
    detail: str




class VerifyOut(Schema):
    ok: bool
    checked: int = Field(..., description="Sealed records verified (before the first bad one).")
    first_bad_seq: int | None
    problem: str
    pending: int = Field(..., description="Records written but not yet sealed into a checkpoint.")
    sealed: int = Field(..., description="Records covered by the newest checkpoint.")


def _out(entry: AuditRecord, sealed_size: int) -> RecordOut:
    out = RecordOut.model_validate(entry, from_attributes=True)
    out.sealed = entry.seq is not None and entry.seq <= sealed_size
    return out


@router.get("/records", response=Page[RecordOut], summary="Audit records, newest first")
def list_records(request: HttpRequest, filters: Query[RecordFilter], paging: Query[PageIn]) -> dict[str, Any]:
    # The cursor is the record number (id) the next, older page starts below: records arriving meanwhile never shift it.
    before = position(paging.cursor) or None
    rows, next_before = auditor.browse(request.user, filters, before=before, limit=paging.limit)
    sealed_size = auditor.sealed_size()
    return {"items": [_out(row, sealed_size) for row in rows], "next_cursor": str(next_before) if next_before else None}


@router.get("/records/{record_id}", response=RecordOut, summary="One audit record")
def get_record(request: HttpRequest, record_id: int) -> RecordOut:
    return _out(auditor.get_record(request.user, record_id), auditor.sealed_size())


@router.get(
    "/export.csv", summary="The matching audit records as CSV",
    openapi_extra={"responses": {200: {"description": "CSV, UTF-8 with a byte-order mark", "content": {"text/csv": {}}}}},
)
def export_csv(request: HttpRequest, filters: Query[RecordFilter]) -> StreamingHttpResponse:
    return csv_response(auditor.export(request.user, filters))


@router.post("/verify", response=VerifyOut, summary="Verify the audit trail")
def verify(request: HttpRequest) -> VerifyOut:
    result = auditor.verify_chain(request.user)
    return VerifyOut(ok=result.ok, checked=result.checked, first_bad_seq=result.first_bad_seq, problem=result.problem,
                     pending=result.pending, sealed=result.sealed)
