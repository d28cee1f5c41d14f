"""Verifying the audit trail, and naming the first thing that does not fit.

What is checked, in this order:

1. the witness file's newest checkpoint against the database's: a database whose newest checkpoint
   is older than the witnessed one was rolled back (an older genuine state restored, or the newest
   records deleted together with their checkpoints); one whose checkpoint of that size differs had
   its history rewritten;
2. every checkpoint's Ed25519 signature, and that its columns say what its signed note says;
3. the floor: the trail starts at record #1, or at the checkpoint the newest sealed purge kept;
4. every sealed record, in position order: none missing (a deletion in the middle, or the tail cut
   off), each matching its MAC (an edit or a forgery by someone without the record key), and the
   Merkle root of each stretch matching its checkpoint (an edit by someone who has the key);
5. the records not yet sealed: counted as pending, their MACs checked.

Reads only: it can be run against a replica or a restored backup (with the key and the witness file).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils.translation import gettext as _

from zhengtong.platform.audit import canonical, signing
from zhengtong.platform.audit.models import AuditRecord, Checkpoint, Outcome
from zhengtong.platform.ledger import note
from zhengtong.platform.ledger.merkle import Frontier, Hasher


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int  # sealed records verified (before the first bad one)
    first_bad_seq: int | None = None
    problem: str = ""
    pending: int = 0  # records written but not yet sealed: not protected by a checkpoint yet
    sealed: int = 0  # the size of the newest checkpoint


class _Broken(Exception):
    def __init__(self, problem: str, seq: int | None = None) -> None:
        super().__init__(problem)
        self.problem, self.seq = problem, seq


def floor() -> int:
    """How many of the first records the retention purge has removed: what the newest purge says."""
    purge = (AuditRecord.objects.filter(action="audit.purged", outcome=Outcome.SUCCESS, seq__isnull=False)
             .order_by("-seq").values_list("changes", flat=True).first())
    moved = purge.get("floor") if isinstance(purge, dict) else None
    return moved[1] if isinstance(moved, list) and len(moved) == 2 and isinstance(moved[1], int) else 0


def verify(batch_size: int = 2000) -> VerifyResult:
    before = floor()
    result = _Verification(batch_size).run()
    if not result.ok and floor() != before:
        # A purge that ran meanwhile removed rows we were about to read: start again from the new floor.
        result = _Verification(batch_size).run()
    return result


def _hashes(values: object) -> list[bytes]:
    if not isinstance(values, list):
        raise ValueError("not a list")
    return [base64.b64decode(str(value), validate=True) for value in values]


class _Verification:
    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.hasher = Hasher(settings.AUDIT_HASH)
        self.checked = 0
        self.sealed = 0

    def run(self) -> VerifyResult:
        # The witness first: it is appended after the database commits, so read in this order it is never ahead by rights.
        witnessed = signing.witness().latest()
        checkpoints = list(Checkpoint.objects.order_by("size"))
        self.sealed = checkpoints[-1].size if checkpoints else 0
        try:
            verifier = signing.verifier()
            if verifier is None:
                if checkpoints or witnessed is not None:
                    raise _Broken(_("the signing key %(path)s is missing: the checkpoints cannot be checked")
                                  % {"path": signing.key_path()})
            else:
                if witnessed is not None:
                    self._against_witness(witnessed, verifier, checkpoints)
                for checkpoint in checkpoints:
                    self._genuine(checkpoint, verifier)
            frontier, stretches = self._start(checkpoints)
            for checkpoint in stretches:
                self._stretch(frontier, checkpoint)
            pending = self._pending()
        except _Broken as broken:
            return VerifyResult(False, self.checked, broken.seq, broken.problem, sealed=self.sealed)
        return VerifyResult(True, self.checked, pending=pending, sealed=self.sealed)

    def _against_witness(self, witnessed: str, verifier: note.Verifier, checkpoints: list[Checkpoint]) -> None:
        try:
            head = note.Checkpoint.open(witnessed, verifier)
        except note.NoteError:
            raise _Broken(_("the witness file's newest checkpoint does not verify with this log's key (edited, or another log's)")
                          ) from None
        if head.size > self.sealed:
            raise _Broken(_("the database was rolled back: its newest checkpoint covers %(size)d records, the witness file's "
                            "%(witnessed)d; records #%(first)d–#%(witnessed)d and their checkpoints are gone")
                          % {"size": self.sealed, "witnessed": head.size, "first": self.sealed + 1}, self.sealed + 1)
        same = next((checkpoint for checkpoint in checkpoints if checkpoint.size == head.size), None)
        if same is None:
            if head.size >= checkpoints[0].size:  # below the oldest: purged since, which the floor check covers
                raise _Broken(_("the checkpoint of %(size)d records that the witness file holds is missing (deleted)")
                              % {"size": head.size})
        elif same.root != head.root.hex():
            raise _Broken(_("checkpoint %(size)d differs from the one in the witness file: the trail's history was rewritten")
                          % {"size": head.size})

    def _genuine(self, checkpoint: Checkpoint, verifier: note.Verifier) -> None:
        try:
            head = note.Checkpoint.open(checkpoint.note, verifier)
        except note.NoteError:
            raise _Broken(_("checkpoint %(size)d does not carry a valid signature of this log (forged or edited)")
                          % {"size": checkpoint.size}) from None
        if head.size != checkpoint.size or head.root.hex() != checkpoint.root:
            raise _Broken(_("checkpoint %(size)d does not match its signed note (edited)") % {"size": checkpoint.size})
        if checkpoint.hash_name != self.hasher.name:
            raise _Broken(_("checkpoint %(size)d was sealed with %(used)s, but ZT_AUDIT_HASH says %(configured)s")
                          % {"size": checkpoint.size, "used": checkpoint.hash_name, "configured": self.hasher.name})

    def _start(self, checkpoints: list[Checkpoint]) -> tuple[Frontier, list[Checkpoint]]:
        """The tree as it stood at the floor, and the checkpoints to walk from there."""
        purged = floor()
        if purged == 0:
            if checkpoints and checkpoints[0].first != 0:
                raise _Broken(_("records #1–#%(seq)d and their checkpoints are missing, and no purge removed them (deleted)")
                              % {"seq": checkpoints[0].first}, 1)
            return Frontier(self.hasher), checkpoints
        base = next((checkpoint for checkpoint in checkpoints if checkpoint.size == purged), None)
        if base is None:
            raise _Broken(_("the checkpoint of %(size)d records that the last purge kept as the floor is missing (deleted)")
                          % {"size": purged})
        frontier = self._frontier(base)
        below = AuditRecord.objects.filter(seq__lte=purged).order_by("seq").values_list("seq", flat=True).first()
        if below is not None:
            raise _Broken(_("record #%(seq)d lies below the floor (inserted)") % {"seq": below}, below)
        return frontier, [checkpoint for checkpoint in checkpoints if checkpoint.size > purged]

    def _frontier(self, checkpoint: Checkpoint) -> Frontier:
        try:
            frontier = Frontier(self.hasher, checkpoint.size, _hashes(checkpoint.frontier))
        except (ValueError, binascii.Error):
            frontier = None
        if frontier is None or frontier.root().hex() != checkpoint.root:
            raise _Broken(_("checkpoint %(size)d's frontier does not match its root (edited)") % {"size": checkpoint.size})
        return frontier

    def _stretch(self, frontier: Frontier, checkpoint: Checkpoint) -> None:
        """The records one checkpoint added, leaf by leaf, then its root."""
        first = frontier.size + 1
        if checkpoint.first != frontier.size:
            raise _Broken(_("the checkpoints between %(first)d and %(size)d records are missing (deleted)")
                          % {"first": frontier.size, "size": checkpoint.first})
        while frontier.size < checkpoint.size:
            rows = list(AuditRecord.objects.filter(seq__gt=frontier.size, seq__lte=checkpoint.size).order_by("seq")[: self.batch_size])
            if not rows:
                self._missing(frontier.size + 1)
            for row in rows:
                if row.seq != frontier.size + 1:
                    self._missing(frontier.size + 1)
                self._authentic(row)
                frontier.append(self.hasher.leaf(canonical.leaf_data(row)))
                self.checked += 1
        if frontier.root().hex() != checkpoint.root:
            raise _Broken(_("records #%(first)d–#%(last)d do not match checkpoint %(size)d: one of them was changed by someone "
                            "who holds the record key") % {"first": first, "last": checkpoint.size, "size": checkpoint.size}, first)
        self._frontier(checkpoint)

    def _missing(self, seq: int) -> None:
        if AuditRecord.objects.filter(seq__gt=seq, seq__lte=self.sealed).exists():
            raise _Broken(_("record #%(seq)d is missing (deleted)") % {"seq": seq}, seq)
        raise _Broken(_("records #%(seq)d–#%(last)d are missing: the end of the trail was cut off")
                      % {"seq": seq, "last": self.sealed}, seq)

    def _authentic(self, row: AuditRecord) -> None:
        if not hmac.compare_digest(row.mac, canonical.mac(row, settings.AUDIT_RECORD_KEY, self.hasher.name)):
            if row.seq is None:
                raise _Broken(_("a record not yet sealed (no. %(id)d) does not match its MAC (edited or forged)") % {"id": row.pk})
            raise _Broken(_("record #%(seq)d does not match its MAC (edited or forged)") % {"seq": row.seq}, row.seq)

    def _pending(self) -> int:
        """The records after the newest checkpoint: each authentic, the numbered ones without gaps."""
        rows = (AuditRecord.objects.filter(Q(seq__isnull=True) | Q(seq__gt=self.sealed))
                .order_by(F("seq").asc(nulls_last=True), "id").iterator(chunk_size=self.batch_size))
        expected, count = self.sealed + 1, 0
        for row in rows:
            if row.seq is not None:
                if row.seq != expected:
                    raise _Broken(_("record #%(seq)d was deleted before it was sealed") % {"seq": expected}, expected)
                expected += 1
            self._authentic(row)
            count += 1
        return count
