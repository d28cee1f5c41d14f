from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.registry import AppManifest


class WorkbenchConfig(AppConfig):
    """工作台, the shell's home tab: the pages of the platform's to-do list (``platform/todo``)."""

    name = "zhengtong.apps.workbench"
    label = "workbench"
    verbose_name = _("Workbench")
    manifest = AppManifest(
        key="workbench", label=_("Workbench"), icon="grid", urls="zhengtong.apps.workbench.urls", url_prefix="", tab="home",
    )
