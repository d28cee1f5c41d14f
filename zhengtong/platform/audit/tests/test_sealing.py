"""Sealing: committed records become leaves of a Merkle tree under signed checkpoints, witnessed outside the database."""

from __future__ import annotations

import base64
import stat
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone, translation

from zhengtong.errors import ServiceError
from zhengtong.platform.audit import canonical, services, signing
from zhengtong.platform.audit.models import AuditRecord, Checkpoint
from zhengtong.platform.audit.verification import verify
from zhengtong.platform.ledger import merkle, note
from zhengtong.platform.ledger.merkle import Hasher


def test_each_sealing_signs_a_c2sp_checkpoint_over_the_rfc_9162_tree(sealed):
    assert [(checkpoint.first, checkpoint.size) for checkpoint in Checkpoint.objects.all()] == [(0, 5), (5, 10)]
    newest = Checkpoint.objects.get(size=10)
    leaves = [Hasher("sha256").leaf(canonical.leaf_data(entry)) for entry in sealed]
    assert bytes.fromhex(newest.root) == merkle.root(Hasher("sha256"), leaves)
    # Anyone given the verifier key can check it with any signed-note implementation.
    verifier = note.Verifier.from_vkey(signing.signer().verifier().vkey())
    head = note.Checkpoint.open(newest.note, verifier)
    assert (head.origin, head.size, head.root) == ("zhengtong/audit", 10, bytes.fromhex(newest.root))
    assert newest.note.startswith(f"zhengtong/audit\n10\n{base64.b64encode(head.root).decode()}\n\n— zhengtong/audit ")
    # The first five leaves are a prefix of the ten: the two checkpoints are consistent.
    older = Checkpoint.objects.get(size=5)
    proof = merkle.consistency_proof(Hasher("sha256"), 5, leaves)
    assert merkle.verify_consistency(Hasher("sha256"), 5, 10, bytes.fromhex(older.root), head.root, proof)


def test_the_witness_file_holds_the_newest_checkpoint(sealed):
    assert signing.witness().latest() == Checkpoint.objects.get(size=10).note
    assert len(signing.witness().path.read_text().splitlines()) == 2


def test_the_signing_key_is_a_file_outside_the_database_readable_by_its_owner_only(sealed, tmp_path):
    assert stat.S_IMODE(signing.key_path().stat().st_mode) == 0o600
    assert not any(signing.key_path().read_text() in str(row) for row in Checkpoint.objects.values_list("note", "frontier"))
    with override_settings(AUDIT_SIGNING_KEY_PATH=str(tmp_path / "another.key")):
        services.record("test.event")
        # Another key (made on first use) can neither continue the log nor pass for its key.
        with pytest.raises(ServiceError) as refused:
            services.seal_pending()
        assert refused.value.code == "witness_invalid"
        assert (tmp_path / "another.key").exists()
        with translation.override("en"):
            result = verify()
        assert not result.ok and "witness" in result.problem


def test_nothing_to_seal_signs_nothing(sealed):
    assert services.seal_pending() == 0
    assert Checkpoint.objects.count() == 2


def test_a_backlog_is_sealed_in_bounded_checkpoints(db, monkeypatch):
    monkeypatch.setattr(services, "SEAL_BATCH", 3)
    for number in range(7):
        services.record("test.event", detail=str(number))
    assert services.seal_pending() == 7
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [3, 6, 7]
    assert verify().ok


def test_the_worker_seals_once_the_interval_has_passed_and_records_wait(sealed):
    later = timezone.now() + timedelta(seconds=61)
    with override_settings(AUDIT_SEAL_SECONDS=60):
        assert services.seal_due(later) == 0  # nothing waits
        services.record("test.event")
        assert services.seal_due(timezone.now()) == 0  # too soon
        assert services.seal_due(later) == 1


def test_records_rolled_back_with_their_change_leave_no_gap(db):
    for number in range(6):
        try:
            with transaction.atomic():
                services.record("test.event", detail=f"attempt {number}")
                if number % 2:
                    raise RuntimeError("the change this record describes failed")
        except RuntimeError:
            pass
    services.seal_pending()
    assert list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_sealers_keep_the_positions_contiguous():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("threads cannot share an in-memory SQLite test database")
    failures: list[BaseException] = []

    def work(number: int) -> None:
        try:
            for part in range(5):
                services.record("test.concurrent", detail=f"{number}.{part}")
            services.seal_pending()
        except BaseException as failure:  # noqa: BLE001  (reported below)
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures
    services.seal_pending()
    assert list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 21))
    result = verify()
    assert result.ok and result.checked == 20 and result.pending == 0


def test_sealing_stops_when_the_database_is_behind_the_witness(sealed):
    AuditRecord.objects.filter(seq__gt=5).delete()
    Checkpoint.objects.filter(size=10).delete()
    services.record("test.event", detail="written after the rollback")
    with pytest.raises(ServiceError) as stopped:
        services.seal_pending()
    assert stopped.value.code == "rolled_back" and "10" in stopped.value.message
    assert services.seal_due(timezone.now() + timedelta(days=1)) == -1
    assert Checkpoint.objects.count() == 1  # nothing signed over the rewritten history
    assert AuditRecord.objects.filter(detail="written after the rollback").exists()  # writing goes on


def test_the_sm3_profile_seals_and_verifies_and_cannot_be_switched_later(db):
    with override_settings(AUDIT_HASH="sm3"):
        for number in range(3):
            services.record("test.event", detail=str(number))
        services.seal_pending()
        assert Checkpoint.objects.get().hash_name == "sm3"
        assert verify().ok
    services.record("test.event")
    with pytest.raises(ServiceError) as refused:
        services.seal_pending()
    assert refused.value.code == "hash_changed"
    with translation.override("en"):
        result = verify()
    assert not result.ok and "sm3" in result.problem
