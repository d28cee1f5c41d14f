"""The workflow API: the permission matrix, and fields a step hides never leave the server."""

import json

import pytest

from conftest import make_person
from zhengtong.platform.workflow import definitions, services
from zhengtong.platform.workflow.models import WorkItem
from zhengtong.testing import assert_access_matrix

XML = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="hr" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="apply"/>
    <bpmn:userTask id="apply" name="申请">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="assignee" value="initiator"/>
        <spiffworkflow:property name="fields" value='{"reason": "edit", "salary_note": "hidden"}'/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="hr_review"/>
    <bpmn:userTask id="hr_review" name="人事审核">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="assignee" value="user:hrofficer"/>
        <spiffworkflow:property name="fields" value='{"reason": "view", "salary_note": "edit"}'/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="hr_review" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def hr(db):
    definitions.store_version(key="hr", name="人事事项", process_id="hr", bpmn_xml=XML, source="uploaded",
                              form=[{"name": "reason", "type": "text", "required": True}, {"name": "salary_note", "type": "text"}])
    return {"officer": make_person("hrofficer", "人事专员", roles=("staff",), clearance=1)}


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_start_and_act_through_the_api(api_for, clerk, hr):
    response = post(api_for(clerk), "/api/workflow/instances", {"key": "hr", "title": "调岗申请", "data": {"reason": "工作需要"}})
    assert response.status_code == 201, response.content
    instance_id = response.json()["id"]
    todo = api_for(hr["officer"]).get("/api/workflow/todo").json()["items"]
    assert [(item["instance"], item["step"]) for item in todo] == [(instance_id, "hr_review")]
    approved = post(api_for(hr["officer"]), f"/api/workflow/items/{todo[0]['id']}/approve",
                    {"comment": "同意", "data": {"salary_note": "薪级不变"}})
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"
    trace = api_for(clerk).get(f"/api/workflow/instances/{instance_id}/trace").json()
    assert [step["kind"] for step in trace] == ["start", "approve", "complete"]


def test_the_api_says_what_each_person_may_do_now(api_for, clerk, hr):
    started = post(api_for(clerk), "/api/workflow/instances", {"key": "hr", "title": "调岗申请", "data": {"reason": "工作需要"}})
    instance_id = started.json()["id"]
    officer = api_for(hr["officer"]).get(f"/api/workflow/instances/{instance_id}").json()
    assert officer["operations"] == ["approve", "reject", "return", "transfer", "delegate", "add_signer", "copy"]
    assert officer["return_targets"] == [{"step": "apply", "name": "申请"}]
    initiator = api_for(clerk).get(f"/api/workflow/instances/{instance_id}").json()
    assert initiator["operations"] == ["withdraw", "cancel", "remind", "copy"]
    item = officer["open_item"]
    post(api_for(hr["officer"]), f"/api/workflow/items/{item}/approve", {"comment": "同意"})
    assert api_for(clerk).get(f"/api/workflow/instances/{instance_id}").json()["operations"] == ["copy"]


def test_a_field_hidden_from_a_step_is_never_sent_to_its_people(api_for, clerk, hr):
    instance = services.start(acting_user=clerk, key="hr", title="调岗申请", data={"reason": "工作需要"})
    item = WorkItem.objects.get(instance=instance)
    services.approve(acting_user=hr["officer"], item_id=item.pk, data={"salary_note": "薪级不变"})
    seen_by_applicant = api_for(clerk).get(f"/api/workflow/instances/{instance.pk}")
    assert "salary_note" not in seen_by_applicant.json()["values"]
    assert "薪级不变" not in seen_by_applicant.content.decode()
    seen_by_officer = api_for(hr["officer"]).get(f"/api/workflow/instances/{instance.pk}").json()
    assert seen_by_officer["values"]["salary_note"] == "薪级不变"


def test_a_step_cannot_change_a_field_it_may_only_view(api_for, clerk, hr):
    instance = services.start(acting_user=clerk, key="hr", title="调岗申请", data={"reason": "工作需要"})
    item = WorkItem.objects.get(instance=instance)
    response = post(api_for(hr["officer"]), f"/api/workflow/items/{item.pk}/approve", {"data": {"reason": "改掉"}})
    assert response.status_code == 422
    assert "reason" in response.json()["fields"]
    instance.refresh_from_db()
    assert instance.data["reason"] == "工作需要"


def test_permission_matrix(client_for, api_for, clerk, outsider, auditor, hr):
    instance = services.start(acting_user=clerk, key="hr", title="调岗申请", data={"reason": "工作需要"})
    item = WorkItem.objects.get(instance=instance)
    assert_access_matrix(api_for, "GET", f"/api/workflow/instances/{instance.pk}", allowed=[clerk, hr["officer"]],
                         hidden=[outsider, auditor])
    assert_access_matrix(api_for, "POST", f"/api/workflow/items/{item.pk}/approve", data={"comment": "x"},
                         hidden=[outsider], denied=[clerk], allowed=[hr["officer"]])
    assert_access_matrix(api_for, "POST", "/api/workflow/instances", data={"key": "hr", "title": "t", "data": {"reason": "r"}},
                         denied=[auditor], allowed=[outsider], allowed_status=201)


def test_marking_a_process_that_does_not_exist_as_read_is_a_404(api_for, clerk):
    # Found by the API fuzz run (tests/fuzz): it was a 500 from an uncaught DoesNotExist.
    response = api_for(clerk).post("/api/workflow/instances/987654/read")
    assert response.status_code == 404, response.content
    assert response.json() == {"error": "not_found", "message": "没有这个流程。", "fields": {}}


def test_marking_a_process_read_is_not_there_for_one_outside_it(api_for, clerk, outsider, hr):
    instance = services.start(acting_user=clerk, key="hr", title="调岗申请", data={"reason": "工作需要"})
    services.copy(acting_user=clerk, instance_id=instance.pk, usernames=[hr["officer"].username])
    response = post(api_for(outsider), f"/api/workflow/instances/{instance.pk}/read", {})
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert post(api_for(outsider), "/api/workflow/instances/999999/read", {}).status_code == 404
    assert post(api_for(hr["officer"]), f"/api/workflow/instances/{instance.pk}/read", {}).status_code == 204
