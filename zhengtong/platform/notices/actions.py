"""Quick actions on notices (同意, 签收 …), declared by the app that owns the work.

The app registers ``fn(user, notice, comment) -> message`` under its app key and an action
code; the notice lists the codes it offers. Running one checks only that the person received
the notice and that it offers the action: the handler calls the app's own service, which makes
its usual access checks, so a notice never grants a right the app would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[Any, Any, str], str]
_HANDLERS: dict[tuple[str, str], Handler] = {}


def register(app: str, code: str, fn: Handler) -> Handler:
    if (app, code) in _HANDLERS and _HANDLERS[(app, code)] is not fn:
        raise ValueError(f"a quick action {app}.{code} is already registered")
    _HANDLERS[(app, code)] = fn
    return fn


def handler(app: str, code: str) -> Handler | None:
    return _HANDLERS.get((app, code))
