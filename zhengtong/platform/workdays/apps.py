from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.registry import AppManifest, Tile


class WorkdaysConfig(AppConfig):
    name = "zhengtong.platform.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")
    manifest = AppManifest(
        key="workdays", label=_("Working-day calendar"), icon="grid", urls="zhengtong.platform.workdays.urls",
        url_prefix="workdays/", api={"/workdays": "zhengtong.platform.workdays.api:router"},
        tiles=(Tile("workdays", _("Working-day calendar"), "workdays:calendar", "grid", perms.MANAGE_SETTINGS, group="admin"),),
    )

    def ready(self) -> None:
        post_migrate.connect(_seed_package_years, sender=self)


def _seed_package_years(using: str = "default", **kwargs: Any) -> None:
    """Bring the years the installed ``chinesecalendar`` knows into the database.

    Idempotent, and never touches a year an administrator entered. ``workdays_sync_package``
    takes corrections to years already stored, after an upgrade of the package.
    """
    from zhengtong.platform.workdays.services import seed_package_years

    seed_package_years(using)
