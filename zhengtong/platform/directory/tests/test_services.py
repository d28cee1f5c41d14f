from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from zhengtong.errors import ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.directory import queries, services
from zhengtong.platform.directory.models import Department, Membership


@pytest.fixture
def unit(db: Any) -> Department:
    return services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT, external_id="u1")


def test_tree_of_any_depth_in_display_order(unit: Department) -> None:
    office = services.create_department(acting_user=None, name="办公室", parent=unit, order=2)
    planning = services.create_department(acting_user=None, name="规划计划处", parent=unit, order=1)
    section = services.create_department(acting_user=None, name="综合科", parent=office)
    team = services.create_department(acting_user=None, name="值班组", parent=section)
    assert list(queries.children(unit)) == [planning, office]
    assert queries.ancestors(team) == [unit, office, section, team]
    assert AuditRecord.objects.filter(action="directory.department_created").count() == 5


def test_department_needs_a_parent_and_unique_identifiers(unit: Department) -> None:
    with pytest.raises(ServiceError):
        services.create_department(acting_user=None, name="孤儿处")
    services.create_department(acting_user=None, name="甲", parent=unit, code="A", external_id="")
    services.create_department(acting_user=None, name="乙", parent=unit, code="", external_id="")
    with pytest.raises(ServiceError) as refused:
        services.create_department(acting_user=None, name="丙", parent=unit, code="A")
    assert "code" in refused.value.fields
    assert Department.objects.count() == 3


def test_move_takes_the_subtree_and_refuses_its_own_subtree(unit: Department) -> None:
    office = services.create_department(acting_user=None, name="办公室", parent=unit)
    section = services.create_department(acting_user=None, name="综合科", parent=office)
    other = services.create_department(acting_user=None, name="信息中心", parent=unit)
    with pytest.raises(ServiceError):
        services.update_department(acting_user=None, department=office, parent=section)
    with pytest.raises(ServiceError):
        services.update_department(acting_user=None, department=office, parent=office)
    services.update_department(acting_user=None, department=office, parent=other, name="办公室（新）")
    section.refresh_from_db()
    assert [node.name for node in queries.ancestors(section)] == ["市水务局", "信息中心", "办公室（新）", "综合科"]
    change = AuditRecord.objects.filter(action="directory.department_updated").get()
    assert change.changes["name"] == ["办公室", "办公室（新）"]


def test_memberships_one_primary(unit: Department, clerk: Any) -> None:
    office = services.create_department(acting_user=None, name="办公室", parent=unit)
    info = services.create_department(acting_user=None, name="信息中心", parent=unit)
    head_post = services.create_post(acting_user=None, department=office, name="主任")
    first = services.add_membership(acting_user=None, user=clerk, department=office, post=head_post, is_leader=True)
    second = services.add_membership(acting_user=None, user=clerk, department=info)
    assert first.is_primary and not second.is_primary
    third = services.add_membership(acting_user=None, user=clerk, department=unit, is_primary=True)
    assert list(Membership.objects.filter(user=clerk, is_primary=True)) == [third]
    assert queries.primary_department(clerk) == unit
    with pytest.raises(ServiceError):
        services.add_membership(acting_user=None, user=clerk, department=office, post=head_post)
    with pytest.raises(ServiceError):
        services.add_membership(acting_user=None, user=clerk, department=info, post=head_post)


@pytest.mark.skipif(not connection.features.supports_partial_indexes, reason="the database ignores conditional constraints")
def test_database_refuses_a_second_primary(unit: Department, clerk: Any) -> None:
    services.add_membership(acting_user=None, user=clerk, department=unit)
    office = services.create_department(acting_user=None, name="办公室", parent=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=clerk, department=office, is_primary=True)


def test_changes_need_account_management(unit: Department, clerk: Any, sysadmin: Any, secadmin: Any) -> None:
    for person in (clerk, secadmin):
        with pytest.raises(PermissionDenied):
            services.create_department(acting_user=person, name="处", parent=unit)
        with pytest.raises(PermissionDenied):
            services.add_membership(acting_user=person, user=clerk, department=unit)
    office = services.create_department(acting_user=sysadmin, name="办公室", parent=unit)
    services.add_membership(acting_user=sysadmin, user=clerk, department=office)
    assert AuditRecord.objects.filter(action="directory.membership_added", actor_id=sysadmin.pk).exists()
    assert not Membership.objects.filter(department=unit).exists()
