from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "zhengtong.platform.notices"
    label = "notices"
    verbose_name = _("Message center")

    def ready(self) -> None:
        from zhengtong.platform.notices import permissions, workflow_hooks  # noqa: F401  (catalogue entry, signal receivers)
        from zhengtong.platform.notices.realtime import register_badge
        from zhengtong.platform.notices.services import unread_total

        register_badge("messages", unread_total)
