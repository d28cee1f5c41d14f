from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.notices.categories import SYSTEM
from zhengtong.platform.registry import AppManifest


class TodoConfig(AppConfig):
    name = "zhengtong.platform.todo"
    label = "todo"
    verbose_name = _("To-do list")
    # The integrated systems' to-dos are its own kind; the apps' kinds are declared by the apps.
    manifest = AppManifest(
        key="todo", label=_("To-do list"), icon="grid", api={"/todo": "zhengtong.platform.todo.api:router"},
        todos={"external": SYSTEM},
    )
