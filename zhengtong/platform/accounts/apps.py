from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.registry import AppManifest


class AccountsConfig(AppConfig):
    name = "zhengtong.platform.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    manifest = AppManifest(
        key="accounts", label=_("Accounts"), icon="person", urls="zhengtong.platform.accounts.urls", url_prefix="accounts/",
        tab="me", api={"/accounts": "zhengtong.platform.accounts.api:router"},
    )
