"""The audit trail over the API: the audit administrator's browse, export and verify."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema

from zhengtong.platform.audit import services
from zhengtong.platform.audit.exports import csv_response
from zhengtong.platform.audit.filters import RecordFilter
from zhengtong.platform.audit.models import AuditRecord

router = Router(tags=["audit"])


class RecordOut(Schema):
    seq: int
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
    prev_hash: str
    hash: str


class RecordPage(Schema):
    items: list[RecordOut]
    next_before: int | None = Field(None, description="Pass as `before` to get the next, older page; null on the last page.")


class VerifyOut(Schema):
    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: str


def _out(entry: AuditRecord) -> RecordOut:
    return RecordOut.model_validate(entry, from_attributes=True)


@router.get("/records", response=RecordPage, summary="Audit records, newest first")
def list_records(
    request: HttpRequest,
    filters: Query[RecordFilter],
    before: int | None = Query(None, ge=1, description="Only records older than this sequence number."),  # noqa: B008
    limit: int = Query(50, ge=1, le=500),  # noqa: B008
) -> RecordPage:
    rows, next_before = services.browse(request.user, filters, before=before, limit=limit)
    return RecordPage(items=[_out(row) for row in rows], next_before=next_before)


@router.get("/records/{seq}", response=RecordOut, summary="One audit record")
def get_record(request: HttpRequest, seq: int) -> RecordOut:
    return _out(services.get_record(request.user, seq))


@router.get(
    "/export.csv", summary="The matching audit records as CSV",
    openapi_extra={"responses": {200: {"description": "CSV, UTF-8 with a byte-order mark", "content": {"text/csv": {}}}}},
)
def export_csv(request: HttpRequest, filters: Query[RecordFilter]) -> StreamingHttpResponse:
    return csv_response(services.export(request.user, filters))


@router.post("/verify", response=VerifyOut, summary="Verify the audit chain")
def verify(request: HttpRequest) -> VerifyOut:
    result = services.verify_chain(request.user)
    return VerifyOut(ok=result.ok, checked=result.checked, first_bad_seq=result.first_bad_seq, problem=result.problem)
