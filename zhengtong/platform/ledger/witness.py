"""A witness file: a log's signed checkpoints, appended outside the database.

Whoever can rewrite the database can delete the newest records together with the checkpoints that
cover them and leave an older, genuine and internally consistent state behind (a rollback). The
witness file remembers the newest checkpoint somewhere the database's operator cannot reach, so
that state no longer verifies. Put it on storage that operator cannot write — another host, or a
file the kernel keeps append-only (``chattr +a``): the log only ever appends to it.

One JSON line per checkpoint, ``{"at": <ISO time>, "note": <signed note>}``. A line cut short by
a crash is ignored when reading and closed before the next append. Cosigning witnesses run by
other departments (c2sp.org/tlog-witness) are the next step; they keep the same contract: the
newest checkpoint per log, never one inconsistent with it.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

# A signed checkpoint is a few hundred bytes; the newest complete line is within this many of the end.
_TAIL_BYTES = 64 * 1024


class FileWitness:
    def __init__(self, path: Path) -> None:
        self.path = path

    def latest(self) -> str | None:
        """The newest checkpoint note appended, or None when nothing was."""
        try:
            with self.path.open("rb") as witness:
                end = witness.seek(0, os.SEEK_END)
                witness.seek(max(0, end - _TAIL_BYTES))
                tail = witness.read()
        except FileNotFoundError:
            return None
        complete = tail[: tail.rfind(b"\n") + 1].decode("utf-8", errors="replace").splitlines()
        for line in reversed(complete):
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # the first line of the tail may be the end of a longer one
            if isinstance(entry, dict) and isinstance(entry.get("note"), str):
                return str(entry["note"])
        return None

    def append(self, note: str) -> None:
        """Append ``note`` and flush it to disk before returning."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": datetime.now(UTC).isoformat(), "note": note}, ensure_ascii=False) + "\n"
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(descriptor).st_size
            if size and _last_byte(self.path, size) != b"\n":
                line = "\n" + line  # close a line a crash cut short, so this one parses
            os.write(descriptor, line.encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _last_byte(path: Path, size: int) -> bytes:
    with path.open("rb") as witness:
        witness.seek(size - 1)
        return witness.read(1)
