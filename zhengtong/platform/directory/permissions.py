"""The directory's permissions.

``directory.sync``: synchronise the organisation with other systems (import, export, sync API,
change feed). Holders of ``accounts.manage`` (the system administrator, who manages the
organisation) may too; ``directory.sync`` is for a custom role of an integration's own account
(the HR system, a higher-level directory), so that it needs no administrator's rights.
"""

from __future__ import annotations

from typing import Any

from zhengtong.platform.access import permissions as perms

SYNC = "directory.sync"
# Everything in the directory, confidential departments and restricted contact fields included.
VIEW_ALL = "directory.view_all"


def require_sync(user: Any) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds ``directory.sync`` or ``accounts.manage``."""
    from zhengtong.platform.access.policy import can, require

    if not can(user, SYNC):
        require(user, perms.MANAGE_ACCOUNTS)
