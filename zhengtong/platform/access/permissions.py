"""The catalogue of permissions and the built-in roles.

A permission is a dotted code. The platform's own are below; apps declare theirs in their
manifest (``AppManifest.permissions``) and the registry collects them. Roles hold codes from
the catalogue only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# System administrator: accounts, settings, apps, the back office.
MANAGE_ACCOUNTS = "accounts.manage"
MANAGE_SETTINGS = "settings.manage"
MANAGE_APPS = "apps.manage"
USE_BACK_OFFICE = "admin.access"
# Security administrator: roles, grants, policies, classification labels.
MANAGE_ROLES = "access.manage_roles"
MANAGE_GRANTS = "access.manage_grants"
MANAGE_CLEARANCE = "access.manage_clearance"
VIEW_SECURITY_POLICY = "access.view_policy"
# Audit administrator: read and export the audit trail, nothing else.
VIEW_AUDIT = "audit.view"
EXPORT_AUDIT = "audit.export"
VERIFY_AUDIT = "audit.verify"
# Ordinary staff: the business applications.
USE_BUSINESS_APPS = "staff.use_apps"

PLATFORM_PERMISSIONS: dict[str, Promise | str] = {
    MANAGE_ACCOUNTS: _("Manage accounts"),
    MANAGE_SETTINGS: _("Manage system settings"),
    MANAGE_APPS: _("Manage applications"),
    USE_BACK_OFFICE: _("Use the back office"),
    MANAGE_ROLES: _("Manage roles and role assignments"),
    MANAGE_GRANTS: _("Manage object grants"),
    MANAGE_CLEARANCE: _("Label people and records with classification levels"),
    VIEW_SECURITY_POLICY: _("View security policy"),
    VIEW_AUDIT: _("View the audit trail"),
    EXPORT_AUDIT: _("Export the audit trail"),
    VERIFY_AUDIT: _("Verify the audit chain"),
    USE_BUSINESS_APPS: _("Use the business applications"),
}


def catalogue() -> dict[str, Promise | str]:
    """Every permission a role may hold: the platform's and those the installed apps declare."""
    from zhengtong.platform import registry

    return registry.current().permissions


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
