from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "zhengtong.apps.documents"
    label = "documents"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        from django.urls import reverse

        from zhengtong.apps.documents import rules, services, workbench  # noqa: F401  (access rules, in-place actions)
        from zhengtong.platform.workflow import hooks

        hooks.on_step_decided(services.OUTGOING, services.step_decided)
        hooks.on_step_decided(services.INCOMING, services.step_decided)
        hooks.register_subject_link("documents.document", lambda pk: reverse("documents:detail", args=[int(pk)]))
        post_migrate.connect(_install_processes, sender=self)


def _install_processes(using: str = "default", **kwargs: Any) -> None:
    from zhengtong.platform.workflow.definitions import install_builtin

    install_builtin(Path(__file__).resolve().parent / "processes")
