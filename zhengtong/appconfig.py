from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZhengtongConfig(AppConfig):
    """The project itself as an app: its system checks, commands and project-level strings."""

    name = "zhengtong"
    label = "zhengtong"
    verbose_name = _("Zhengtong")

    def ready(self) -> None:
        from zhengtong import checks  # noqa: F401  (registers the system checks)
