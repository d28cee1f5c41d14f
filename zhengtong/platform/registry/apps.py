from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """Installed so that its messages are translated; the registry itself is loaded by the project's app."""

    name = "zhengtong.platform.registry"
    label = "registry"
    verbose_name = _("App registry")
