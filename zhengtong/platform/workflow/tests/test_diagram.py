from zhengtong.platform.workflow import diagram, queries, services
from zhengtong.platform.workflow.models import WorkItem
from zhengtong.platform.workflow.tests.test_engine import org, start  # noqa: F401  (fixture)


def test_the_diagram_marks_done_current_and_pending_steps(org):  # noqa: F811
    instance = start(org, amount=200000)
    services.approve(acting_user=org["chief"], item_id=WorkItem.objects.get(instance=instance).pk)
    states = queries.step_states(instance)
    assert states == {"apply": "done", "review": "done", "countersign": "done", "leader": "current"}
    svg = diagram.render(instance.definition.bpmn_xml, states)
    assert svg.startswith("<svg")
    assert 'data-step="leader"' in svg and 'data-state="current"' in svg
    assert svg.count('data-state="done"') == 3
    assert "分管领导审批" in svg
