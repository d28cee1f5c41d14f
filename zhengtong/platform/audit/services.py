"""Writing, reading, verifying and purging the audit trail.

``record`` is called by every service that changes state, inside that service's transaction,
so the audit row commits or rolls back with the change it describes. Failures (a wrong
password, a refused request) are recorded by the caller after its transaction has ended,
so that they survive the rollback.

Reading the trail is the audit administrator's alone (``audit.view`` / ``audit.export`` /
``audit.verify``); the functions below that take ``acting_user`` check it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit.context import current
from zhengtong.platform.audit.exports import csv_lines
from zhengtong.platform.audit.filters import RecordFilter
from zhengtong.platform.audit.models import AuditHead, AuditRecord, Outcome

MASK = "******"
_SECRET_FIELD = re.compile(r"password|secret|token|recovery|otp|key", re.IGNORECASE)

# The fields that the chain's HMAC covers, in a fixed order.
_CHAINED_FIELDS = (
    "seq", "occurred_at", "actor_id", "actor_name", "source_ip", "user_agent", "action",
    "object_type", "object_id", "object_repr", "outcome", "changes", "detail", "prev_hash",
)
_HEAD_FIELDS = ("last_seq", "last_hash", "floor_seq", "floor_prev_hash")


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: MASK if _SECRET_FIELD.search(str(key)) else _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def mask_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Replace the values of secret-looking fields, at any depth, so no secret reaches the trail."""
    return {
        field: [MASK, MASK] if _SECRET_FIELD.search(field) else _masked(value)
        for field, value in changes.items()
    }


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field whose value differs."""
    return {
        field: [_plain(old.get(field)), _plain(new.get(field))]
        for field in sorted(set(old) | set(new))
        if old.get(field) != new.get(field)
    }


def _text(value: str) -> str:
    # PostgreSQL refuses NUL in text and JSON; a NUL typed into a sign-in form must not
    # make the failure it describes unrecordable.
    return value.replace("\x00", "\ufffd")


def _plain(value: Any) -> Any:
    """A JSON value that reads back identically on every database, so the HMAC still fits."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(item) for item in value), key=str)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {_text(str(key)): _plain(item) for key, item in value.items()}
    # Floats and dates as text: JSON columns differ in how they round-trip them.
    return _text(str(value))


def _digest(values: dict[str, Any]) -> str:
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hmac.new(settings.AUDIT_CHAIN_KEY.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def _chained_values(entry: AuditRecord) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in _CHAINED_FIELDS}
    values["occurred_at"] = _utc_text(entry.occurred_at)
    return values


def _seal(head: AuditHead) -> str:
    return _digest({"kind": "head", **{name: getattr(head, name) for name in _HEAD_FIELDS}})


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _locked_head() -> AuditHead:
    head, created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    if created:
        head.seal = _seal(head)
        head.save(update_fields=["seal"])
    return head


def hold_chain_lock() -> None:
    """Take the audit chain's lock until the current transaction ends.

    Every state-changing transaction takes this lock when it writes its audit record, so
    transactions that hold it commit one after another. Logs read by cursor (the directory's
    change feed, the devices' event log) take it before allocating ids, so that ids are handed
    out in commit order and a reader never skips a row that commits late with a lower id.
    """
    _locked_head()


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    outcome: str = Outcome.SUCCESS,
    changes: dict[str, Any] | None = None,
    detail: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor_name: str = "",
) -> AuditRecord:
    """Append one record to the chain. ``actor`` is a user or None for the system itself."""
    context = current.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    if actor is not None:
        actor_name = getattr(actor, "username", "") or actor_name
    with transaction.atomic():
        head = _locked_head()
        entry = AuditRecord(
            seq=head.last_seq + 1,
            # Microseconds kept, so the value survives every database's DATETIME(6) round trip.
            occurred_at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_name=_text(actor_name or "system")[:150],
            source_ip=_text(context.source_ip)[:45],
            user_agent=_text(context.user_agent)[:300],
            action=_text(action)[:100],
            object_type=_text(object_type)[:100],
            object_id=_text(str(object_id))[:64],
            object_repr=_text(str(object_repr))[:200],
            outcome=outcome,
            changes=mask_changes(_plain(changes or {})),
            detail=_text(detail)[:500],
            prev_hash=head.last_hash,
        )
        entry.hash = _digest(_chained_values(entry))
        entry.save()
        head.last_seq = entry.seq
        head.last_hash = entry.hash
        head.seal = _seal(head)
        head.save(update_fields=["last_seq", "last_hash", "seal"])
    return entry


