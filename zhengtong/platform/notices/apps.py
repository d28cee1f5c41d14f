from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "zhengtong.platform.notices"
    label = "notices"
    verbose_name = _("Message center")

    def ready(self) -> None:
        from zhengtong.platform.notices import permissions, workflow_hooks  # noqa: F401  (catalogue entry, signal receivers)
