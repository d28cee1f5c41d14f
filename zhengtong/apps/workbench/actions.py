"""Acting on an entry in place: apps register what can be done from the list, and how.

``register_action(app, code, label, handler)``: ``handler(acting_user, entry, comment)`` runs the
owning app's own service (which checks access, writes its audit record and changes state), so
acting from the workbench is exactly acting in the app. Mirroring the result back into the list
happens through the app's events, as for any other change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from zhengtong.apps.workbench.models import Entry
from zhengtong.errors import ServiceError

Handler = Callable[[Any, Entry, str], None]


@dataclass(frozen=True)
class InPlaceAction:
    app: str
    code: str
    label: Promise | str
    handler: Handler
    # Safe in batch: the same decision with one comment means the same thing for every item.
    batch: bool = False
    comment_required: bool = False


REGISTRY: dict[tuple[str, str], InPlaceAction] = {}


def register_action(app: str, code: str, label: Promise | str, handler: Handler, *, batch: bool = False,
                    comment_required: bool = False) -> None:
    REGISTRY[(app, code)] = InPlaceAction(app, code, label, handler, batch, comment_required)


def available(entry: Entry) -> list[InPlaceAction]:
    """What can be done from the list: open to-dos only, by the actions their app registered."""
    if entry.tab != Entry.Tab.TODO:
        return []
    return [action for (app, _code), action in REGISTRY.items() if app == entry.app]


@dataclass(frozen=True)
class Result:
    entry_id: int
    title: str
    ok: bool
    message: str


def _mine(acting_user: Any, entry_id: int) -> Entry:
    entry = Entry.objects.filter(pk=entry_id, user=acting_user).first()
    if entry is None:
        raise Http404
    return entry


def act(*, acting_user: Any, entry_id: int, code: str, comment: str = "") -> Result:
    """Run one in-place action on one of my entries; another person's entry is not found."""
    entry = _mine(acting_user, entry_id)
    action = REGISTRY.get((entry.app, code))
    if action is None or action not in available(entry):
        raise ServiceError("not_allowed", _("This cannot be done from the workbench; open the item."))
    if action.comment_required and not comment.strip():
        raise ServiceError("invalid", _("A comment is required."), {"comment": [_("This field is required.")]})
    action.handler(acting_user, entry, comment)
    return Result(entry.pk, entry.title, True, _("Done."))


def act_in_batch(*, acting_user: Any, entry_ids: list[int], code: str, comment: str = "") -> list[Result]:
    """The same action on several entries, each through its app's service in its own transaction.

    One refusal does not stop the others; each entry gets its own result.
    """
    results = []
    for entry_id in dict.fromkeys(entry_ids):
        entry = Entry.objects.filter(pk=entry_id, user=acting_user).first()
        if entry is None:
            results.append(Result(entry_id, "", False, _("Not found.")))
            continue
        action = REGISTRY.get((entry.app, code))
        if action is None or not action.batch:
            results.append(Result(entry_id, entry.title, False, _("This cannot be done in batch; open the item.")))
            continue
        try:
            results.append(act(acting_user=acting_user, entry_id=entry_id, code=code, comment=comment))
        except ServiceError as exc:
            results.append(Result(entry_id, entry.title, False, exc.message))
        except (PermissionDenied, Http404):
            results.append(Result(entry_id, entry.title, False, _("You may not act on this item.")))
    return results
