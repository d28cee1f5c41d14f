"""Verification names what was done to the trail: edits, forgeries, deletions, a cut-off end, a rollback, forged checkpoints."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from zhengtong.platform.audit import canonical, services, signing
from zhengtong.platform.audit.models import AuditRecord, Checkpoint, Outcome
from zhengtong.platform.audit.verification import verify
from zhengtong.platform.ledger import note


def _broken(at: int | None, *words: str):
    with translation.override("en"):
        result = verify()
    assert not result.ok, result
    assert result.first_bad_seq == at, result
    for word in words:
        assert word in result.problem, result
    return result


def test_an_untouched_trail_verifies_in_batches(sealed):
    result = verify(batch_size=3)
    assert result.ok and (result.checked, result.pending, result.sealed) == (10, 0, 10)


def test_an_empty_trail_verifies(db):
    assert verify().ok


def test_records_not_yet_sealed_are_pending_not_tampering(sealed):
    for number in range(3):
        services.record("test.event", detail=f"later {number}")
    result = verify()
    assert result.ok and (result.checked, result.pending) == (10, 3)


def test_editing_a_field_in_the_database_is_named(sealed):
    AuditRecord.objects.filter(seq=4).update(detail="nothing happened")
    _broken(4, "#4", "MAC")


@pytest.mark.parametrize("field, value", [("actor_name", "someone else"), ("outcome", Outcome.FAILURE), ("changes", {"n": [0, 0]}),
                                          ("occurred_at", timezone.now() - timedelta(days=1)), ("actor_id", 99), ("source_ip", "10.0.0.9")])
def test_every_field_is_covered(sealed, field, value):
    AuditRecord.objects.filter(seq=7).update(**{field: value})
    _broken(7)


def test_an_edit_by_someone_holding_the_record_key_is_caught_by_the_checkpoint(sealed):
    entry = AuditRecord.objects.get(seq=7)
    entry.detail = "rewritten"
    AuditRecord.objects.filter(pk=entry.pk).update(detail=entry.detail, mac=canonical.mac(entry, settings.AUDIT_RECORD_KEY, "sha256"))
    _broken(6, "#6–#10", "checkpoint 10")


def test_a_pending_record_edited_or_forged_is_named(sealed):
    entry = services.record("test.event", detail="pending")
    AuditRecord.objects.filter(pk=entry.pk).update(detail="edited while pending")
    _broken(None, f"no. {entry.pk}", "MAC")
    AuditRecord.objects.filter(pk=entry.pk).delete()
    AuditRecord.objects.bulk_create([AuditRecord(occurred_at=timezone.now(), actor_name="intruder", action="test.event", mac="0" * 64)])
    _broken(None, "MAC")


def test_deleting_a_record_in_the_middle_is_named(sealed):
    AuditRecord.objects.filter(seq=5).delete()
    _broken(5, "#5", "deleted")


def test_cutting_off_the_end_is_named(sealed):
    AuditRecord.objects.filter(seq__gte=9).delete()
    _broken(9, "#9–#10", "cut off")


def test_a_rollback_to_an_older_genuine_state_is_named(sealed):
    # What an older backup restored looks like: #1–#5 and their checkpoint, all genuine and consistent.
    AuditRecord.objects.filter(seq__gt=5).delete()
    Checkpoint.objects.filter(size=10).delete()
    _broken(6, "rolled back", "#6–#10")


def test_a_forged_or_edited_checkpoint_is_named(sealed):
    Checkpoint.objects.filter(size=5).update(note=Checkpoint.objects.get(size=5).note.replace("\n5\n", "\n4\n"))
    _broken(None, "checkpoint 5", "signature")


def test_a_checkpoint_whose_columns_disagree_with_its_signed_note_is_named(sealed):
    Checkpoint.objects.filter(size=5).update(root="00" * 32)
    _broken(None, "checkpoint 5", "signed note")


def test_a_checkpoint_inconsistent_with_the_witness_is_named(sealed):
    # A validly signed checkpoint of the same size with another root: a history rewritten by whoever had the key.
    fork = note.Checkpoint(settings.AUDIT_ORIGIN, 10, b"\x01" * 32).sign(signing.signer())
    signing.witness().append(fork)
    _broken(None, "checkpoint 10", "witness")


def test_a_witness_line_not_signed_by_the_log_is_named(sealed):
    signing.witness().append("zhengtong/audit\n10\nAAAA\n\n— zhengtong/audit AAAAAAAA\n")
    _broken(None, "witness")


def test_deleting_the_checkpoints_in_the_middle_is_named(sealed, seal):
    services.record("test.event")
    seal()
    Checkpoint.objects.filter(size=10).delete()
    _broken(None, "checkpoints between 5 and 10", "deleted")


def test_deleting_the_oldest_records_without_a_purge_is_named(sealed):
    AuditRecord.objects.filter(seq__lte=5).delete()
    Checkpoint.objects.filter(size=5).delete()
    _broken(1, "#1–#5", "no purge")


def test_a_frontier_edited_in_a_checkpoint_is_named(sealed):
    Checkpoint.objects.filter(size=10).update(frontier=["AAAA"])
    _broken(None, "checkpoint 10", "frontier")


def test_a_missing_signing_key_is_named(sealed, settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_PATH = str(tmp_path / "gone.key")
    _broken(None, "signing key", "missing")
