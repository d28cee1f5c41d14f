"""Running an in-place action: the one path for the to-do list and the message center.

The action and its handler are what the record kind's app declared (``AppManifest.actions``);
the handler calls that app's own service, which makes its usual checks, so acting from a list
never grants a right the app would refuse.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.registry.registry import current


def run(*, acting_user: Any, kind: str, object_id: str, code: str, comment: str = "") -> str:
    """Run action ``code`` of record kind ``kind`` on record ``object_id``; returns the message to show."""
    apps = current()
    action, handler = apps.action(kind, code), apps.action_handler(kind, code)
    if action is None or handler is None:
        raise ServiceError("not_allowed", _("This cannot be done from here; open the item."))
    if action.comment_required and not comment.strip():
        raise ServiceError("invalid", _("A comment is required."), {"comment": [_("This field is required.")]})
    return str(handler(acting_user, object_id, comment) or _("Done."))
