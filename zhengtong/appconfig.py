from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.registry import AppManifest, Tile


class ZhengtongConfig(AppConfig):
    """The project itself as an app: its system checks, commands, project-level strings, and the
    back office (Django's admin). It comes first in ``INSTALLED_APPS``, so its ``ready`` loads the
    app registry before any other app starts."""

    name = "zhengtong"
    label = "zhengtong"
    verbose_name = _("Zhengtong")
    manifest = AppManifest(
        key="back_office", label=_("Back office"), icon="settings",
        tiles=(Tile("back_office", _("Back office"), "admin:index", "settings", perms.USE_BACK_OFFICE, group="admin"),),
    )

    def ready(self) -> None:
        from zhengtong import checks  # noqa: F401  (registers the system checks)
        from zhengtong.platform import registry

        registry.load()
