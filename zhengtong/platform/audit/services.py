"""Writing, verifying and purging the audit trail.

``record`` is called by every service that changes state, inside that service's transaction,
so the audit row commits or rolls back with the change it describes. Failures (a wrong
password, a refused request) are recorded by the caller after its transaction has ended,
so that they survive the rollback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from zhengtong.platform.audit.context import current
from zhengtong.platform.audit.models import AuditHead, AuditRecord, Outcome

MASK = "******"
_SECRET_FIELD = re.compile(r"password|secret|token|recovery|otp|key", re.IGNORECASE)

# The fields that the chain's HMAC covers, in a fixed order.
_CHAINED_FIELDS = (
    "seq", "occurred_at", "actor_id", "actor_name", "source_ip", "user_agent", "action",
    "object_type", "object_id", "object_repr", "outcome", "changes", "detail", "prev_hash",
)


def mask_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Replace the values of secret-looking fields so no secret ever reaches the trail."""
    return {
        field: [MASK, MASK] if _SECRET_FIELD.search(field) else value
        for field, value in changes.items()
    }


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field whose value differs."""
    return {
        field: [_plain(old.get(field)), _plain(new.get(field))]
        for field in sorted(set(old) | set(new))
        if old.get(field) != new.get(field)
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(_plain(item) for item in value) if isinstance(value, (set, frozenset)) else [_plain(i) for i in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _digest(values: dict[str, Any]) -> str:
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hmac.new(settings.AUDIT_CHAIN_KEY.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def _chained_values(record: AuditRecord) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in _CHAINED_FIELDS}
    values["occurred_at"] = _utc_text(record.occurred_at)
    return values


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditRecord(
            seq=head.last_seq + 1,
            # Microseconds kept, so the value survives every database's DATETIME(6) round trip.
            occurred_at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_name=(getattr(actor, "username", "") or actor_name)[:150] if actor is not None else (actor_name or "system")[:150],
            source_ip=context.source_ip,
            user_agent=context.user_agent[:300],
            action=action,
            object_type=object_type[:100],
            object_id=str(object_id)[:64],
            object_repr=str(object_repr)[:200],
            outcome=outcome,
            changes=mask_changes(changes or {}),
            detail=detail[:500],
            prev_hash=head.last_hash,
        )
        entry.hash = _digest(_chained_values(entry))
        entry.save()
        head.last_seq = entry.seq
        head.last_hash = entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify(batch_size: int = 2000) -> VerifyResult:
    """Walk the chain from its floor and name the first record that does not fit."""
    head = AuditHead.objects.filter(pk=1).first() or AuditHead(pk=1)
    expected_seq = head.floor_seq
    expected_prev = head.floor_prev_hash
    checked = 0
    last_seen = expected_seq - 1
    while True:
        rows = list(AuditRecord.objects.filter(seq__gte=expected_seq).order_by("seq")[:batch_size])
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"record #{expected_seq} is missing (deleted)")
            if row.prev_hash != expected_prev:
                return VerifyResult(False, checked, row.seq, f"record #{row.seq} does not link to its predecessor (inserted or reordered)")
            if not hmac.compare_digest(row.hash, _digest(_chained_values(row))):
                return VerifyResult(False, checked, row.seq, f"record #{row.seq} does not match its hash (edited)")
            checked += 1
            expected_seq += 1
            expected_prev = row.hash
            last_seen = row.seq
    if AuditRecord.objects.filter(seq__lt=head.floor_seq).exists():
        bad = AuditRecord.objects.filter(seq__lt=head.floor_seq).order_by("seq").values_list("seq", flat=True).first()
        return VerifyResult(False, checked, bad, f"record #{bad} lies below the chain's floor (inserted)")
    if last_seen != head.last_seq or expected_prev != head.last_hash:
        return VerifyResult(False, checked, last_seen + 1, f"record #{last_seen + 1} is missing (deleted from the end)")
    return VerifyResult(True, checked)


def purge_expired(*, now: datetime | None = None) -> int:
    """Remove records older than the retention period and raise the chain's floor.

    The purge itself is recorded first, so the trail always says who shortened it and when.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get(pk=1)
        doomed = AuditRecord.objects.filter(occurred_at__lt=cutoff, seq__lt=head.last_seq)
        last_doomed = doomed.order_by("-seq").values_list("seq", "hash").first()
        if last_doomed is None:
            return 0
        count = doomed.count()
        # QuerySet.delete bypasses AuditRecord.delete; this is the one sanctioned removal.
        doomed._raw_delete(doomed.db)  # type: ignore[attr-defined]
        head.floor_seq, head.floor_prev_hash = last_doomed[0] + 1, last_doomed[1]
        head.save(update_fields=["floor_seq", "floor_prev_hash"])
    record("audit.purge", detail=f"removed {count} records older than {cutoff.date().isoformat()}", actor_name="system")
    return count
