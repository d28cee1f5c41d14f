import pytest

from zhengtong.errors import Conflict
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.models import Role
from zhengtong.platform.access.policy import can
from zhengtong.platform.access.services import assign_role
from zhengtong.platform.audit.models import AuditRecord


def test_one_person_cannot_hold_two_administrator_roles(secadmin, sysadmin):
    with pytest.raises(Conflict) as refused:
        assign_role(acting_user=secadmin, user=sysadmin, role=Role.objects.get(code="audit_admin"))
    assert refused.value.code == "separation_of_duties"
    assert not can(sysadmin, perms.VIEW_AUDIT)


def test_audit_administrator_cannot_change_a_role(auditor, clerk):
    from django.core.exceptions import PermissionDenied

    before = AuditRecord.objects.count()
    with pytest.raises(PermissionDenied):
        assign_role(acting_user=auditor, user=clerk, role=Role.objects.get(code="system_admin"))
    assert AuditRecord.objects.count() == before


def test_administrators_hold_no_business_permission(sysadmin, secadmin, auditor):
    for admin in (sysadmin, secadmin, auditor):
        assert not can(admin, perms.USE_BUSINESS_APPS)
