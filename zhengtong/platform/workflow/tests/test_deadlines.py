"""Step deadlines from workdays, yellow and red cards, automatic decisions, durable timers."""

from datetime import timedelta

import pytest

from zhengtong.platform.notices.models import Notice
from zhengtong.platform.workdays import services as workdays
from zhengtong.platform.workflow import deadlines, definitions, services
from zhengtong.platform.workflow.models import Action, ProcessInstance, WorkItem
from zhengtong.platform.workflow.tests.test_actions import STEP, people  # noqa: F401  (fixture)


def timed_process(on_timeout="remind"):
    step = STEP.format(id="review", name="审核", assignee="user:bob", mode="single", ratio="1").replace(
        '<spiffworkflow:property name="mode"',
        f'<spiffworkflow:property name="deadline" value="2wd"/><spiffworkflow:property name="on_timeout" value="{on_timeout}"/>'
        '<spiffworkflow:property name="mode"')
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="timed" isExecutable="true"><bpmn:startEvent id="start"/>{step}
    <bpmn:userTask id="sign" name="签批"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="assignee" value="user:cat"/></spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/><bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="sign"/>
    <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="end"/><bpmn:endEvent id="end"/></bpmn:process></bpmn:definitions>"""
    definitions.store_version(key="timed", name="限时审核", process_id="timed", bpmn_xml=xml, form=[], source="uploaded")


@pytest.fixture
def timed(people):  # noqa: F811
    timed_process()
    instance = services.start(acting_user=people["author"], key="timed", title="限时事项")
    return instance, WorkItem.objects.get(instance=instance, state=WorkItem.State.OPEN)


def test_a_step_deadline_comes_from_the_working_day_calendar(timed):
    instance, item = timed
    assert item.due_at is not None and item.warn_at is not None
    assert item.created_at < item.warn_at < item.due_at
    assert (item.deadline, item.clock_started_at) == ("2wd", item.created_at)
    assert (item.timer, item.timer_at) == ("warn", item.warn_at)


def test_yellow_then_red_each_exactly_once(timed):
    instance, item = timed
    assert deadlines.run_due(item.warn_at + timedelta(seconds=1)) == 1
    assert deadlines.run_due(item.warn_at + timedelta(seconds=2)) == 0
    assert deadlines.run_due(item.due_at + timedelta(seconds=1)) == 1
    assert deadlines.run_due(item.due_at + timedelta(days=3)) == 0
    cards = Notice.objects.filter(target=f"workflow.item:{item.pk}", title__contains="牌").order_by("id").values_list("title", flat=True)
    assert [title.split("：")[0] for title in cards] == ["黄牌预警", "红牌超期"]
    assert list(Action.objects.filter(instance=instance, kind__in=("remind", "escalate")).values_list("kind", flat=True)) == [
        "remind", "escalate"]


def test_a_timer_whose_work_crashed_fires_on_the_next_round_and_only_once(timed, monkeypatch):
    instance, item = timed
    calls = []

    def crash(item, instance, now):
        calls.append(item.pk)
        raise RuntimeError("worker died mid-way")

    monkeypatch.setattr(deadlines, "_fire", crash)
    with pytest.raises(RuntimeError):
        deadlines.run_due(item.warn_at + timedelta(seconds=1))
    item.refresh_from_db()
    assert (item.timer, item.timer_at) == ("warn", item.warn_at)
    monkeypatch.undo()
    assert deadlines.run_due(item.warn_at + timedelta(seconds=1)) == 1
    assert deadlines.run_due(item.warn_at + timedelta(seconds=1)) == 0
    assert Action.objects.filter(instance=instance, kind="remind").count() == 1


def test_a_finished_step_cancels_its_timers_and_stops_its_clock(timed, people):  # noqa: F811
    instance, item = timed
    services.approve(acting_user=people["bob"], item_id=item.pk)
    item.refresh_from_db()
    assert (item.timer, item.timer_at) == ("", None)
    assert deadlines.run_due(item.due_at + timedelta(days=1)) == 0


def test_automatic_approval_on_timeout(people):  # noqa: F811
    timed_process(on_timeout="approve")
    instance = services.start(acting_user=people["author"], key="timed", title="超时自动通过")
    item = WorkItem.objects.get(instance=instance, state=WorkItem.State.OPEN)
    deadlines.run_due(item.due_at + timedelta(seconds=1))
    assert WorkItem.objects.get(instance=instance, state=WorkItem.State.OPEN).step_id == "sign"
    assert Action.objects.filter(instance=instance, kind="timeout").exists()


def test_automatic_rejection_on_timeout(people):  # noqa: F811
    timed_process(on_timeout="reject")
    instance = services.start(acting_user=people["author"], key="timed", title="超时自动退回")
    item = WorkItem.objects.get(instance=instance, state=WorkItem.State.OPEN)
    deadlines.run_due(item.due_at + timedelta(seconds=1))
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.REJECTED


def test_a_calendar_change_moves_open_deadlines(timed, sysadmin):
    instance, item = timed
    old_due = item.due_at
    first_day = item.created_at.date() + timedelta(days=1)
    # Make every day from tomorrow to the due date a holiday: the deadline must move later.
    day = first_day
    while day <= old_due.date():
        workdays.set_day(acting_user=sysadmin, day=day, kind="holiday", name="临时调整", origin="local")
        day += timedelta(days=1)
    item.refresh_from_db()
    assert item.due_at > old_due
    assert item.timer_at == item.warn_at > item.created_at
