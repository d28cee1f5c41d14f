"""Assignment rules resolved through the directory, and the "no one found" policies."""

import pytest

from conftest import make_person
from zhengtong.errors import ServiceError
from zhengtong.platform.access.models import Role
from zhengtong.platform.access.services import assign_role
from zhengtong.platform.directory import services as directory
from zhengtong.platform.directory.models import Department
from zhengtong.platform.workflow import assignment, definitions, services
from zhengtong.platform.workflow.models import Action, ProcessInstance, WorkItem
from zhengtong.platform.workflow.tests.test_actions import STEP


def single_step(assignee, when_empty="admin"):
    step = STEP.format(id="only", name="办理", assignee=assignee, mode="single", ratio="1").replace(
        '<spiffworkflow:property name="mode"', f'<spiffworkflow:property name="when_empty" value="{when_empty}"/>'
        '<spiffworkflow:property name="mode"')
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="one" isExecutable="true"><bpmn:startEvent id="start"/>{step}
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="only"/><bpmn:sequenceFlow id="f2" sourceRef="only" targetRef="end"/>
    <bpmn:endEvent id="end"/></bpmn:process></bpmn:definitions>"""
    definitions.store_version(key="one", name="一步", process_id="one", bpmn_xml=xml,
                              form=[{"name": "handler", "type": "person"}], source="uploaded")


@pytest.fixture
def org(db):
    unit = directory.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    office = directory.create_department(acting_user=None, name="办公室", parent=unit)
    post = directory.create_post(acting_user=None, department=office, name="机要员")
    people = {name: make_person(name, name, roles=("staff",), clearance=1) for name in ("author", "keeper", "member", "helper")}
    directory.add_membership(acting_user=None, user=people["author"], department=office)
    directory.add_membership(acting_user=None, user=people["keeper"], department=office, post=post)
    group = directory.create_group(acting_user=None, name="应急小组")
    directory.add_group_member(acting_user=None, group=group, user=people["member"])
    return {"post": post, "group": group, **people}


def handlers(org, assignee, **start):
    single_step(assignee)
    instance = services.start(acting_user=org["author"], key="one", title="事项", **start)
    return sorted(WorkItem.objects.filter(instance=instance).values_list("assignee__username", flat=True))


def test_rules_by_post_role_group_field_and_choice(org):
    assert handlers(org, f"post:{org['post'].pk}") == ["keeper"]
    assert handlers(org, f"group:{org['group'].pk}") == ["member"]
    assert handlers(org, "group:应急小组") == ["member"]
    assert handlers(org, "field:handler", data={"handler": "helper"}) == ["helper"]
    assert handlers(org, "chosen", chosen=["helper", "member"]) == ["helper", "member"]
    clerks = Role.objects.create(code="duty_clerk", name="值班员", permissions=["staff.use_apps"])
    assign_role(acting_user=None, user=org["helper"], role=clerks)
    assert handlers(org, "role:duty_clerk") == ["helper"]


def test_no_one_found_goes_to_the_process_administrators(org):
    admins = Role.objects.create(code="process_admin", name="流程管理员", permissions=["workflow.manage"])
    assign_role(acting_user=None, user=org["helper"], role=admins)
    assert handlers(org, "user:nobody") == ["helper"]
    assert [person.username for person in assignment.process_administrators()] == ["helper"]


def test_no_one_found_with_the_error_policy_refuses_to_start(org):
    single_step("user:nobody", when_empty="error")
    with pytest.raises(ServiceError) as refused:
        services.start(acting_user=org["author"], key="one", title="事项")
    assert refused.value.code == "no_assignee"
    assert not ProcessInstance.objects.exists()


def test_no_one_found_with_the_skip_policy_passes_the_step(org):
    single_step("user:nobody", when_empty="skip")
    instance = services.start(acting_user=org["author"], key="one", title="事项")
    assert instance.state == ProcessInstance.State.APPROVED
    assert Action.objects.filter(instance=instance, kind="skip").exists()


def test_a_definition_with_an_unknown_rule_is_refused(org):
    with pytest.raises(ServiceError) as refused:
        single_step("oracle:who-knows")
    assert "oracle" in refused.value.message
