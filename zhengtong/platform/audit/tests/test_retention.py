"""The retention purge removes a prefix down to a checkpoint, says so in the trail, and keeps it verifiable."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone, translation

from zhengtong.errors import ServiceError
from zhengtong.platform.audit import services
from zhengtong.platform.audit.models import AuditRecord, Checkpoint, Outcome
from zhengtong.platform.audit.verification import verify


@pytest.fixture
def aged(seal):
    """#1–#6 written 400 days ago (sealed then as #1–#3 and #4–#6), #7–#10 today."""
    with time_machine.travel(timezone.now() - timedelta(days=400), tick=False):
        for half in range(2):
            for number in range(3):
                services.record("test.old", detail=f"old {half}.{number}")
            seal()
    for number in range(4):
        services.record("test.new", detail=f"new {number}")
    seal()


def _purge(seal_callbacks, **kwargs):
    with seal_callbacks(execute=True), override_settings(AUDIT_RETENTION_DAYS=180):
        return services.purge_expired(**kwargs)


def test_the_purge_goes_down_to_a_checkpoint_and_leaves_a_verifiable_trail(aged, django_capture_on_commit_callbacks):
    assert _purge(django_capture_on_commit_callbacks) == 6
    assert not AuditRecord.objects.filter(seq__lte=6).exists()
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [6, 10, 11]  # the floor on, the last the purge's own
    purge = AuditRecord.objects.get(action="audit.purged")
    assert purge.changes == {"floor": [0, 6]} and purge.outcome == Outcome.SUCCESS and purge.seq == 11
    result = verify()
    assert result.ok and result.checked == 5  # #7–#10 and the purge's own record, from the floor's frontier
    assert _purge(django_capture_on_commit_callbacks) == 0


def test_the_purge_never_cuts_inside_a_checkpoint(seal, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now() - timedelta(days=400), tick=False):
        for number in range(3):
            services.record("test.old", detail=str(number))
        seal()
        services.record("test.old", detail="sealed together with a new one")
    services.record("test.new")
    seal()
    assert _purge(django_capture_on_commit_callbacks) == 3  # #4 is old, but its checkpoint also holds #5
    assert verify().ok


def test_the_purge_refuses_a_trail_that_does_not_verify(aged):
    AuditRecord.objects.filter(seq=2).update(detail="edited")
    with pytest.raises(ServiceError) as refused, translation.override("en"):
        services.purge_expired(now=timezone.now() + timedelta(days=3650))
    assert refused.value.code == "chain_broken" and "#2" in refused.value.message
    assert AuditRecord.objects.filter(seq=1).exists()
    assert AuditRecord.objects.filter(action="audit.purged", outcome=Outcome.FAILURE).exists()


def test_a_record_forged_below_the_floor_is_named(aged, django_capture_on_commit_callbacks):
    _purge(django_capture_on_commit_callbacks)
    AuditRecord.objects.bulk_create([AuditRecord(seq=2, occurred_at=timezone.now(), action="x", mac="0" * 64)])
    with translation.override("en"):
        result = verify()
    assert not result.ok and result.first_bad_seq == 2 and "below the floor" in result.problem


def test_raising_the_floor_without_a_purge_is_named(aged, django_capture_on_commit_callbacks):
    _purge(django_capture_on_commit_callbacks)
    # Removing more of the oldest records together with their checkpoint: the sealed purge still names 6.
    AuditRecord.objects.filter(seq__lte=10).delete()
    Checkpoint.objects.filter(size=6).delete()
    with translation.override("en"):
        result = verify()
    assert not result.ok and "floor" in result.problem
