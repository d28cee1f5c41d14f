from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access.permissions import MANAGE_APPS
from zhengtong.platform.registry import AppManifest, Tile


class SsoConfig(AppConfig):
    name = "zhengtong.platform.sso"
    label = "sso"
    verbose_name = _("Single sign-on")
    manifest = AppManifest(
        key="sso", label=_("Single sign-on"), icon="key", urls="zhengtong.platform.sso.urls", url_prefix="sso/", tab="me",
        api={"/sso": "zhengtong.platform.sso.api:router"},
        tiles=(Tile("sso", _("Single sign-on"), "admin:oauth2_provider_application_changelist", "key", MANAGE_APPS, group="admin"),),
        jobs={"sso back-channel logout": "zhengtong.platform.sso.backchannel:deliver"},
    )

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from zhengtong.platform.accounts.signals import signed_out_everywhere
        from zhengtong.platform.sso.backchannel import ended_everywhere, signed_out

        user_logged_out.connect(signed_out, dispatch_uid="sso.backchannel")
        signed_out_everywhere.connect(ended_everywhere, dispatch_uid="sso.ended_everywhere")
