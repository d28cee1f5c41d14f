"""The shell's five tabs, shared by the phone's bottom bar and the PC's side menu."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tab:
    key: str
    label: Promise
    url_name: str
    icon: str


TABS = (
    Tab("home", _("Workbench"), "ui:home", "grid"),
    Tab("messages", _("Messages"), "ui:messages", "chat"),
    Tab("apps", _("Apps"), "ui:apps", "apps"),
    Tab("directory", _("Contacts"), "ui:directory", "people"),
    Tab("me", _("Me"), "ui:me", "person"),
)


# Pages outside the shell's own belong to a tab: account pages to 我的, the directory's to 通讯录
# (its visibility administration to 应用, where its tile is), everything else to 应用.
NAMESPACE_TABS = {"accounts": "me", "directory": "directory", "notices": "messages"}
URL_TABS = {("directory", "visibility"): "apps", ("notices", "preferences"): "me", ("notices", "audit"): "apps"}


def tab_for(namespace: str, url_name: str | None) -> str:
    if namespace == "ui":
        return url_name or ""
    return URL_TABS.get((namespace, url_name or ""), NAMESPACE_TABS.get(namespace, "apps"))


@dataclass(frozen=True)
class AppEntry:
    """One tile on the 应用 page; shown to people holding ``permission``."""

    key: str
    label: Promise
    url_name: str
    icon: str
    permission: str


def app_entries() -> tuple[AppEntry, ...]:
    from zhengtong.platform.access import permissions as perms
    from zhengtong.platform.workflow.assignment import MANAGE as MANAGE_PROCESSES

    return (
        AppEntry("workflow", _("Approvals"), "workflow:todo", "apps", perms.USE_BUSINESS_APPS),
        AppEntry("documents", _("Official documents"), "documents:outgoing", "news", perms.USE_BUSINESS_APPS),
        AppEntry("bulletins", _("Work news"), "bulletins:list", "news", perms.USE_BUSINESS_APPS),
        AppEntry("back_office", _("Back office"), "admin:index", "settings", perms.USE_BACK_OFFICE),
        AppEntry("workdays", _("Working-day calendar"), "workdays:calendar", "grid", perms.MANAGE_SETTINGS),
        AppEntry("security", _("Security administration"), "access:console", "shield", perms.VIEW_SECURITY_POLICY),
        AppEntry("audit", _("Audit trail"), "audit:list", "audit", perms.VIEW_AUDIT),
        AppEntry("message_audit", _("Message audit"), "notices:audit", "audit", perms.VIEW_AUDIT),
        AppEntry("directory_visibility", _("Directory visibility"), "directory:visibility", "people", perms.MANAGE_GRANTS),
        AppEntry("workflow_admin", _("Process administration"), "workflow:admin_definitions", "settings", MANAGE_PROCESSES),
    )
