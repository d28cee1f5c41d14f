"""The questions workflow assignment and pages ask of the organisation."""

import pytest

from conftest import make_person
from zhengtong.errors import ServiceError
from zhengtong.platform.directory import queries, services
from zhengtong.platform.directory.models import Department, Person


def dept(name, parent=None, kind=Department.Kind.DEPARTMENT):
    return services.create_department(acting_user=None, name=name, parent=parent, kind=kind)


def place(person, department, post_name="科员", **flags):
    post = services.create_post(acting_user=None, department=department, name=f"{post_name}{person.pk}")
    return services.add_membership(acting_user=None, user=person, department=department, post=post, **flags)


@pytest.fixture
def org(db):
    """市水务局 → 局领导 (局长, 副局长); 执法总队 (总队长, 副总队长) → 一支队 (支队长, 队员); 办公室 (主任, 科员)."""
    unit = dept("市水务局", kind=Department.Kind.UNIT)
    leadership = dept("局领导", unit, Department.Kind.LEADERSHIP)
    corps = dept("执法总队", unit)
    squad = dept("一支队", corps)
    office = dept("办公室", unit)
    people = {name: make_person(name, name, roles=("staff",)) for name in
              ("director", "deputy_director", "corps_head", "corps_deputy", "squad_head", "officer", "office_head", "clerk2")}
    place(people["director"], leadership, "局长", is_leader=True)
    place(people["deputy_director"], leadership, "副局长", is_deputy=True)
    place(people["corps_head"], corps, "总队长", is_leader=True)
    place(people["corps_deputy"], corps, "副总队长", is_deputy=True)
    place(people["squad_head"], squad, "支队长", is_leader=True)
    place(people["officer"], squad)
    place(people["office_head"], office, "主任", is_leader=True)
    place(people["clerk2"], office)
    # 一人多职: the office head also heads the squad.
    place(people["office_head"], squad, "支队长", is_leader=True, is_primary=False)
    return {"unit": unit, "leadership": leadership, "corps": corps, "squad": squad, "office": office, **people}


def names(people):
    return [person.username for person in people]


def test_department_head_is_the_leader_one_level_up(org):
    assert set(names(queries.department_head(org["officer"]))) == {"squad_head", "office_head"}
    assert names(queries.department_head(org["clerk2"])) == ["office_head"]
    # A head reports to the level above; the unit's level is its leadership.
    assert names(queries.department_head(org["squad_head"])) == ["corps_head"]
    assert names(queries.department_head(org["corps_head"])) == ["director"]
    assert names(queries.department_head(org["deputy_director"])) == ["director"]
    assert queries.department_head(org["director"]) == []


def test_leader_n_levels_up(org):
    officer = org["officer"]
    assert set(names(queries.leader_levels_up(officer, 1))) == {"squad_head", "office_head"}
    assert names(queries.leader_levels_up(officer, 2)) == ["corps_head"]
    assert names(queries.leader_levels_up(officer, 3)) == ["director"]
    assert queries.leader_levels_up(officer, 4) == []


def test_an_explicit_superior_answers_level_one(org):
    Person.objects.create(user=org["clerk2"], superior=org["deputy_director"])
    assert names(queries.department_head(org["clerk2"])) == ["deputy_director"]
    assert names(queries.leader_levels_up(org["clerk2"], 2)) == ["director"]


def test_multi_post_people_and_their_departments(org):
    assert [d.name for d in queries.departments_of(org["office_head"])] == ["办公室", "一支队"]
    assert set(names(queries.heads_of(org["squad"]))) == {"squad_head", "office_head"}
    assert names(queries.deputies_of(org["corps"])) == ["corps_deputy"]


def test_unit_leaders_and_subtree_and_holders(org):
    assert names(queries.unit_leaders(org["officer"])) == ["director"]
    assert names(queries.heads_of(org["unit"], with_deputies=True)) == ["director", "deputy_director"]
    assert set(names(queries.people_in_subtree(org["corps"]))) == {"corps_head", "corps_deputy", "squad_head", "officer", "office_head"}
    post = org["officer"].memberships.get().post
    assert names(queries.holders_of_post(post)) == ["officer"]


def test_moving_a_department_moves_its_subtree(org):
    services.update_department(acting_user=None, department=org["squad"], parent=org["office"])
    squad = Department.objects.get(pk=org["squad"].pk)
    assert squad.path == f"{org['office'].path}{squad.pk}/"
    assert set(names(queries.people_in_subtree(org["office"]))) >= {"officer", "squad_head"}
    assert "officer" not in names(queries.people_in_subtree(org["corps"]))
    assert names(queries.leader_levels_up(org["officer"], 2)) == ["office_head"]
    assert names(queries.leader_levels_up(org["officer"], 3)) == ["director"]


def test_a_department_cannot_move_into_its_own_subtree(org):
    with pytest.raises(ServiceError):
        services.update_department(acting_user=None, department=org["corps"], parent=org["squad"])
    assert Department.objects.get(pk=org["corps"].pk).parent_id == org["unit"].pk