def record_denied(request: HttpRequest, exc: Exception | None = None) -> AuditRecord:
    """Record a refused request (HTTP 403) with outcome "denied".

    Called at the HTTP boundary (the middleware for pages, the API's 403 handler), after the
    view's transaction has rolled back, so the refusal is kept. ``access.policy.require``
    puts the permission it wanted into the exception's message.
    """
    user = getattr(request, "user", None)
    actor = user if getattr(user, "is_authenticated", False) else None
    wanted = str(exc) if exc is not None else ""
    detail = f"{request.method} {request.path}" + (f" ({wanted})" if wanted else "")
    return record("access.denied", actor=actor, outcome=Outcome.DENIED, detail=detail)


# --- Reading (the audit administrator) ---------------------------------------------------


def browse(acting_user: Any, query: RecordFilter, *, before: int | None = None, limit: int = 50) -> tuple[list[AuditRecord], int | None]:
    """One page of matching records, newest first, and the cursor for the next (older) page.

    Paged by sequence number rather than by offset: new records arriving while someone reads
    do not shift the pages under them, and a deep page costs what the first one costs.
    """
    require(acting_user, perms.VIEW_AUDIT)
    records = query.apply(AuditRecord.objects.all())
    if before is not None:
        records = records.filter(seq__lt=before)
    rows = list(records.order_by("-seq")[: limit + 1])
    next_before = rows[limit - 1].seq if len(rows) > limit else None
    return rows[:limit], next_before


def get_record(acting_user: Any, seq: int) -> AuditRecord:
    require(acting_user, perms.VIEW_AUDIT)
    found = AuditRecord.objects.filter(seq=seq).first()
    if found is None:
        raise Http404
    return found


def export(acting_user: Any, query: RecordFilter) -> Iterator[str]:
    """The matching records as CSV lines, newest first, streamed from the database.

    The export is itself recorded first: who took a copy of the trail, and of what.
    """
    require(acting_user, perms.EXPORT_AUDIT)
    record("audit.exported", actor=acting_user, detail=query.describe())
    return csv_lines(query.apply(AuditRecord.objects.all()).order_by("-seq").iterator(chunk_size=1000))


# --- Verifying ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify(batch_size: int = 2000) -> VerifyResult:
    """Walk the chain from its floor to its head and name the first record that does not fit.

    Reads only: it can be run against a replica or a restored backup.
    """
    head = AuditHead.objects.filter(pk=1).first()
    result = _walk(head, batch_size)
    if not result.ok and head is not None:
        # A purge that ran during the walk removes rows we were about to read; walk again
        # from the new floor before calling that a deletion.
        latest = AuditHead.objects.filter(pk=1).first()
        if latest is not None and latest.floor_seq != head.floor_seq:
            result = _walk(latest, batch_size)
    return result


def _broken(checked: int, seq: int | None, message: str) -> VerifyResult:
    return VerifyResult(False, checked, seq, message % {"seq": seq} if seq is not None else message)


