from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "zhengtong.platform.directory"
    label = "directory"
    verbose_name = _("Organisation directory")

    def ready(self) -> None:
        # Access rules and the signal receivers that keep the search index in step.
        from zhengtong.platform.directory import rules, signals, visibility  # noqa: F401
