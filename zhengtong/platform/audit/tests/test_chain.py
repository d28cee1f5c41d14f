"""The hash chain: every edit, insertion or deletion is detected and named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from zhengtong.errors import ServiceError
from zhengtong.platform.audit import services
from zhengtong.platform.audit.models import AppendOnlyError, AuditHead, AuditRecord, Outcome


@pytest.fixture
def chain(db):
    """Ten records, #1 to #10."""
    return [services.record("test.event", actor_name="tester", detail=f"event {n}", changes={"n": [n - 1, n]}) for n in range(1, 11)]


def test_an_untouched_chain_verifies(chain):
    result = services.verify(batch_size=3)  # several batches
    assert result.ok and result.checked == 10


def test_an_empty_trail_verifies(db):
    assert services.verify().ok


def test_editing_a_field_in_the_database_is_named(chain):
    AuditRecord.objects.filter(seq=4).update(detail="nothing happened")
    result = services.verify()
    assert not result.ok and result.first_bad_seq == 4 and "#4" in result.problem


@pytest.mark.parametrize("field, value", [("actor_name", "someone else"), ("outcome", Outcome.FAILURE), ("changes", {"n": [0, 0]}),
                                          ("occurred_at", timezone.now() - timedelta(days=1))])
def test_every_chained_field_is_covered(chain, field, value):
    AuditRecord.objects.filter(seq=7).update(**{field: value})
    assert services.verify().first_bad_seq == 7


def test_deleting_a_record_in_the_middle_is_named(chain):
    AuditRecord.objects.filter(seq=5).delete()
    result = services.verify()
    assert not result.ok and result.first_bad_seq == 5 and "#5" in result.problem


def test_deleting_the_last_record_is_named(chain):
    AuditRecord.objects.filter(seq=10).delete()
    result = services.verify()
    assert not result.ok and result.first_bad_seq == 10


def test_winding_the_head_back_after_deleting_the_last_record_is_detected(chain):
    AuditRecord.objects.filter(seq=10).delete()
    AuditHead.objects.filter(pk=1).update(last_seq=9, last_hash=chain[8].hash)
    result = services.verify()
    assert not result.ok and result.first_bad_seq is None  # the head itself is the bad part


def test_a_forged_record_after_the_head_is_named(chain):
    last = chain[-1]
    AuditRecord.objects.bulk_create([AuditRecord(
        seq=11, occurred_at=timezone.now(), actor_name="intruder", action="test.event", prev_hash=last.hash, hash="0" * 64,
    )])
    result = services.verify()
    assert not result.ok and result.first_bad_seq == 11


def test_a_forged_replacement_with_a_wrong_key_is_named(chain):
    original = AuditRecord.objects.get(seq=3)
    AuditRecord.objects.filter(seq=3).delete()
    with override_settings(AUDIT_CHAIN_KEY="not-the-key"):
        forged = AuditRecord(seq=3, occurred_at=original.occurred_at, actor_name="intruder", action="test.event",
                             prev_hash=original.prev_hash)
        forged.hash = services._digest(services._chained_values(forged))
        forged.save()
    assert services.verify().first_bad_seq == 3


def test_a_record_forged_below_the_floor_is_named(chain):
    services.purge_expired(now=timezone.now() + timedelta(days=3650))
    AuditRecord.objects.bulk_create([AuditRecord(seq=2, occurred_at=timezone.now(), action="x", prev_hash="", hash="0" * 64)])
    assert services.verify().first_bad_seq == 2


def test_the_model_refuses_changes_and_deletion(chain):
    entry = AuditRecord.objects.get(seq=1)
    entry.detail = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_purge_keeps_the_chain_verifiable_and_is_audited(chain):
    AuditRecord.objects.filter(seq__lte=6).update(occurred_at=timezone.now() - timedelta(days=400))
    # Re-chain the aged records so the chain is sound before the purge (update bypasses the HMAC).
    _rehash_all()
    with override_settings(AUDIT_RETENTION_DAYS=180):
        removed = services.purge_expired()
    assert removed == 6
    assert not AuditRecord.objects.filter(seq__lte=6).exists()
    result = services.verify()
    assert result.ok and result.checked == 5  # #7..#10 and the purge's own record
    purge = AuditRecord.objects.get(action="audit.purged")
    assert purge.changes == {"floor_seq": [1, 7]} and purge.outcome == Outcome.SUCCESS
    with override_settings(AUDIT_RETENTION_DAYS=180):
        assert services.purge_expired() == 0


def test_purge_removes_only_a_prefix(chain):
    # #3 is old but #2 is not (a clock step back): only #1 may go, or the chain would get a hole.
    AuditRecord.objects.filter(seq__in=[1, 3]).update(occurred_at=timezone.now() - timedelta(days=400))
    _rehash_all()
    with override_settings(AUDIT_RETENTION_DAYS=180):
        assert services.purge_expired() == 1
    assert services.verify().ok


def test_purge_refuses_a_broken_chain(chain):
    AuditRecord.objects.filter(seq=2).update(detail="edited")
    with pytest.raises(ServiceError) as refused:
        services.purge_expired(now=timezone.now() + timedelta(days=3650))
    assert refused.value.code == "chain_broken"
    assert AuditRecord.objects.filter(seq=1).exists()
    assert AuditRecord.objects.filter(action="audit.purged", outcome=Outcome.FAILURE).exists()


def test_secrets_are_masked_at_any_depth(db):
    entry = services.record("test.event", changes={
        "password": ["old-secret", "new-secret"],
        "mfa_secret": ["", "JBSWY3DPEHPK3PXP"],
        "settings": [{"api_key": "k1", "colour": "red"}, {"api_key": "k2", "colour": "blue"}],
        "display_name": ["王小明", "王大明"],
    })
    stored = AuditRecord.objects.get(pk=entry.pk).changes
    assert stored["password"] == [services.MASK, services.MASK]
    assert stored["mfa_secret"] == [services.MASK, services.MASK]
    assert stored["settings"] == [{"api_key": services.MASK, "colour": "red"}, {"api_key": services.MASK, "colour": "blue"}]
    assert stored["display_name"] == ["王小明", "王大明"]
    assert "secret" not in str(stored).replace("mfa_secret", "")


def test_odd_values_survive_the_round_trip(db):
    changes = {"when": [None, timezone.now()], "ratio": [0.1, 2.5], "ids": [{3, 1}, set()]}
    services.record("test.event", actor_name="a\x00b", changes=changes)
    assert services.verify().ok


def test_appends_keep_seq_contiguous_when_transactions_roll_back(db):
    for n in range(6):
        try:
            with transaction.atomic():
                services.record("test.event", detail=f"attempt {n}")
                if n % 2:
                    raise RuntimeError("the change this record describes failed")
        except RuntimeError:
            pass
    assert list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    assert services.verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_seq_contiguous():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("threads cannot share an in-memory SQLite test database")

    def append(n: int) -> int:
        try:
            return services.record("test.concurrent", detail=str(n)).seq
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        seqs = sorted(pool.map(append, range(20)))
    assert seqs == list(range(1, 21))
    assert services.verify().ok


def _rehash_all() -> None:
    """Rebuild the chain after a test moved timestamps (what only the key holder can do)."""
    prev = ""
    for entry in AuditRecord.objects.order_by("seq"):
        entry.prev_hash = prev
        entry.hash = services._digest(services._chained_values(entry))
        AuditRecord.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, hash=entry.hash)
        prev = entry.hash
    head = AuditHead.objects.get(pk=1)
    head.last_hash = prev
    head.seal = services._seal(head)
    head.save()
