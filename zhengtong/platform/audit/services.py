"""Writing, sealing and purging the audit trail.

``record`` is called by every service that changes state, inside that service's transaction,
so the audit row commits or rolls back with the change it describes. It costs that transaction
one INSERT: no read, no lock, no savepoint. Failures (a wrong password, a refused request) are
recorded by the caller after its transaction has ended, so that they survive the rollback.

``seal_pending`` (the worker's job) gives committed records their positions and seals them as
leaves of the trail's Merkle tree into checkpoints signed with the log's key, then appends the
newest checkpoint to the witness file. ``verification.verify`` checks all of it.

This module, the models, verification and the middleware never import ``access``: ``access``
records its own changes through ``record``. The audit administrator's permission-checked reading
of the trail lives in ``auditor``.
"""

from __future__ import annotations

import base64
import logging
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform import prepared
from zhengtong.platform.audit import canonical, signing, verification
from zhengtong.platform.audit.context import current
from zhengtong.platform.audit.models import AuditRecord, Checkpoint, Outcome
from zhengtong.platform.ledger import note, sequence
from zhengtong.platform.ledger.merkle import Frontier
from zhengtong.platform.ledger.witness import FileWitness

logger = logging.getLogger(__name__)

MASK = "******"
_SECRET_FIELD = re.compile(r"password|secret|token|recovery|otp|key", re.IGNORECASE)
# Records per checkpoint at most: bounds one sealing transaction after a backlog.
SEAL_BATCH = 1000


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
        field: [canonical.plain(old.get(field)), canonical.plain(new.get(field))]
        for field in sorted(set(old) | set(new))
        if old.get(field) != new.get(field)
    }


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
    """Write one record. ``actor`` is a user or None for the system itself."""
    context = current.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    if actor is not None:
        actor_name = getattr(actor, "username", "") or actor_name
    text = canonical.text
    entry = AuditRecord(
        # Microseconds kept, so the value survives every database's DATETIME(6) round trip.
        occurred_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_name=text(actor_name or "system")[:150],
        source_ip=text(context.source_ip)[:45],
        user_agent=text(context.user_agent)[:300],
        action=text(action)[:100],
        object_type=text(object_type)[:100],
        object_id=text(str(object_id))[:64],
        object_repr=text(str(object_repr))[:200],
        outcome=outcome,
        changes=mask_changes(canonical.plain(changes or {})),
        detail=text(detail)[:500],
    )
    entry.mac = canonical.mac(entry, settings.AUDIT_RECORD_KEY, settings.AUDIT_HASH)
    prepared.insert([entry])
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


# --- Sealing -------------------------------------------------------------------------------


def seal_pending() -> int:
    """Seal every committed record not yet in a checkpoint; how many were sealed.

    Refuses (``ServiceError``) while the database lacks the witness file's newest checkpoint:
    extending a rolled-back trail would sign a history inconsistent with one already signed.
    """
    signer, witness = signing.signer(), signing.witness()
    _check_witness(witness, signer.verifier())
    sealed = 0
    while count := _seal_batch(signer, witness):
        sealed += count
    return sealed


def seal_due(now: datetime) -> int:
    """The worker's job: seal once the newest checkpoint is ``AUDIT_SEAL_SECONDS`` old and records wait."""
    size, made = Checkpoint.objects.order_by("-size").values_list("size", "created_at").first() or (0, None)
    if made is not None and made > now - timedelta(seconds=settings.AUDIT_SEAL_SECONDS):
        return 0
    if not AuditRecord.objects.filter(Q(seq__isnull=True) | Q(seq__gt=size)).exists():
        return 0  # two reads when idle, no write lock
    try:
        return seal_pending()
    except ServiceError as refused:
        logger.error("audit sealing stopped: %s", refused.message)
        return -1


