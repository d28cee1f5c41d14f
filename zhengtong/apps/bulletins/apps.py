from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "zhengtong.apps.bulletins"
    label = "bulletins"
    verbose_name = _("Work news")

    def ready(self) -> None:
        from zhengtong.apps.bulletins import rules  # noqa: F401  (registers access rules)
