"""Workflow throughput beside bare SpiffWorkflow, statements per action, and to-do list latency.

1. The same 5-step BPMN (submit, then four approvals) run by bare SpiffWorkflow — the engine
   alone, its state JSON-serialised and deserialised around every action, as any persistent use
   of it must — and by our services, which also write the action log, the audit record, the
   step's working-day clock and its timers, the to-do entries (and their arrival notices) and the
   devices' events. Both rates, their ratio, and the SQL statements per action (by origin).
2. The to-do list (待办, first page of 20, plus the tab counts) with ``--items`` work items
   across ``--people`` people: p50/p95 over 500 random people.

Usage: .venv/bin/python benchmarks/workflow.py [--postgres] [--runs 200] [--items 1000000] [--people 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import in_process_django, load_average, machine, percentiles  # noqa: E402

PG_DATABASE = "zt_bench_workflow"
STEPS = 4
ACTIONS_PER_RUN = STEPS + 1  # the submission and the approvals
TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="bench5" isExecutable="true"><bpmn:startEvent id="start"/>
    <bpmn:userTask id="draft" name="拟稿"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="assignee" value="initiator"/></spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>
    {steps}{flows}<bpmn:endEvent id="end"/></bpmn:process></bpmn:definitions>"""
STEP = """<bpmn:userTask id="s{n}" name="第{n}步"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="assignee" value="user:approver{n}"/>
      <spiffworkflow:property name="deadline" value="3wd"/></spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>"""


def bpmn() -> str:
    ids = ["start", "draft", *[f"s{n}" for n in range(1, STEPS + 1)], "end"]
    steps = "".join(STEP.format(n=n) for n in range(1, STEPS + 1))
    pairs = enumerate(zip(ids, ids[1:], strict=False))
    links = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>' for i, (a, b) in pairs)
    return BPMN.format(steps=steps, flows=links)


def bare_spiff(runs: int) -> float:
    """Instances/s of the engine alone: create, then for every action deserialise, complete, serialise."""
    from lxml import etree
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    from SpiffWorkflow.util.task import TaskState

    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.ElementTree(etree.fromstring(bpmn().encode())), filename="bench5.bpmn")
    spec = parser.get_spec("bench5")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    started = time.perf_counter()
    for _run in range(runs):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)
        for _action in range(ACTIONS_PER_RUN):
            workflow = serializer.deserialize_json(state)
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data["decision"] = "approved"
            task.run()
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)
        if not workflow.is_completed():
            raise RuntimeError("the bare engine did not finish the process")
    return runs / (time.perf_counter() - started)


def _origin() -> str:
    """The first frame of our own code below the ORM: which part of the platform issued a statement."""
    for frame in reversed(traceback.extract_stack()[:-3]):
        path = frame.filename
        if "/zhengtong/" in path and "/site-packages/" not in path:
            return path.split("/zhengtong/", 1)[1].rsplit(".", 1)[0].replace("/", ".")
    return "other"


