"""The core of the engine: start, staffing by rule, approve and reject, countersigning, skipping."""


import pytest
from django.core.exceptions import PermissionDenied

from conftest import make_person
from zhengtong.errors import Conflict, ServiceError
from zhengtong.platform.directory import services as directory
from zhengtong.platform.directory.models import Department
from zhengtong.platform.workflow import services
from zhengtong.platform.workflow.models import Action, ProcessDefinition, ProcessInstance, WorkItem


@pytest.fixture
def org(db):
    """A unit with a leadership (局长) and an office (主任 heads it; 科员 works in it), plus two colleagues."""
    unit = directory.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    leadership = directory.create_department(acting_user=None, name="局领导", parent=unit, kind=Department.Kind.LEADERSHIP)
    office = directory.create_department(acting_user=None, name="办公室", parent=unit)
    people = {}
    for username, department, leader in (("director", leadership, True), ("chief", office, True), ("staffer", office, False),
                                         ("signer1", office, False), ("signer2", office, False), ("signer3", office, False)):
        people[username] = make_person(username, username, roles=("staff",), clearance=1)
        directory.add_membership(acting_user=None, user=people[username], department=department, is_leader=leader)
    return people


def start(org, amount=500, signers=()):
    return services.start(acting_user=org["staffer"], key="general_approval", title="采购办公用品",
                          data={"reason": "办公用品", "amount": amount, "countersigners": list(signers)})


def open_items(instance, step=None):
    items = WorkItem.objects.filter(instance=instance, state=WorkItem.State.OPEN)
    return list(items.filter(step_id=step) if step else items)


def test_built_in_definition_is_installed_as_version_one(db):
    definition = ProcessDefinition.objects.get(key="general_approval")
    assert (definition.version, definition.is_active, definition.source) == (1, True, "builtin")


def test_start_submits_the_first_step_and_staffs_the_next_by_rule(org):
    instance = start(org)
    assert instance.state == ProcessInstance.State.RUNNING
    [item] = open_items(instance)
    assert (item.step_id, item.assignee.username) == ("review", "chief")
    assert [action.kind for action in instance.actions.all()] == ["start"]
    assert instance.current_steps == "部门负责人审核"


def test_bad_form_values_are_refused_and_nothing_is_started(org):
    with pytest.raises(ServiceError) as refused:
        services.start(acting_user=org["staffer"], key="general_approval", title="t", data={"amount": "lots"})
    assert set(refused.value.fields) == {"amount", "reason"}
    assert not ProcessInstance.objects.exists()


def test_a_small_amount_ends_after_review_and_a_large_one_goes_to_the_leader(org):
    small = start(org, amount=500)
    services.approve(acting_user=org["chief"], item_id=open_items(small)[0].pk, comment="同意")
    small.refresh_from_db()
    assert small.state == ProcessInstance.State.APPROVED
    large = start(org, amount=200000)
    services.approve(acting_user=org["chief"], item_id=open_items(large)[0].pk, comment="同意")
    [item] = open_items(large)
    assert (item.step_id, item.assignee.username) == ("leader", "director")


def test_approving_someone_elses_task_is_forbidden_and_changes_nothing(org):
    instance = start(org)
    [item] = open_items(instance)
    with pytest.raises(PermissionDenied):
        services.approve(acting_user=org["staffer"], item_id=item.pk)
    item.refresh_from_db()
    assert item.state == WorkItem.State.OPEN
    assert instance.actions.count() == 1


def test_reject_ends_the_process_and_acting_on_a_closed_process_is_refused(org):
    instance = start(org)
    [item] = open_items(instance)
    with pytest.raises(ServiceError):
        services.reject(acting_user=org["chief"], item_id=item.pk, comment="")
    services.reject(acting_user=org["chief"], item_id=item.pk, comment="预算不足")
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.REJECTED
    with pytest.raises(Conflict):
        services.approve(acting_user=org["chief"], item_id=item.pk)


def test_countersign_needs_everyone_by_default(org):
    instance = start(org, signers=("signer1", "signer2"))
    services.approve(acting_user=org["chief"], item_id=open_items(instance)[0].pk)
    signers = open_items(instance, "countersign")
    assert {item.assignee.username for item in signers} == {"signer1", "signer2"}
    services.approve(acting_user=signers[0].assignee, item_id=signers[0].pk, comment="同意")
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.RUNNING
    services.approve(acting_user=signers[1].assignee, item_id=signers[1].pk, comment="同意")
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.APPROVED


def test_the_initiator_as_approver_passes_automatically_when_the_step_says_so(org):
    instance = services.start(acting_user=org["chief"], key="general_approval", title="主任自己的申请",
                              data={"reason": "x", "amount": 1})
    # The chief heads the office, so his department head is the director, not himself.
    [item] = open_items(instance)
    assert item.assignee.username == "director"
    assert not Action.objects.filter(instance=instance, kind="auto_pass").exists()


def test_an_empty_countersign_step_is_skipped(org):
    instance = start(org, signers=())
    services.approve(acting_user=org["chief"], item_id=open_items(instance)[0].pk)
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.APPROVED
    assert Action.objects.filter(instance=instance, kind="skip", step_id="countersign").exists()


def test_a_person_who_leaves_hands_their_open_work_to_their_department_head(org, django_capture_on_commit_callbacks):
    from zhengtong.platform.directory import services as directory_services

    instance = start(org, signers=("signer1", "signer2"))
    services.approve(acting_user=org["chief"], item_id=open_items(instance)[0].pk)
    with django_capture_on_commit_callbacks(execute=True):
        directory_services.disable_person(acting_user=None, user=org["signer1"], reason="调离")
    assert sorted(item.assignee.username for item in open_items(instance, "countersign")) == ["chief", "signer2"]
    handover = Action.objects.get(instance=instance, kind="reassign")
    assert handover.data == {"from": "signer1", "to": "chief", "why": "left"}
