"""Who may read the directory: staff, and the system administrator, who manages the organisation.

The security and audit administrators do not read it (三权分立: their work is policy and the
audit trail, not the organisation). Within the directory, ``visibility`` narrows what each
reader sees (confidential departments, restricted contact fields).
"""

from typing import Any

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import permissions_of
from zhengtong.platform.directory.visibility import FIELD_RULES, VIEW_DEPARTMENT, may_view_department

VIEW = "directory.view"
READERS = frozenset({perms.USE_BUSINESS_APPS, perms.MANAGE_ACCOUNTS})


def readers_may_view(user: Any, obj: Any) -> bool:
    return bool(permissions_of(user) & READERS)


RULES = {VIEW: readers_may_view, VIEW_DEPARTMENT: may_view_department, **FIELD_RULES}