def ours(runs: int, *, by_origin: bool) -> tuple[float, float, float, Counter[str]]:
    """Instances/s through the services, statements per action, and (on a second pass) where they come from."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from zhengtong.platform.access.models import Role, RoleAssignment
    from zhengtong.platform.accounts.models import User
    from zhengtong.platform.workflow import definitions, services
    from zhengtong.platform.workflow.models import ProcessInstance, WorkItem

    staff = Role.objects.get(code="staff")
    password = make_password("Bench-Unused-2026!")
    people = {name: User.objects.get_or_create(username=name, defaults={"display_name": name, "password": password, "clearance": 1})[0]
              for name in ["author", *[f"approver{n}" for n in range(1, STEPS + 1)]]}
    for person in people.values():
        RoleAssignment.objects.get_or_create(user=person, role=staff)
    definitions.store_version(key="bench5", name="五步流程", process_id="bench5", bpmn_xml=bpmn(), form=[], source="uploaded")
    statements = control = 0
    origins: Counter[str] = Counter()

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements, control
        statements += 1
        control += sql.lstrip().upper().startswith(TRANSACTION_CONTROL)
        if by_origin:
            origins[_origin()] += 1
        return execute(sql, params, many, context)

    def one_run(number: int) -> None:
        instance = services.start(acting_user=people["author"], key="bench5", title=f"压测 {number}")
        for step in range(1, STEPS + 1):
            item_id = WorkItem.objects.filter(instance=instance, state=WorkItem.State.OPEN).values_list("pk", flat=True).get()
            services.approve(acting_user=people[f"approver{step}"], item_id=item_id, comment="同意")

    one_run(0)  # first use: parsing, caches
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        for run in range(runs):
            one_run(run + 1)
    rate = runs / (time.perf_counter() - started)
    # The benchmark's own lookup of the open task is not the platform's: one statement per approval.
    per_action = (statements - runs * STEPS) / (runs * ACTIONS_PER_RUN)
    per_action_control = control / (runs * ACTIONS_PER_RUN)
    if ProcessInstance.objects.filter(state=ProcessInstance.State.APPROVED).count() < runs:
        raise RuntimeError("not every process finished")
    return rate, per_action, per_action_control, origins


def load_items(items: int, people_count: int) -> list[int]:
    """Bulk-load work items across people: about one in ten open, the rest done."""
    from django.db import transaction
    from django.utils import timezone

    from zhengtong.platform.accounts.models import User
    from zhengtong.platform.workflow.models import ProcessDefinition, ProcessInstance, WorkItem

    rng = random.Random(7)
    definition = ProcessDefinition.objects.get(key="bench5")
    now = timezone.now()
    with transaction.atomic():
        User.objects.bulk_create((User(username=f"p{i:05d}", display_name=f"人员{i}", password="!", clearance=1)
                                  for i in range(people_count)), batch_size=5000)
    ids = list(User.objects.filter(username__startswith="p").values_list("pk", flat=True))
    per_instance = STEPS + 1
    batch = 10_000
    for start in range(0, items, batch * per_instance):
        with transaction.atomic():
            count = min(batch, (items - start) // per_instance)
            instances = ProcessInstance.objects.bulk_create(
                ProcessInstance(definition=definition, title=f"批量事项 {start + i}", initiator_id=rng.choice(ids),
                                started_at=now - dt.timedelta(minutes=start + i)) for i in range(count))
            WorkItem.objects.bulk_create(
                (WorkItem(instance=instance, step_id=f"s{n}", step_name=f"第{n}步", engine_task_id="bench", assignee_id=rng.choice(ids),
                          state=WorkItem.State.OPEN if rng.random() < 0.1 else WorkItem.State.DONE,
                          created_at=now - dt.timedelta(minutes=rng.randrange(500_000)),
                          due_at=now + dt.timedelta(days=rng.randrange(-5, 15)))
                 for instance in instances for n in range(per_instance)), batch_size=5000)
        print(f"  loaded {min(start + batch * per_instance, items):,} work items", file=sys.stderr)
    return ids


def todo_latency(ids: list[int], samples: int) -> tuple[float, float]:
    from zhengtong.platform.accounts.models import User
    from zhengtong.platform.workflow import queries

    rng = random.Random(11)
    timings = []
    for pk in rng.sample(ids, samples):
        user = User.objects.get(pk=pk)
        begin = time.perf_counter()
        page = list(queries.todo(user)[:20])
        queries.counts(user)
        timings.append((time.perf_counter() - begin) * 1000)
        if any(item.assignee_id != pk for item in page):
            raise RuntimeError("the to-do list returned someone else's work")
    return percentiles(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--items", type=int, default=1_000_000, help="work items for the to-do list latency (0: skip)")
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()
    bare = bare_spiff(args.runs)
    with in_process_django(PG_DATABASE, postgres=args.postgres) as engine:
        print(f"# Workflow benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}, {engine}, load {load_average()}")
        rate, per_action, control, _origins = ours(args.runs, by_origin=False)
        print(f"5-step process, {ACTIONS_PER_RUN} actions a run, {args.runs} runs")
        print(f"  bare SpiffWorkflow (JSON state around every action): {bare:.1f} instances/s")
        print(f"  ours (audit, action log, clocks, timers, to-dos, events): {rate:.1f} instances/s = {rate / bare:.2f} x bare; "
              f"{per_action:.1f} SQL statements per action, of which {per_action - control:.1f} read or write rows and "
              f"{control:.1f} are transaction control (BEGIN, SAVEPOINT, RELEASE)")
        *_rest, origins = ours(max(5, args.runs // 20), by_origin=True)
        total = sum(origins.values())
        print("  statements by origin: " + ", ".join(f"{name} {count / total:.0%}" for name, count in origins.most_common(8)))
        if args.items:
            begin = time.perf_counter()
            ids = load_items(args.items, args.people)
            print(f"loaded {args.items:,} work items across {args.people:,} people in {time.perf_counter() - begin:.0f} s")
            p50, p95 = todo_latency(ids, 500)
            print(f"to-do list (first 20 + tab counts): p50 {p50:.2f} ms, p95 {p95:.2f} ms over 500 people")


if __name__ == "__main__":
    main()
