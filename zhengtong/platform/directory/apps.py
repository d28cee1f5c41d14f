from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "zhengtong.platform.directory"
    label = "directory"
    verbose_name = _("Organisation directory")

    def ready(self) -> None:
        from zhengtong.platform.directory import rules, visibility  # noqa: F401  (register access rules)
        from zhengtong.platform.directory import signals  # noqa: F401  (keep the search index in step)
