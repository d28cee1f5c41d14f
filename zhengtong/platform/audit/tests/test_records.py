"""Writing a record: one INSERT in the caller's transaction, secrets masked, nothing ever changed."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengtong.platform.audit import services
from zhengtong.platform.audit.models import AppendOnlyError, AuditRecord
from zhengtong.platform.audit.verification import verify


def test_a_record_costs_its_transaction_one_insert(db):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        entry = services.record("test.event", actor_name="tester", detail="one")
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["INSERT"]
    assert entry.seq is None and len(entry.mac) == 64


@pytest.mark.django_db(transaction=True)
def test_a_record_outside_any_transaction_is_kept_as_written(client):
    # What a refused request is: recorded after the view's transaction rolled back, in autocommit.
    with CaptureQueriesContext(connection) as queries:
        services.record("access.denied", detail="GET /audit/")
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["INSERT"]
    assert AuditRecord.objects.filter(action="access.denied").exists()
    assert verify().ok and verify().pending == 1


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


def test_odd_values_survive_the_round_trip_and_still_verify(db):
    changes = {"when": [None, timezone.now()], "ratio": [0.1, 2.5], "ids": [{3, 1}, set()]}
    services.record("test.event", actor_name="a\x00b", changes=changes)
    services.seal_pending()
    assert verify().ok


def test_the_model_refuses_changes_and_deletion(db):
    entry = services.record("test.event")
    entry.detail = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
