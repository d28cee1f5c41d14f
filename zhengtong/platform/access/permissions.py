"""The catalogue of permissions and the built-in roles.

A permission is a dotted code. Apps add theirs with ``register`` at import time of their
``permissions`` module; roles hold codes from this catalogue only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CATALOGUE: dict[str, Promise | str] = {}


def register(code: str, label: Promise | str) -> str:
    if code in CATALOGUE and CATALOGUE[code] != label:
        raise ValueError(f"permission {code} registered twice with different labels")
    CATALOGUE[code] = label
    return code


# System administrator: accounts, settings, apps, the back office.
MANAGE_ACCOUNTS = register("accounts.manage", _("Manage accounts"))
MANAGE_SETTINGS = register("settings.manage", _("Manage system settings"))
MANAGE_APPS = register("apps.manage", _("Manage applications"))
USE_BACK_OFFICE = register("admin.access", _("Use the back office"))
# Security administrator: roles, grants, policies, classification labels.
MANAGE_ROLES = register("access.manage_roles", _("Manage roles and role assignments"))
MANAGE_GRANTS = register("access.manage_grants", _("Manage object grants"))
MANAGE_CLEARANCE = register("access.manage_clearance", _("Label people and records with classification levels"))
VIEW_SECURITY_POLICY = register("access.view_policy", _("View security policy"))
# Audit administrator: read and export the audit trail, nothing else.
VIEW_AUDIT = register("audit.view", _("View the audit trail"))
EXPORT_AUDIT = register("audit.export", _("Export the audit trail"))
VERIFY_AUDIT = register("audit.verify", _("Verify the audit chain"))
# Ordinary staff: the business applications.
USE_BUSINESS_APPS = register("staff.use_apps", _("Use the business applications"))


@dataclass(frozen=True)
class BuiltinRole:
    code: str
    name: str
    permissions: tuple[str, ...]
    is_admin_role: bool


SYSTEM_ADMIN = "system_admin"
SECURITY_ADMIN = "security_admin"
AUDIT_ADMIN = "audit_admin"
STAFF = "staff"

# Names are kept as plain Chinese strings in the database; the UI translates them by code.
BUILTIN_ROLES = (
    BuiltinRole(SYSTEM_ADMIN, "系统管理员", (MANAGE_ACCOUNTS, MANAGE_SETTINGS, MANAGE_APPS, USE_BACK_OFFICE), True),
    BuiltinRole(SECURITY_ADMIN, "安全管理员", (MANAGE_ROLES, MANAGE_GRANTS, MANAGE_CLEARANCE, VIEW_SECURITY_POLICY), True),
    BuiltinRole(AUDIT_ADMIN, "审计管理员", (VIEW_AUDIT, EXPORT_AUDIT, VERIFY_AUDIT), True),
    BuiltinRole(STAFF, "工作人员", (USE_BUSINESS_APPS,), False),
)
ADMIN_ROLE_CODES = frozenset(role.code for role in BUILTIN_ROLES if role.is_admin_role)
# Permissions that only the built-in administrator roles may carry: a custom role never does.
ADMIN_PERMISSIONS = frozenset(code for role in BUILTIN_ROLES if role.is_admin_role for code in role.permissions)
BUILTIN_ROLE_LABELS: dict[str, Promise] = {
    SYSTEM_ADMIN: _("System administrator"),
    SECURITY_ADMIN: _("Security administrator"),
    AUDIT_ADMIN: _("Audit administrator"),
    STAFF: _("Staff"),
}
