from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from zhengtong.platform.audit import services
from zhengtong.platform.audit.models import AuditRecord


@pytest.fixture
def chain(db):
    return [services.record("test.event", detail=str(n)) for n in range(5)]


def test_audit_verify_reports_an_intact_chain(chain, capsys):
    call_command("audit_verify")
    assert "5" in capsys.readouterr().out


def test_audit_verify_exits_1_and_names_the_first_bad_record(chain):
    AuditRecord.objects.filter(seq=3).update(detail="edited")
    with pytest.raises(CommandError) as failed:
        call_command("audit_verify")
    assert failed.value.returncode == 1
    assert "#3" in str(failed.value)


def test_audit_verify_exit_status_as_run_from_the_shell(chain, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        AuditRecord.objects.filter(seq=5).delete()
        ManagementUtility(["manage.py", "audit_verify"]).execute()
    assert exited.value.code == 1
    assert "#5" in capsys.readouterr().err


def test_audit_purge_uses_the_retention_setting(chain, capsys):
    with override_settings(AUDIT_RETENTION_DAYS=180):
        call_command("audit_purge")
        assert "removed 0" in capsys.readouterr().out
    # Two years on, everything but the purge's own record is past retention.
    later = timezone.now() + timedelta(days=730)
    assert services.purge_expired(now=later) == 5
    assert services.verify().ok


def test_audit_purge_refuses_a_broken_chain(chain):
    AuditRecord.objects.filter(seq=5).delete()
    with pytest.raises(CommandError) as failed:
        call_command("audit_purge")
    assert failed.value.returncode == 1
