"""Every action on a four-step process, including the illegal ones."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from conftest import make_person
from zhengtong.errors import Conflict, ServiceError
from zhengtong.platform.access.models import Role
from zhengtong.platform.access.services import assign_role
from zhengtong.platform.workflow import definitions, services
from zhengtong.platform.workflow.models import Action, Copy, ProcessInstance, WorkItem

STEP = """
    <bpmn:userTask id="{id}" name="{name}">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="assignee" value="{assignee}"/>
        <spiffworkflow:property name="mode" value="{mode}"/>
        <spiffworkflow:property name="pass_ratio" value="{ratio}"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>"""


def four_steps(second_mode="single", second_people="bob", ratio="1"):
    """draft (initiator) → first (ann) → second (by mode) → third (cat)."""
    steps = [("draft", "拟稿", "initiator", "single"), ("first", "核稿", "user:ann", "single"),
             ("second", "会签", f"user:{second_people}", second_mode), ("third", "签发", "user:cat", "single")]
    body = "".join(STEP.format(id=i, name=n, assignee=a, mode=m, ratio=ratio) for i, n, a, m in steps)
    flows = "".join(f'<bpmn:sequenceFlow id="f{k}" sourceRef="{s}" targetRef="{t}"/>' for k, (s, t) in enumerate(
        zip(["start", "draft", "first", "second", "third"], ["draft", "first", "second", "third", "end"], strict=True)))
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="dan" targetNamespace="t">
  <bpmn:process id="four" isExecutable="true"><bpmn:startEvent id="start"/>{body}{flows}<bpmn:endEvent id="end"/></bpmn:process>
</bpmn:definitions>"""
    return definitions.store_version(key="four", name="四步", process_id="four", bpmn_xml=xml,
                                     form=[{"name": "note", "type": "text"}], source="uploaded")


@pytest.fixture
def people(db):
    return {name: make_person(name, name, roles=("staff",), clearance=1) for name in ("author", "ann", "bob", "cat", "dan", "eve")}


def start(people, **kwargs):
    four_steps(**kwargs)
    return services.start(acting_user=people["author"], key="four", title="关于防汛工作的通知", data={"note": "x"})


def item_of(instance, username, state=WorkItem.State.OPEN):
    return WorkItem.objects.get(instance=instance, assignee__username=username, state=state)


def approve(people, instance, username, **kwargs):
    return services.approve(acting_user=people[username], item_id=item_of(instance, username).pk, **kwargs)


def open_steps(instance):
    return sorted(WorkItem.objects.filter(instance=instance, state=WorkItem.State.OPEN).values_list("step_id", "assignee__username"))


def test_straight_through(people):
    instance = start(people)
    for username in ("ann", "bob", "cat"):
        approve(people, instance, username, comment="同意")
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.APPROVED
    assert [a.kind for a in instance.actions.all()] == ["start", "approve", "approve", "approve", "complete"]


def test_any_one_decides_and_the_others_close(people):
    instance = start(people, second_mode="any", second_people="bob,dan")
    approve(people, instance, "ann")
    approve(people, instance, "dan")
    assert open_steps(instance) == [("third", "cat")]
    with pytest.raises(Conflict):
        services.approve(acting_user=people["bob"], item_id=WorkItem.objects.get(instance=instance, assignee__username="bob").pk)


def test_countersign_with_a_pass_ratio(people):
    instance = start(people, second_mode="all", second_people="bob,dan,eve", ratio="0.6")
    approve(people, instance, "ann")
    services.reject(acting_user=people["bob"], item_id=item_of(instance, "bob").pk, comment="不同意")
    approve(people, instance, "dan")
    assert ("third", "cat") not in open_steps(instance)
    approve(people, instance, "eve")
    assert open_steps(instance) == [("third", "cat")]


def test_countersign_fails_when_the_ratio_can_no_longer_be_reached(people):
    instance = start(people, second_mode="all", second_people="bob,dan,eve", ratio="0.6")
    approve(people, instance, "ann")
    services.reject(acting_user=people["bob"], item_id=item_of(instance, "bob").pk, comment="不同意")
    services.reject(acting_user=people["dan"], item_id=item_of(instance, "dan").pk, comment="不同意")
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.REJECTED
    assert not WorkItem.objects.filter(instance=instance, state=WorkItem.State.OPEN).exists()


def test_sequential_signers_one_after_another(people):
    instance = start(people, second_mode="sequential", second_people="bob,dan")
    approve(people, instance, "ann")
    assert open_steps(instance) == [("second", "bob")]
    approve(people, instance, "bob")
    assert open_steps(instance) == [("second", "dan")]
    approve(people, instance, "dan")
    assert open_steps(instance) == [("third", "cat")]


def test_claim_takes_the_task_from_the_pool(people):
    instance = start(people, second_mode="claim", second_people="bob,dan")
    approve(people, instance, "ann")
    services.claim(acting_user=people["dan"], item_id=item_of(instance, "dan").pk)
    assert open_steps(instance) == [("second", "dan")]
    approve(people, instance, "dan")
    assert open_steps(instance) == [("third", "cat")]


