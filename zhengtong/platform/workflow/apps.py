from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.registry import AppManifest, InPlaceAction, Tile
from zhengtong.platform.workflow.permissions import MANAGE, NOTICE_CATEGORY


class WorkflowConfig(AppConfig):
    name = "zhengtong.platform.workflow"
    label = "workflow"
    verbose_name = _("Workflow")
    manifest = AppManifest(
        key="workflow", label=_("Approvals"), icon="apps", urls="zhengtong.platform.workflow.urls", url_prefix="workflow/",
        api={"/workflow": "zhengtong.platform.workflow.api:router"},
        tiles=(Tile("workflow", _("Approvals"), "workflow:todo", "apps", perms.USE_BUSINESS_APPS),
               Tile("workflow_admin", _("Process administration"), "workflow:admin_definitions", "settings", MANAGE, group="admin")),
        permissions={MANAGE: _("Administer processes: definitions, stuck tasks, cancellation")},
        rules="zhengtong.platform.workflow.rules",
        notice_categories={NOTICE_CATEGORY: _("Approvals")},
        todos={"item": NOTICE_CATEGORY},
        actions=(InPlaceAction("item", "approve", _("Approve"), "zhengtong.platform.workflow.inplace:approve", batch=True),
                 InPlaceAction("item", "reject", _("Reject"), "zhengtong.platform.workflow.inplace:reject", comment_required=True)),
        processes="processes",
    )

    def ready(self) -> None:
        from zhengtong.platform.workflow import deadlines, handover  # noqa: F401  (signal receivers)

        post_migrate.connect(_install_builtin_definitions, sender=self)


def _install_builtin_definitions(using: str = "default", **kwargs: Any) -> None:
    """Store the processes every installed app ships (its manifest's ``processes`` folder)."""
    from zhengtong.platform import registry
    from zhengtong.platform.workflow.definitions import install_builtin

    for folder in registry.current().process_dirs:
        install_builtin(folder)
