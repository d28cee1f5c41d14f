"""Acting on an entry in place: what its kind's app declared (``AppManifest.actions``), run by that app.

The action's handler calls the owning app's own service, which checks access, writes its audit
record and changes state, so acting from the list is exactly acting in the app. The list follows
through the app's ``todo.put`` like any other change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, NotFound, ServiceError
from zhengtong.platform import registry
from zhengtong.platform.registry import InPlaceAction
from zhengtong.platform.registry import actions as in_place
from zhengtong.platform.todo.models import Entry


def available(entry: Entry) -> list[InPlaceAction]:
    """What can be done from the list: what the source offers on the open to-do, as its app declared it."""
    if entry.tab != Entry.Tab.TODO or entry.state != Entry.State.OPEN:
        return []
    apps = registry.current()
    return [action for code in entry.actions if (action := apps.action(entry.kind, code)) is not None]


@dataclass(frozen=True)
class Result:
    entry_id: int
    title: str
    ok: bool
    message: str


def mine(acting_user: Any, entry_id: int) -> Entry:
    entry = Entry.objects.filter(pk=entry_id, user=acting_user).first()
    if entry is None:
        raise NotFound("not_found", _("Not found."))
    return entry


def act(*, acting_user: Any, entry_id: int, code: str, comment: str = "") -> Result:
    """Run one in-place action on one of my entries; another person's entry is not found."""
    entry = mine(acting_user, entry_id)
    if code not in {action.code for action in available(entry)}:
        raise Conflict("not_allowed", _("This cannot be done from the workbench; open the item."))
    message = in_place.run(acting_user=acting_user, kind=entry.kind, object_id=entry.object_id, code=code, comment=comment)
    return Result(entry.pk, entry.title, True, message)


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
        action = registry.current().action(entry.kind, code)
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