def _check_witness(witness: FileWitness, verifier: note.Verifier) -> None:
    witnessed = witness.latest()
    if witnessed is None:
        return
    try:
        head = note.Checkpoint.open(witnessed, verifier)
    except note.NoteError:
        raise ServiceError("witness_invalid", _("The witness file's newest checkpoint does not verify with this log's key.")) from None
    if not Checkpoint.objects.filter(size=head.size, root=head.root.hex()).exists():
        raise ServiceError("rolled_back", _(
            "The database does not hold the witness file's newest checkpoint (%(size)d records): it was rolled back or "
            "restored from a backup. Nothing is sealed until an operator deals with it (docs/operations.md).") % {"size": head.size})


def _seal_batch(signer: note.Signer, witness: FileWitness) -> int:
    hasher = signing.hasher()
    with transaction.atomic():
        head = sequence.hold(AuditRecord, limit=SEAL_BATCH)  # no other sealer until this one commits
        newest = Checkpoint.objects.order_by("-size").first()
        size = newest.size if newest is not None else 0
        if head <= size:
            return 0
        if newest is not None and newest.hash_name != hasher.name:
            raise ServiceError("hash_changed", _("The trail was sealed with %(used)s; ZT_AUDIT_HASH cannot change to %(configured)s.")
                               % {"used": newest.hash_name, "configured": hasher.name})
        frontier = Frontier(hasher, size, [base64.b64decode(value) for value in newest.frontier]) if newest else Frontier(hasher)
        for row in AuditRecord.objects.filter(seq__gt=size, seq__lte=min(head, size + SEAL_BATCH)).order_by("seq"):
            if row.seq != frontier.size + 1:
                break
            frontier.append(hasher.leaf(canonical.leaf_data(row)))
        if frontier.size == size:
            raise ServiceError("record_missing", _("Audit record #%(seq)d was deleted before it was sealed; nothing is sealed.")
                               % {"seq": size + 1})
        signed = note.Checkpoint(settings.AUDIT_ORIGIN, frontier.size, frontier.root()).sign(signer)
        Checkpoint.objects.create(size=frontier.size, first=size, root=frontier.root().hex(), note=signed, hash_name=hasher.name,
                                  frontier=[base64.b64encode(value).decode() for value in frontier.hashes])
        transaction.on_commit(lambda: witness.append(signed))
    return frontier.size - size


# --- Retention -------------------------------------------------------------------------


def purge_expired(*, now: datetime | None = None) -> int:
    """Remove the records older than the retention period, down to a checkpoint that becomes the floor.

    Only a prefix of the trail goes (up to a checkpoint before the first record still inside the
    retention period), so what remains starts at a signed checkpoint whose frontier carries the
    tree on. A trail that does not verify is not purged: that would destroy the evidence. The purge
    is recorded and sealed, in the same transaction, before the records go, so the trail always
    says when it was shortened and down to where (verification checks the floor against it).
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    check = verification.verify()
    if not check.ok:
        record("audit.purged", outcome=Outcome.FAILURE, detail=f"refused: #{check.first_bad_seq}: {check.problem}")
        message = _("The audit trail does not verify (%(problem)s); nothing was purged.") % {"problem": check.problem}
        raise ServiceError("chain_broken", message)
    seal_pending()
    signer, witness = signing.signer(), signing.witness()
    with transaction.atomic():
        sequence.hold(AuditRecord, limit=0)  # nobody seals while the floor moves
        floor = verification.floor()
        first_kept = (AuditRecord.objects.filter(seq__gt=floor, occurred_at__gte=cutoff)
                      .order_by("seq").values_list("seq", flat=True).first())
        candidates = Checkpoint.objects.filter(size__gt=floor)
        if first_kept is not None:
            candidates = candidates.filter(size__lt=first_kept)
        boundary = candidates.order_by("-size").first()
        if boundary is None:
            return 0
        record("audit.purged", changes={"floor": [floor, boundary.size]},
               detail=f"records #{floor + 1}-#{boundary.size} older than {cutoff.date().isoformat()}")
        while _seal_batch(signer, witness):
            pass
        # QuerySet.delete bypasses AuditRecord.delete; this is the one sanctioned removal.
        removed, _details = AuditRecord.objects.filter(seq__lte=boundary.size).delete()
        Checkpoint.objects.filter(size__lt=boundary.size).delete()
    return removed