def test_add_a_signer_before_me(people):
    instance = start(people)
    approve(people, instance, "ann")
    mine = item_of(instance, "bob")
    services.add_signers(acting_user=people["bob"], item_id=mine.pk, usernames=["dan"], before=True, comment="请先阅")
    mine.refresh_from_db()
    assert mine.state == WorkItem.State.WAITING
    approve(people, instance, "dan")
    assert open_steps(instance) == [("second", "bob")]
    approve(people, instance, "bob")
    assert open_steps(instance) == [("third", "cat")]


def test_add_a_signer_after_me_and_remove_them_again(people):
    instance = start(people)
    approve(people, instance, "ann")
    [added] = services.add_signers(acting_user=people["bob"], item_id=item_of(instance, "bob").pk, usernames=["dan"], before=False)
    approve(people, instance, "bob")
    assert open_steps(instance) == [("second", "dan")]
    with pytest.raises(PermissionDenied):
        services.remove_signer(acting_user=people["cat"], item_id=added.pk)
    services.remove_signer(acting_user=people["bob"], item_id=added.pk, comment="无需会签")
    assert open_steps(instance) == [("third", "cat")]


def test_transfer_hands_the_decision_on(people):
    instance = start(people)
    approve(people, instance, "ann")
    services.transfer(acting_user=people["bob"], item_id=item_of(instance, "bob").pk, to="eve", comment="请代为办理")
    assert open_steps(instance) == [("second", "eve")]
    approve(people, instance, "eve")
    assert open_steps(instance) == [("third", "cat")]


def test_delegation_comes_back(people):
    instance = start(people)
    approve(people, instance, "ann")
    mine = item_of(instance, "bob")
    services.delegate(acting_user=people["bob"], item_id=mine.pk, to="eve", comment="请提出意见")
    theirs = item_of(instance, "eve")
    with pytest.raises(Conflict):
        services.approve(acting_user=people["eve"], item_id=theirs.pk)
    services.hand_back(acting_user=people["eve"], item_id=theirs.pk, comment="建议同意")
    assert open_steps(instance) == [("second", "bob")]
    approve(people, instance, "bob")
    assert open_steps(instance) == [("third", "cat")]


def test_return_to_the_initiator_who_resubmits(people):
    instance = start(people)
    approve(people, instance, "ann")
    services.return_to(acting_user=people["bob"], item_id=item_of(instance, "bob").pk, step_id="draft", comment="请补充材料")
    assert open_steps(instance) == [("draft", "author")]
    services.approve(acting_user=people["author"], item_id=item_of(instance, "author").pk, data={"note": "已补充"})
    instance.refresh_from_db()
    assert instance.data["note"] == "已补充"
    assert open_steps(instance) == [("first", "ann")]


def test_return_to_the_previous_step_and_not_to_one_never_reached(people):
    instance = start(people)
    approve(people, instance, "ann")
    mine = item_of(instance, "bob")
    with pytest.raises(ServiceError):
        services.return_to(acting_user=people["bob"], item_id=mine.pk, step_id="third", comment="x")
    mine.refresh_from_db()
    assert mine.state == WorkItem.State.OPEN
    services.return_to(acting_user=people["bob"], item_id=mine.pk, step_id="first", comment="请重新核稿")
    assert open_steps(instance) == [("first", "ann")]


def test_withdraw_while_the_next_step_has_not_acted(people):
    instance = start(people)
    approve(people, instance, "ann")
    services.withdraw(acting_user=people["ann"], instance_id=instance.pk, comment="有误，收回")
    assert open_steps(instance) == [("first", "ann")]
    approve(people, instance, "ann")
    approve(people, instance, "bob")
    with pytest.raises(Conflict):
        services.withdraw(acting_user=people["ann"], instance_id=instance.pk)
    assert open_steps(instance) == [("third", "cat")]


def test_the_initiator_withdraws_after_submitting(people):
    instance = start(people)
    services.withdraw(acting_user=people["author"], instance_id=instance.pk)
    assert open_steps(instance) == [("draft", "author")]


def test_cancel_terminate_and_acting_on_a_closed_process(people):
    instance = start(people)
    with pytest.raises(PermissionDenied):
        services.cancel(acting_user=people["ann"], instance_id=instance.pk, comment="x")
    services.cancel(acting_user=people["author"], instance_id=instance.pk, comment="不再需要")
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.CANCELLED
    item = WorkItem.objects.get(instance=instance, assignee__username="ann")
    with pytest.raises(Conflict):
        services.approve(acting_user=people["ann"], item_id=item.pk)
    other = start(people)
    with pytest.raises(PermissionDenied):
        services.terminate(acting_user=people["ann"], instance_id=other.pk, comment="x")
    manager_role = Role.objects.create(code="process_admin", name="流程管理员", permissions=["workflow.manage"])
    assign_role(acting_user=None, user=people["eve"], role=manager_role)
    services.terminate(acting_user=people["eve"], instance_id=other.pk, comment="重复提交")
    other.refresh_from_db()
    assert other.state == ProcessInstance.State.TERMINATED


