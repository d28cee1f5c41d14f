"""Labels for names the database keeps in Chinese: the built-in roles are translated by code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access import permissions as perms

BUILTIN_ROLE_LABELS = {
    perms.SYSTEM_ADMIN: _("System administrator"),
    perms.SECURITY_ADMIN: _("Security administrator"),
    perms.AUDIT_ADMIN: _("Audit administrator"),
    perms.STAFF: _("Staff"),
}


def role_label(role: Any) -> str:
    """A built-in role's name in the current language; a custom role's name as its creator wrote it."""
    return str(BUILTIN_ROLE_LABELS.get(role.code, role.name))
