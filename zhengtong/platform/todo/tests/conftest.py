from collections.abc import Callable
from typing import Any

import pytest

from conftest import make_person
from zhengtong.platform.workflow import definitions, services
from zhengtong.platform.workflow.models import ProcessInstance, WorkItem

STEP = """<bpmn:userTask id="{id}" name="{name}"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="assignee" value="{assignee}"/><spiffworkflow:property name="mode" value="{mode}"/>
  </spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>"""


def two_steps() -> None:
    """draft (initiator) → check (ann, or ann and bob countersigning when ``both``) → sign (cat)."""
    steps = [("draft", "拟稿", "initiator", "single"), ("check", "核稿", "field:checkers", "all"), ("sign", "签发", "user:cat", "single")]
    body = "".join(STEP.format(id=i, name=n, assignee=a, mode=m) for i, n, a, m in steps)
    ids = ["start", "draft", "check", "sign", "end"]
    pairs = enumerate(zip(ids, ids[1:], strict=False))
    flows = "".join(f'<bpmn:sequenceFlow id="f{k}" sourceRef="{s}" targetRef="{t}"/>' for k, (s, t) in pairs)
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="wb" isExecutable="true"><bpmn:startEvent id="start"/>{body}{flows}<bpmn:endEvent id="end"/></bpmn:process>
</bpmn:definitions>"""
    definitions.store_version(key="wb", name="两步", process_id="wb", bpmn_xml=xml,
                              form=[{"name": "checkers", "type": "people"}, {"name": "urgency", "type": "text"}], source="uploaded")


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    two_steps()
    return {name: make_person(name, name.title(), roles=("staff",), clearance=1) for name in ("author", "ann", "bob", "cat")}


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """``committed(fn, ...)``: call ``fn`` and run what it left for after the commit, as in production."""

    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def start(people: dict[str, Any], committed: Callable[..., Any]) -> Callable[..., ProcessInstance]:
    def begin(title: str = "关于防汛工作的通知", checkers: tuple[str, ...] = ("ann",), urgency: str = "") -> ProcessInstance:
        return committed(services.start, acting_user=people["author"], key="wb", title=title,
                         data={"checkers": list(checkers), "urgency": urgency})

    return begin


def item_of(instance: ProcessInstance, username: str) -> WorkItem:
    return WorkItem.objects.get(instance=instance, assignee__username=username, state=WorkItem.State.OPEN)


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are asserted in English whatever the default language."""
    from django.utils import translation

    with translation.override("en"):
        yield
