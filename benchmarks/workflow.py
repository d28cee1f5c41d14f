"""Workflow throughput and to-do list latency.

1. Full runs of a 5-step process (submit, then four approvals), as fast as one process can
   drive the services: instances completed per second.
2. The to-do list (待办, first page of 20, plus the tab counts) with 1,000,000 work items
   across 10,000 people: p50/p95 over 500 random people.

Usage: .venv/bin/python benchmarks/workflow.py [--postgres] [--items 1000000] [--people 10000] [--runs 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import in_process_django, machine, percentiles  # noqa: E402

PG_DATABASE = "zt_bench_workflow"
STEPS = 4
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


def flows() -> tuple[str, str]:
    ids = ["start", "draft", *[f"s{n}" for n in range(1, STEPS + 1)], "end"]
    steps = "".join(STEP.format(n=n) for n in range(1, STEPS + 1))
    pairs = enumerate(zip(ids, ids[1:], strict=False))
    links = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>' for i, (a, b) in pairs)
    return steps, links


def throughput(runs: int) -> float:
    from django.contrib.auth.hashers import make_password

    from zhengtong.platform.access.models import Role, RoleAssignment
    from zhengtong.platform.accounts.models import User
    from zhengtong.platform.workflow import definitions, services
    from zhengtong.platform.workflow.models import WorkItem

    staff = Role.objects.get(code="staff")
    password = make_password("Bench-Unused-2026!")
    people = {name: User.objects.create(username=name, display_name=name, password=password, clearance=1)
              for name in ["author", *[f"approver{n}" for n in range(1, STEPS + 1)]]}
    RoleAssignment.objects.bulk_create(RoleAssignment(user=person, role=staff) for person in people.values())
    steps, links = flows()
    definitions.store_version(key="bench5", name="五步流程", process_id="bench5", bpmn_xml=BPMN.format(steps=steps, flows=links),
                              form=[], source="uploaded")
    started = time.perf_counter()
    for run in range(runs):
        instance = services.start(acting_user=people["author"], key="bench5", title=f"压测 {run}")
        for n in range(1, STEPS + 1):
            item = WorkItem.objects.get(instance=instance, state=WorkItem.State.OPEN)
            services.approve(acting_user=people[f"approver{n}"], item_id=item.pk, comment="同意")
    return runs / (time.perf_counter() - started)


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
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with in_process_django(PG_DATABASE, postgres=args.postgres) as engine:
        print(f"# Workflow benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}, {engine}")
        rate = throughput(args.runs)
        print(f"5-step process (submit + 4 approvals, each with a 3-working-day clock and timers): "
              f"{rate:.1f} instances completed/s over {args.runs} runs")
        begin = time.perf_counter()
        ids = load_items(args.items, args.people)
        print(f"loaded {args.items:,} work items across {args.people:,} people in {time.perf_counter() - begin:.0f} s")
        p50, p95 = todo_latency(ids, 500)
        print(f"to-do list (first 20 + tab counts): p50 {p50:.2f} ms, p95 {p95:.2f} ms over 500 people")


if __name__ == "__main__":
    main()
