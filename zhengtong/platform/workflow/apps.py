from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "zhengtong.platform.workflow"
    label = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from zhengtong.platform.workflow import deadlines, handover, rules  # noqa: F401  (access rules, signal receivers)

        post_migrate.connect(_install_builtin_definitions, sender=self)


def _install_builtin_definitions(using: str = "default", **kwargs: Any) -> None:
    from zhengtong.platform.workflow.definitions import install_builtin

    install_builtin()
