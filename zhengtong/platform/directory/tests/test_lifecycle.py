"""A person leaving: disabled not deleted, sessions and tokens ended, person_left for the handover."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from zhengtong.errors import ServiceError
from zhengtong.platform.accounts.models import UserSession
from zhengtong.platform.accounts.services import create_token
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.directory import services
from zhengtong.platform.directory.models import ChangeEvent, Department, Membership
from zhengtong.platform.directory.signals_lifecycle import person_left


@pytest.fixture
def departed(db: Any) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []

    def receive(sender: Any, **details: Any) -> None:
        received.append(details)

    person_left.connect(receive)
    yield received
    person_left.disconnect(receive)


def test_leaving_ends_sessions_and_tokens_and_announces_it(clerk: Any, sysadmin: Any, departed: list[dict[str, Any]],
                                                           django_capture_on_commit_callbacks: Any) -> None:
    unit = services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    services.add_membership(acting_user=None, user=clerk, department=unit)
    browser = Client()
    assert browser.post("/accounts/sign-in/", {"username": "clerk", "password": "Zt-Test-Pass-2026!"}).status_code == 302
    assert UserSession.objects.filter(user=clerk).exists()
    _token, secret = create_token(user=clerk, name="phone", scopes=["read"], days=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.disable_person(acting_user=sysadmin, user=clerk, reason="调离")
        assert departed == []  # only once committed
    assert len(callbacks) == 1
    assert departed == [{"user": clerk, "acting_user": sysadmin, "reason": "调离", "signal": person_left}]
    clerk.refresh_from_db()
    assert not clerk.is_active and clerk.disabled_at is not None
    assert not UserSession.objects.filter(user=clerk).exists() and Session.objects.count() == 0
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/accounts/me").status_code == 401
    assert Membership.objects.filter(user=clerk).exists()  # history stays
    assert ChangeEvent.objects.filter(entity="person", action="disabled").count() == 1
    assert AuditRecord.objects.filter(action="directory.person_disabled", actor_id=sysadmin.pk, detail="调离").exists()
    # Once is enough: disabling again changes and announces nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.disable_person(acting_user=sysadmin, user=clerk)
    assert len(departed) == 1 and ChangeEvent.objects.filter(action="disabled").count() == 1


def test_return_and_refusals(clerk: Any, sysadmin: Any, head: Any) -> None:
    with pytest.raises(ServiceError):
        services.disable_person(acting_user=sysadmin, user=sysadmin)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.disable_person(acting_user=head, user=clerk)
    services.disable_person(acting_user=sysadmin, user=clerk)
    services.enable_person(acting_user=sysadmin, user=clerk)
    clerk.refresh_from_db()
    assert clerk.is_active
    assert list(ChangeEvent.objects.filter(entity="person").values_list("action", flat=True)) == ["disabled", "enabled"]
    assert AuditRecord.objects.filter(action="directory.person_enabled").count() == 1


def test_a_receiver_failure_does_not_undo_the_departure(clerk: Any, django_capture_on_commit_callbacks: Any) -> None:
    def broken(sender: Any, **details: Any) -> None:
        raise RuntimeError("workflow is down")

    person_left.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.disable_person(acting_user=None, user=clerk)
    finally:
        person_left.disconnect(broken)
    clerk.refresh_from_db()
    assert not clerk.is_active


def test_a_moved_department_takes_its_subtree(db: Any) -> None:
    unit = services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    office = services.create_department(acting_user=None, name="办公室", parent=unit)
    section = services.create_department(acting_user=None, name="综合科", parent=office)
    info = services.create_department(acting_user=None, name="信息中心", parent=unit)
    services.update_department(acting_user=None, department=office, parent=info)
    section.refresh_from_db()
    assert section.path == f"/{unit.pk}/{info.pk}/{office.pk}/{section.pk}/" and section.depth == 3
    assert ChangeEvent.objects.filter(entity_id=str(office.pk)).last().action == "moved"  # type: ignore[union-attr]
