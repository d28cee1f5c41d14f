"""What a record's MAC and its leaf in the sealed tree cover, as bytes.

One canonical JSON form (sorted keys, no spaces, UTF-8) read back identically from every
database. Changing it would make every sealed record fail verification: it is part of the log's
format, like its hash.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac

from zhengtong.platform.audit.models import AuditRecord

# The fields the MAC covers, written by the caller; the leaf covers these, the MAC and the position.
CONTENT_FIELDS = (
    "occurred_at", "actor_id", "actor_name", "source_ip", "user_agent", "action",
    "object_type", "object_id", "object_repr", "outcome", "changes", "detail",
)
_HASHES = {"sha256": hashes.SHA256, "sm3": hashes.SM3}


def text(value: str) -> str:
    # PostgreSQL refuses NUL in text and JSON; a NUL typed into a sign-in form must not
    # make the failure it describes unrecordable.
    return value.replace("\x00", "\ufffd")


def plain(value: Any) -> Any:
    """A JSON value that reads back identically on every database, so the MAC still fits."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return text(value)
    if isinstance(value, (set, frozenset)):
        return sorted((plain(item) for item in value), key=str)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {text(str(key)): plain(item) for key, item in value.items()}
    # Floats and dates as text: JSON columns differ in how they round-trip them.
    return text(str(value))


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _encode(values: dict[str, Any]) -> bytes:
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _content(entry: AuditRecord) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in CONTENT_FIELDS}
    values["occurred_at"] = _utc_text(entry.occurred_at)
    return values


def mac(entry: AuditRecord, key: str, hash_name: str) -> str:
    """HMAC of the record's content, in hex."""
    code = hmac.HMAC(key.encode(), _HASHES[hash_name]())
    code.update(_encode(_content(entry)))
    return code.finalize().hex()


def leaf_data(entry: AuditRecord) -> bytes:
    """The bytes of the record's leaf in the sealed tree: its position, content and MAC."""
    return _encode({"seq": entry.seq, **_content(entry), "mac": entry.mac})
