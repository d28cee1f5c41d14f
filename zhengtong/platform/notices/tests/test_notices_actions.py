"""Quick actions run through the owning app's service, and the workflow's 催办 and cards arrive as notices."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from conftest import make_person
from zhengtong.errors import ServiceError
from zhengtong.platform.notices import services
from zhengtong.platform.notices.models import Notice, NoticeRecipient
from zhengtong.platform.workflow import definitions
from zhengtong.platform.workflow import services as workflow
from zhengtong.platform.workflow.models import ProcessInstance, WorkItem

XML = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="one" isExecutable="true"><bpmn:startEvent id="start"/>
    <bpmn:userTask id="check" name="审核"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="assignee" value="user:ann"/></spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/><bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end"/>
  <bpmn:endEvent id="end"/></bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def people(db):
    return {name: make_person(name, name, roles=("staff",), clearance=1) for name in ("author", "ann", "bob")}


@pytest.fixture
def item(people):
    definitions.store_version(key="one", name="一步", process_id="one", bpmn_xml=XML, form=[], source="uploaded")
    instance = workflow.start(acting_user=people["author"], key="one", title="采购申请")
    return WorkItem.objects.get(instance=instance, assignee=people["ann"], state=WorkItem.State.OPEN)


def test_remind_reaches_the_handler_as_a_notice_with_approve(people, item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.remind(acting_user=people["author"], instance_id=item.instance_id, comment="请尽快")
    notice = Notice.objects.get(target=f"workflow.item:{item.pk}", sender=people["author"])
    assert notice.sender == people["author"] and notice.priority == "urgent" and notice.category == "approval"
    assert "采购申请" in notice.title and notice.link == f"/workflow/instances/{item.instance_id}/"
    assert list(notice.recipients.values_list("user__username", flat=True)) == ["ann"]
    assert services.run_action(user=people["ann"], notice_id=notice.pk, code="approve", comment="同意") == "已同意。"
    item.instance.refresh_from_db()
    assert item.instance.state == ProcessInstance.State.APPROVED
    assert NoticeRecipient.objects.get(notice=notice).read_at is not None


def test_a_quick_action_is_refused_to_those_who_may_not_act(people, item):
    # A notice with the approve action sent to bob, who is not the handler: the workflow refuses.
    notice = services.notify(sender=None, to=[people["bob"]], title="请看", category="approval", app="workflow",
                             quick_actions=[{"code": "approve", "label": "同意"}], target=f"workflow.item:{item.pk}")
    with pytest.raises(PermissionDenied):
        services.run_action(user=people["bob"], notice_id=notice.pk, code="approve")
    assert NoticeRecipient.objects.get(notice=notice).read_at is None
    # ann may act, but did not receive this notice: it does not exist for her.
    with pytest.raises(Http404):
        services.run_action(user=people["ann"], notice_id=notice.pk, code="approve")
    with pytest.raises(ServiceError):
        services.run_action(user=people["bob"], notice_id=notice.pk, code="reject")
    item.refresh_from_db()
    assert item.state == WorkItem.State.OPEN


def test_yellow_and_red_cards_become_notices(people, item, head):
    from zhengtong.platform.workflow import reminders

    reminders.yellow_card(item)
    reminders.red_card(item, ["head"])
    yellow, red = Notice.objects.filter(target=f"workflow.item:{item.pk}", title__contains="牌").order_by("id")
    assert yellow.priority == "normal" and list(yellow.recipients.values_list("user__username", flat=True)) == ["ann"]
    assert red.priority == "urgent" and sorted(red.recipients.values_list("user__username", flat=True)) == ["ann", "head"]
