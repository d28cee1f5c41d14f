from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.registry import AppManifest


class WorkbenchConfig(AppConfig):
    name = "zhengtong.apps.workbench"
    label = "workbench"
    verbose_name = _("Workbench")
    manifest = AppManifest(
        key="workbench", label=_("Workbench"), icon="grid", urls="zhengtong.apps.workbench.urls", url_prefix="workbench/",
        tab="home", api={"/workbench": "zhengtong.apps.workbench.api:router"},
    )

    def ready(self) -> None:
        from zhengtong.apps.workbench import actions, sources  # noqa: F401  (signal receivers, in-place actions)
