"""What an app does when a step of its own process is decided, inside the deciding transaction.

A 公文's number is taken when its 登记 step is approved, whoever approves it and from wherever
(the document page, the workbench, the approvals app): the app registers the side effect here
instead of hoping every caller goes through its own pages. A hook that raises refuses the
decision and rolls it back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# hook(instance=, step_id=, decision=, acting_user=, comment=): ``decision`` is approved or rejected
# for a decided step, returned (退回) or withdrawn (撤回) with ``step_id`` the step the process goes back to.
StepHook = Callable[..., None]
_STEP_HOOKS: dict[str, StepHook] = {}


def on_step_decided(process_key: str, hook: StepHook) -> None:
    _STEP_HOOKS[process_key] = hook


def step_decided(instance: Any, step_id: str, decision: str, acting_user: Any, comment: str) -> None:
    hook = _STEP_HOOKS.get(instance.definition.key)
    if hook is not None:
        hook(instance=instance, step_id=step_id, decision=decision, acting_user=acting_user, comment=comment)
