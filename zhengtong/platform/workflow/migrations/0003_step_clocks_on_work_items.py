"""A step's clock and its next timer move onto its work items; the engine state gets a version.

Open items take their clock's terms and start from the workdays clock they had, and their next
pending timer from the timer rows, which then go.
"""

from django.db import migrations, models

UNIT_SUFFIX = {"working_days": "wd", "natural_days": "d", "hours": "h"}
TIMER_ORDER = ("warn", "overdue", "timeout")


def move_clocks_and_timers(apps, schema_editor):
    WorkItem = apps.get_model("workflow", "WorkItem")
    Timer = apps.get_model("workflow", "Timer")
    Clock = apps.get_model("workdays", "Clock")
    open_states = ("open", "waiting", "delegated")
    clocks = {clock.pk: clock for clock in Clock.objects.filter(
        pk__in=WorkItem.objects.filter(state__in=open_states, clock_id__isnull=False).values("clock_id"))}
    for item in WorkItem.objects.filter(state__in=open_states, clock_id__isnull=False):
        clock = clocks.get(item.clock_id)
        if clock is not None:
            item.deadline = f"{clock.amount}{UNIT_SUFFIX.get(clock.unit, 'wd')}"
            item.clock_started_at = clock.started_at
        pending = sorted(Timer.objects.filter(work_item=item, state="pending"), key=lambda timer: TIMER_ORDER.index(timer.kind))
        if pending:
            item.timer = "warn" if pending[0].kind == "warn" else "overdue"
            item.timer_at = pending[0].due_at
        item.save(update_fields=["deadline", "clock_started_at", "timer", "timer_at"])


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_timer_kinds"), ("workdays", "0001_initial")]

    operations = [
        migrations.AddField(model_name="processinstance", name="engine_version", field=models.BigIntegerField(default=0)),
        migrations.AddField(model_name="workitem", name="clock_started_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="workitem", name="deadline", field=models.CharField(blank=True, max_length=10)),
        migrations.AddField(model_name="workitem", name="timer", field=models.CharField(
            blank=True, choices=[("warn", "Yellow card"), ("overdue", "Red card and escalation")], max_length=10)),
        migrations.AddField(model_name="workitem", name="timer_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(move_clocks_and_timers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="processinstance", name="clock_id"),
        migrations.RemoveField(model_name="workitem", name="clock_id"),
        migrations.DeleteModel(name="Timer"),
        migrations.AddIndex(model_name="workitem", index=models.Index(fields=["timer_at"], name="workflow_timer_idx")),
    ]
