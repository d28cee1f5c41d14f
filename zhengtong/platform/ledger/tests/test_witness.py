"""The witness file keeps the newest checkpoint, survives a torn line, and only ever grows."""

from __future__ import annotations

import stat

from zhengtong.platform.ledger.witness import FileWitness


def test_the_newest_note_is_the_last_appended(tmp_path):
    witness = FileWitness(tmp_path / "witness.jsonl")
    assert witness.latest() is None
    witness.append("log\n1\nAAAA\n\n— log sig1\n")
    witness.append("log\n2\nBBBB\n\n— log sig2\n")
    assert witness.latest() == "log\n2\nBBBB\n\n— log sig2\n"
    assert stat.S_IMODE(witness.path.stat().st_mode) == 0o600
    assert len(witness.path.read_text().splitlines()) == 2


def test_a_line_cut_short_by_a_crash_is_skipped_and_closed(tmp_path):
    witness = FileWitness(tmp_path / "witness.jsonl")
    witness.append("first\n")
    with witness.path.open("a") as file:
        file.write('{"at": "2026-12-01T00:00:00+00:00", "note": "torn')
    assert witness.latest() == "first\n"
    witness.append("second\n")
    assert witness.latest() == "second\n"
    assert len(witness.path.read_text().splitlines()) == 3


def test_a_long_history_is_read_from_its_tail(tmp_path):
    witness = FileWitness(tmp_path / "witness.jsonl")
    for number in range(2000):
        witness.append(f"log\n{number}\nAAAA\n\n— log {'x' * 80}\n")
    assert witness.latest().startswith("log\n1999\n")
