from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.registry import AppManifest, Tile


class BulletinsConfig(AppConfig):
    name = "zhengtong.apps.bulletins"
    label = "bulletins"
    verbose_name = _("Work news")
    manifest = AppManifest(
        key="bulletins", label=_("Work news"), icon="news", urls="zhengtong.apps.bulletins.urls", url_prefix="apps/bulletins/",
        api={"/bulletins": "zhengtong.apps.bulletins.api:router"},
        tiles=(Tile("bulletins", _("Work news"), "bulletins:list", "news", perms.USE_BUSINESS_APPS),),
        rules="zhengtong.apps.bulletins.rules",
    )
