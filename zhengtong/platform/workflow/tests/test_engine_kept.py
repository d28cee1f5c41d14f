"""A process keeps its engine in memory between operations only while the engine's version in the
database is the one it saved: another process's save, a rollback or a restore makes it read afresh."""

from zhengtong.platform.workflow import engine, services
from zhengtong.platform.workflow.models import ProcessInstance, WorkItem
from zhengtong.platform.workflow.tests.test_actions import four_steps, people  # noqa: F401  (fixture)


def open_item(instance, username):
    return WorkItem.objects.get(instance=instance, assignee__username=username, state=WorkItem.State.OPEN)


def test_a_kept_engine_is_used_only_while_its_version_stands(people, django_capture_on_commit_callbacks):  # noqa: F811
    four_steps()
    with django_capture_on_commit_callbacks(execute=True):
        instance = services.start(acting_user=people["author"], key="four", title="并行的保管")
    stored = ProcessInstance.objects.get(pk=instance.pk)
    kept = engine.load(stored)  # the start's own engine, kept after its commit
    assert engine.load(stored) is not kept  # taken out: a second reader gets its own
    with django_capture_on_commit_callbacks(execute=True):
        engine.keep(stored, kept)
    assert engine.load(stored) is kept
    with django_capture_on_commit_callbacks(execute=True):
        engine.keep(stored, kept)
    # Another server process decides and saves: the version this one kept no longer stands.
    ProcessInstance.objects.filter(pk=instance.pk).update(engine_version=stored.engine_version + 1)
    assert engine.load(ProcessInstance.objects.get(pk=instance.pk)) is not kept
    # What the operations see is the database's state, whatever was kept: the process goes on correctly.
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(acting_user=people["ann"], item_id=open_item(instance, "ann").pk)
        services.approve(acting_user=people["bob"], item_id=open_item(instance, "bob").pk)
    assert open_item(instance, "cat").step_id == "third"


def test_a_rolled_back_operation_keeps_nothing(people, django_capture_on_commit_callbacks):  # noqa: F811
    four_steps()
    with django_capture_on_commit_callbacks(execute=True):
        instance = services.start(acting_user=people["author"], key="four", title="回滚")
    item = open_item(instance, "ann")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.approve(acting_user=people["bob"], item_id=item.pk)  # not bob's: refused, rolled back
    except Exception:  # noqa: BLE001, S110  (the refusal is the point)
        pass
    services.approve(acting_user=people["ann"], item_id=item.pk)
    assert open_item(instance, "bob").step_id == "second"
