from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from zhengtong.platform.audit import services
from zhengtong.platform.audit.models import AuditRecord, Checkpoint
from zhengtong.platform.audit.verification import verify
from zhengtong.platform.ledger import note


@pytest.fixture
def trail(seal):
    for number in range(5):
        services.record("test.event", detail=str(number))
    seal()
    services.record("test.event", detail="pending")


def test_audit_verify_reports_an_intact_trail_and_what_is_pending(trail, capsys):
    call_command("audit_verify")
    assert "5 sealed records verified, 1 pending" in capsys.readouterr().out


def test_audit_verify_exits_1_and_names_the_first_bad_record(trail):
    AuditRecord.objects.filter(seq=3).update(detail="edited")
    with pytest.raises(CommandError) as failed:
        call_command("audit_verify")
    assert failed.value.returncode == 1
    assert "#3" in str(failed.value)


def test_audit_verify_exit_status_as_run_from_the_shell(trail, capsys):
    AuditRecord.objects.filter(seq=5).delete()
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "audit_verify"]).execute()
    assert exited.value.code == 1
    assert "#5" in capsys.readouterr().err


def test_audit_verify_gives_the_verifier_key_others_check_checkpoints_with(trail, capsys):
    call_command("audit_verify", "--verifier-key")
    verifier = note.Verifier.from_vkey(capsys.readouterr().out.strip())
    assert note.Checkpoint.open(Checkpoint.objects.get().note, verifier).size == 5


def test_audit_purge_uses_the_retention_setting(trail, capsys, django_capture_on_commit_callbacks):
    with override_settings(AUDIT_RETENTION_DAYS=180):
        call_command("audit_purge")
        assert "removed 0" in capsys.readouterr().out
    # Two years on, everything sealed is past retention.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_expired(now=timezone.now() + timedelta(days=730)) == 6
    assert verify().ok


def test_audit_purge_refuses_a_broken_trail(trail):
    AuditRecord.objects.filter(seq=5).delete()
    with pytest.raises(CommandError) as failed:
        call_command("audit_purge")
    assert failed.value.returncode == 1
