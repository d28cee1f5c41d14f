from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.registry import AppManifest, Tile


class AccessConfig(AppConfig):
    name = "zhengtong.platform.access"
    label = "access"
    verbose_name = _("Access control")
    manifest = AppManifest(
        key="access", label=_("Security administration"), icon="shield", urls="zhengtong.platform.access.urls",
        url_prefix="security/", api={"/access": "zhengtong.platform.access.api:router"},
        tiles=(Tile("security", _("Security administration"), "access:console", "shield", perms.VIEW_SECURITY_POLICY, group="admin"),),
        permissions=perms.PLATFORM_PERMISSIONS,
    )

    def ready(self) -> None:
        post_migrate.connect(_sync_builtins, sender=self)


DEFAULT_LEVELS = ((0, "公开", "可对外公开"), (1, "内部", "限本机关内部"), (2, "敏感", "限特定人员"))


def _sync_builtins(using: str = "default", **kwargs: Any) -> None:
    """Keep the built-in roles as the code defines them; seed the default levels once."""
    from zhengtong.platform.access.models import ClassificationLevel, Role
    from zhengtong.platform.access.permissions import BUILTIN_ROLES

    for builtin in BUILTIN_ROLES:
        Role.objects.using(using).update_or_create(
            code=builtin.code,
            defaults={"name": builtin.name, "permissions": list(builtin.permissions), "is_builtin": True,
                      "is_admin_role": builtin.is_admin_role},
        )
    if not ClassificationLevel.objects.using(using).exists():
        ClassificationLevel.objects.using(using).bulk_create(
            ClassificationLevel(rank=rank, name=name, description=description) for rank, name, description in DEFAULT_LEVELS
        )