@override_settings(WORKFLOW_REMIND_MINUTES=30)
def test_remind_is_rate_limited(people):
    instance = start(people)
    reminded = services.remind(acting_user=people["author"], instance_id=instance.pk, comment="请尽快")
    assert [item.assignee.username for item in reminded] == ["ann"]
    with pytest.raises(Conflict) as again:
        services.remind(acting_user=people["author"], instance_id=instance.pk)
    assert again.value.code == "too_soon"
    with pytest.raises(PermissionDenied):
        services.remind(acting_user=people["ann"], instance_id=instance.pk)


def test_copies_with_read_state(people):
    instance = start(people)
    services.copy(acting_user=people["author"], instance_id=instance.pk, usernames=["dan", "eve"], circulate=True)
    assert Copy.objects.filter(instance=instance, read_at__isnull=True).count() == 2
    assert services.mark_read(acting_user=people["dan"], instance_id=instance.pk) == 1
    assert list(Copy.objects.filter(instance=instance, read_at__isnull=True).values_list("user__username", flat=True)) == ["eve"]
    assert Action.objects.filter(instance=instance, kind="read", actor=people["dan"]).exists()


def test_standing_delegation_routes_new_work_to_the_delegate(people):
    today = timezone.localdate()
    services.delegate_while_away(acting_user=people["ann"], to="dan", starts_on=today, ends_on=today + dt.timedelta(days=3), reason="出差")
    instance = start(people)
    item = item_of(instance, "dan")
    assert (item.step_id, item.principal.username) == ("first", "ann")
    services.approve(acting_user=people["dan"], item_id=item.pk, comment="代为同意")
    action = Action.objects.get(instance=instance, kind="approve")
    assert (action.actor.username, action.on_behalf_of.username) == ("dan", "ann")


def test_an_administrator_reassigns_a_stuck_task(people):
    instance = start(people)
    item = item_of(instance, "ann")
    with pytest.raises(PermissionDenied):
        services.reassign(acting_user=people["bob"], item_id=item.pk, to="eve", comment="x")
    manager_role = Role.objects.create(code="process_admin", name="流程管理员", permissions=["workflow.manage"])
    assign_role(acting_user=None, user=people["cat"], role=manager_role)
    services.reassign(acting_user=people["cat"], item_id=item.pk, to="eve", comment="a 已调离")
    assert open_steps(instance) == [("first", "eve")]


def test_a_new_version_leaves_running_instances_on_theirs(people):
    running = start(people)
    manager_role = Role.objects.create(code="process_admin", name="流程管理员", permissions=["workflow.manage"])
    assign_role(acting_user=None, user=people["eve"], role=manager_role)
    current = running.definition
    xml = current.bpmn_xml.replace('name="签发"', 'name="局长签发"')
    with pytest.raises(PermissionDenied):
        services.upload_definition(acting_user=people["ann"], key="four", name="四步", process_id="four", bpmn_xml=xml, form=current.form)
    newer = services.upload_definition(acting_user=people["eve"], key="four", name="四步", process_id="four", bpmn_xml=xml,
                                       form=current.form)
    assert newer.version == current.version + 1
    for username in ("ann", "bob"):
        approve(people, running, username)
    assert WorkItem.objects.get(instance=running, state=WorkItem.State.OPEN).step_name == "签发"
    fresh = services.start(acting_user=people["author"], key="four", title="新通知", data={"note": "x"})
    assert fresh.definition == newer


def test_an_invalid_upload_is_refused_with_the_reason(people):
    four_steps()
    manager_role = Role.objects.create(code="process_admin", name="流程管理员", permissions=["workflow.manage"])
    assign_role(acting_user=None, user=people["eve"], role=manager_role)
    with pytest.raises(ServiceError) as refused:
        services.upload_definition(acting_user=people["eve"], key="four", name="四步", process_id="four",
                                   bpmn_xml="<not-bpmn/>", form=[])
    assert refused.value.code == "invalid_definition"
    evil = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'
    with pytest.raises(ServiceError):
        services.upload_definition(acting_user=people["eve"], key="four", name="四步", process_id="four", bpmn_xml=evil, form=[])
    assert definitions.active("four").version == 1


def test_conditions_run_in_a_sandbox(people):
    from zhengtong.platform.workflow.sandbox import SandboxError, assignments, evaluate

    assert evaluate("amount >= 100000 and len(items) == 2", {"amount": 200000, "items": [1, 2]}) is True
    for attack in ('__import__("os").system("id")', 'open("/etc/passwd").read()', "().__class__.__bases__[0].__subclasses__()"):
        with pytest.raises(SandboxError):
            evaluate(attack, {})
    with pytest.raises(SandboxError):
        assignments("import os")
    assert assignments("total = amount * 2") == [("total", "amount * 2")]
