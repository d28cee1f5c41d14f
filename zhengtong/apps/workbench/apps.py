from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "zhengtong.apps.workbench"
    label = "workbench"
    verbose_name = _("Workbench")

    def ready(self) -> None:
        from zhengtong.apps.workbench import actions, sources  # noqa: F401  (signal receivers, in-place actions)
