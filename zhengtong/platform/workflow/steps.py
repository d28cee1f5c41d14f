"""What a step means to the app whose process it is: handlers declared with the BPMN definition.

A user task names its handler (``<spiffworkflow:property name="handler" value="documents.register"/>``)
and so may the process (on ``<bpmn:process>``); the app's manifest maps the name to a ``Step``
(``AppManifest.step_handlers``). Inside the transaction that decides the step:

- ``approved`` — the step's handler, when the step is approved (by people or by its timer);
- ``rejected`` — the step's handler if it has one, else the process's: the process ends rejected;
- ``undone`` — when the process goes back (退回 to a step, 撤回 by the last to act), the handler of
  every step taken again, latest first: what the step did is undone before it is done again.

A handler that raises refuses the decision and rolls it back. No app tests step ids itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhengtong.platform import registry
from zhengtong.platform.workflow.definitions import parsed


@dataclass(frozen=True)
class StepEvent:
    instance: Any
    step_id: str
    acting_user: Any
    comment: str


class Step:
    """An app's handler: override what the step means for the app's record; the rest do nothing."""

    def approved(self, event: StepEvent) -> None:
        """The step was approved."""

    def rejected(self, event: StepEvent) -> None:
        """The step was rejected and the process ends."""

    def undone(self, event: StepEvent) -> None:
        """The process went back to this step or before it."""


def _handler(name: str) -> Step | None:
    return registry.current().step_handler(name) if name else None


def approved(instance: Any, step_id: str, acting_user: Any, comment: str) -> None:
    handler = _handler(parsed(instance.definition).steps[step_id].handler)
    if handler is not None:
        handler.approved(StepEvent(instance, step_id, acting_user, comment))


def rejected(instance: Any, step_id: str, acting_user: Any, comment: str) -> None:
    process = parsed(instance.definition)
    handler = _handler(process.steps[step_id].handler)
    if handler is None or type(handler).rejected is Step.rejected:
        handler = _handler(process.handler)
    if handler is not None:
        handler.rejected(StepEvent(instance, step_id, acting_user, comment))


def undone(instance: Any, step_ids: list[str], acting_user: Any, comment: str) -> None:
    """``step_ids``: the steps to be taken again, in the order they were taken; undone latest first."""
    steps = parsed(instance.definition).steps
    for step_id in reversed(step_ids):
        handler = _handler(steps[step_id].handler)
        if handler is not None:
            handler.undone(StepEvent(instance, step_id, acting_user, comment))
