"""Signals the workflow sends after commit, for the message center and apps to listen to.

``work_opened(item)``: someone has new work; ``work_reminded(item, by)``: a reminder (催办);
``work_overdue(item, level)``: yellow or red; ``instance_finished(instance)``: the process ended;
``instance_changed(instance)``: anything happened to the process (an action was logged) — the
cue for denormalised copies such as the workbench to refresh this instance's rows.
The engine itself never notifies anyone: the message center subscribes (DESIGN: every
notification goes through ``notices``).
"""

from django.dispatch import Signal

work_opened = Signal()
work_reminded = Signal()
work_overdue = Signal()
instance_finished = Signal()
instance_changed = Signal()