def _walk(head: AuditHead | None, batch_size: int) -> VerifyResult:
    if head is None:
        first = AuditRecord.objects.order_by("seq").values_list("seq", flat=True).first()
        return VerifyResult(True, 0) if first is None else _broken(0, first, _("record #%(seq)d exists but the chain's head is missing"))
    if not hmac.compare_digest(head.seal, _seal(head)):
        return _broken(0, None, _("the chain's head does not match its seal (edited)"))
    expected_seq, expected_prev, checked = head.floor_seq, head.floor_prev_hash, 0
    while expected_seq <= head.last_seq:
        rows = list(AuditRecord.objects.filter(seq__gte=expected_seq, seq__lte=head.last_seq).order_by("seq")[:batch_size])
        if not rows:
            return _broken(checked, expected_seq, _("record #%(seq)d is missing (deleted)"))
        for row in rows:
            if row.seq != expected_seq:
                return _broken(checked, expected_seq, _("record #%(seq)d is missing (deleted)"))
            if row.prev_hash != expected_prev:
                return _broken(checked, row.seq, _("record #%(seq)d does not link to its predecessor (inserted or replaced)"))
            if not hmac.compare_digest(row.hash, _digest(_chained_values(row))):
                return _broken(checked, row.seq, _("record #%(seq)d does not match its hash (edited or forged)"))
            checked += 1
            expected_seq += 1
            expected_prev = row.hash
    if expected_prev != head.last_hash:
        return _broken(checked, head.last_seq, _("record #%(seq)d is not the one the head names (replaced)"))
    below = AuditRecord.objects.filter(seq__lt=head.floor_seq).order_by("seq").values_list("seq", flat=True).first()
    if below is not None:
        return _broken(checked, below, _("record #%(seq)d lies below the chain's floor (inserted)"))
    return _check_beyond_head(head, checked)


def _check_beyond_head(head: AuditHead, checked: int) -> VerifyResult:
    # Records appended since the head was read are legitimate. Reading the records first and
    # the head second means any record committed by then is covered by the head we compare with.
    newest = AuditRecord.objects.filter(seq__gt=head.last_seq).order_by("-seq").values_list("seq", flat=True).first()
    if newest is None:
        return VerifyResult(True, checked)
    latest = AuditHead.objects.get(pk=1)
    if newest <= latest.last_seq:
        return VerifyResult(True, checked)
    forged = AuditRecord.objects.filter(seq__gt=latest.last_seq).order_by("seq").values_list("seq", flat=True).first()
    return _broken(checked, forged, _("record #%(seq)d lies beyond the chain's head (inserted)"))


def verify_chain(acting_user: Any) -> VerifyResult:
    """The audit administrator's "verify chain": the result, and a record that it was asked."""
    require(acting_user, perms.VERIFY_AUDIT)
    result = verify()
    record("audit.verified", actor=acting_user, outcome=Outcome.SUCCESS if result.ok else Outcome.FAILURE,
           detail=f"{result.checked} checked" + ("" if result.ok else f"; #{result.first_bad_seq}: {result.problem}"))
    return result


# --- Retention -------------------------------------------------------------------------


def purge_expired(*, now: datetime | None = None) -> int:
    """Remove records older than the retention period and raise the chain's floor.

    Only a prefix of the chain is removed (up to the first record still inside the retention
    period), so what remains is contiguous. A chain that does not verify is not purged: that
    would destroy the evidence. The purge is recorded, in the same transaction, before the
    records go, so the trail always says when it was shortened.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    check = verify()
    if not check.ok:
        record("audit.purged", outcome=Outcome.FAILURE, detail=f"refused: #{check.first_bad_seq}: {check.problem}")
        message = _("The audit chain does not verify (%(problem)s); nothing was purged.") % {"problem": check.problem}
        raise ServiceError("chain_broken", message)
    with transaction.atomic():
        head = _locked_head()
        first_kept = (
            AuditRecord.objects.filter(seq__gte=head.floor_seq, occurred_at__gte=cutoff)
            .order_by("seq").values_list("seq", flat=True).first()
        )
        boundary = head.last_seq + 1 if first_kept is None else first_kept
        if boundary <= head.floor_seq:
            return 0
        floor_prev_hash = AuditRecord.objects.get(seq=boundary - 1).hash
        record("audit.purged", changes={"floor_seq": [head.floor_seq, boundary]},
               detail=f"records #{head.floor_seq}-#{boundary - 1} older than {cutoff.date().isoformat()}")
        # QuerySet.delete bypasses AuditRecord.delete; this is the one sanctioned removal.
        removed, _details = AuditRecord.objects.filter(seq__lt=boundary).delete()
        head = _locked_head()
        head.floor_seq, head.floor_prev_hash = boundary, floor_prev_hash
        head.seal = _seal(head)
        head.save(update_fields=["floor_seq", "floor_prev_hash", "seal"])
    return removed
