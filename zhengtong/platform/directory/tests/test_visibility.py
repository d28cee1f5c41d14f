"""Administrators' restrictions, enforced by the access rules the pages, search and API ask."""

import pytest

from conftest import make_person
from zhengtong.platform.access.policy import can
from zhengtong.platform.directory import services
from zhengtong.platform.directory.models import Department, FieldRestriction
from zhengtong.platform.directory.visibility import VIEW_DEPARTMENT, VIEW_FIELD, Contact, contact_details, viewer_of


@pytest.fixture
def org(db):
    unit = services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    office = services.create_department(acting_user=None, name="办公室", parent=unit)
    secret = services.create_department(acting_user=None, name="保密办", parent=unit, is_confidential=True)
    inner = services.create_department(acting_user=None, name="机要科", parent=secret)
    people = {}
    for username, department, leader in (("boss", office, True), ("colleague", office, False), ("stranger", unit, False),
                                         ("keeper", inner, False)):
        people[username] = make_person(username, username, roles=("staff",))
        services.add_membership(acting_user=None, user=people[username], department=department, is_leader=leader)
    people["boss"].mobile = "13900000001"
    people["boss"].save()
    return {"office": office, "secret": secret, "inner": inner, **people}


def contact_of(person):
    return Contact(person, list(person.memberships.select_related("department")))


def test_leaders_mobiles_only_for_their_own_department(org):
    FieldRestriction.objects.create(field="mobile", subjects="leaders", audience="same_department")
    boss = contact_of(org["boss"])
    assert can(org["colleague"], VIEW_FIELD["mobile"], boss)
    assert not can(org["stranger"], VIEW_FIELD["mobile"], boss)
    assert contact_details(org["stranger"], boss)["mobile"] is None
    assert contact_details(org["colleague"], boss)["mobile"] == "13900000001"
    assert contact_details(org["boss"], boss)["mobile"] == "13900000001"
    # The e-mail is not restricted.
    assert contact_details(org["stranger"], boss)["email"] == org["boss"].email


def test_a_confidential_department_is_hidden_from_everyone_outside_it(org):
    for department in (org["secret"], org["inner"]):
        department.refresh_from_db()
        assert not can(org["stranger"], VIEW_DEPARTMENT, department)
        assert can(org["keeper"], VIEW_DEPARTMENT, department)
    assert can(org["stranger"], VIEW_DEPARTMENT, org["office"])
    assert viewer_of(org["keeper"]).hidden_paths == []
