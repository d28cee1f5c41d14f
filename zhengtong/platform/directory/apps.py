from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.directory.permissions import SYNC, VIEW_ALL
from zhengtong.platform.registry import AppManifest, Tile


class DirectoryConfig(AppConfig):
    name = "zhengtong.platform.directory"
    label = "directory"
    verbose_name = _("Organisation directory")
    # Its pages belong to 通讯录, but for the administration of visibility, whose tile is under 应用.
    manifest = AppManifest(
        key="directory", label=_("Contacts"), icon="people", urls="zhengtong.platform.directory.urls", url_prefix="directory/",
        tab="directory", tab_of_page={"visibility": "apps"},
        api={"/directory": "zhengtong.platform.directory.api:router", "/directory/sync": "zhengtong.platform.directory.sync_api:router"},
        tiles=(Tile("directory_visibility", _("Directory visibility"), "directory:visibility", "people", perms.MANAGE_GRANTS,
                    group="admin"),),
        permissions={VIEW_ALL: _("See every department and contact detail in the directory"),
                     SYNC: _("Synchronise the organisation with other systems")},
        rules="zhengtong.platform.directory.rules",
    )

    def ready(self) -> None:
        # The signal receivers that keep the search index in step.
        from zhengtong.platform.directory import signals  # noqa: F401
