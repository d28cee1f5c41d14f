from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.registry import AppManifest


class UiConfig(AppConfig):
    name = "zhengtong.ui"
    label = "ui"
    verbose_name = _("User interface")
    # The shell's own tab pages, each the page of its tab.
    manifest = AppManifest(
        key="shell", label=_("User interface"), urls="zhengtong.ui.urls", url_prefix="", api={"/apps": "zhengtong.ui.api:router"},
        tab_of_page={"messages": "messages", "apps": "apps", "directory": "directory", "me": "me"},
    )
