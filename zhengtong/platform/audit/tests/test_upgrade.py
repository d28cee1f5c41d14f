"""Upgrading from the hash chain: the kept records become pending, and the first sealing covers them all."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.utils import timezone

from zhengtong.platform.audit import services
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.audit.verification import verify

upgrade = importlib.import_module("zhengtong.platform.audit.migrations.0002_sealed_checkpoints")


def test_records_of_the_old_chain_are_kept_and_sealed_by_the_first_round(db):
    # As the old chain left them after a purge: #3 onwards, numbered, with no MAC.
    AuditRecord.objects.bulk_create(AuditRecord(seq=seq, occurred_at=timezone.now(), actor_name="clerk", action="test.old",
                                                detail=f"before the upgrade {seq}") for seq in (3, 4, 5))
    upgrade.authenticate_and_unseal(apps, None)

    kept = list(AuditRecord.objects.order_by("pk"))
    assert [(entry.detail, entry.seq) for entry in kept] == [(f"before the upgrade {seq}", None) for seq in (3, 4, 5)]
    assert verify().ok and verify().pending == 3
    assert services.seal_pending() == 3
    assert list(AuditRecord.objects.order_by("pk").values_list("seq", flat=True)) == [1, 2, 3]
    result = verify()
    assert result.ok and (result.checked, result.pending) == (3, 0)
