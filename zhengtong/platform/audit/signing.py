"""The audit log's identity outside the database: its tree hash, its signing key and its witness file.

- ``ZT_AUDIT_HASH``: the tree's and the MACs' hash, ``sha256`` or ``sm3`` (the 商密 profile).
  Fixed for the life of the trail: a log never changes its hash.
- ``ZT_AUDIT_SIGNING_KEY_PATH``: the Ed25519 key that signs checkpoints (PEM, mode 0600), made on
  first use under the var folder unless given. Never in the database: whoever holds only the
  database cannot sign a checkpoint.
- ``ZT_AUDIT_WITNESS_PATH``: the append-only file the newest checkpoint goes to after each sealing.
- ``ZT_AUDIT_ORIGIN``: the log's name, the first line of its checkpoints and its key's name.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from zhengtong.platform.ledger.merkle import Hasher
from zhengtong.platform.ledger.note import Signer, Verifier, load_or_create_key
from zhengtong.platform.ledger.witness import FileWitness


def hasher() -> Hasher:
    return Hasher(settings.AUDIT_HASH)


def key_path() -> Path:
    return Path(settings.AUDIT_SIGNING_KEY_PATH or settings.VAR_DIR / "audit-signing.key")


def signer() -> Signer:
    return Signer(settings.AUDIT_ORIGIN, load_or_create_key(key_path()))


def verifier() -> Verifier | None:
    """The key that checks checkpoints; None when the signing key is not there to derive it from."""
    if not key_path().exists():
        return None
    return signer().verifier()


def witness() -> FileWitness:
    return FileWitness(Path(settings.AUDIT_WITNESS_PATH or settings.VAR_DIR / "audit-witness.jsonl"))
