"""Who may synchronise the organisation with other systems (import, export, sync API, change feed).

Holders of ``accounts.manage`` (the system administrator, who manages the organisation) may,
and so may holders of ``directory.sync``: a custom role for an integration's own account (the
HR system, a higher-level directory), so that it needs no administrator's rights.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.permissions import register
from zhengtong.platform.access.policy import can, require

SYNC = register("directory.sync", _("Synchronise the organisation with other systems"))


def require_sync(user: Any) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds ``directory.sync`` or ``accounts.manage``."""
    if not can(user, SYNC):
        require(user, perms.MANAGE_ACCOUNTS)
