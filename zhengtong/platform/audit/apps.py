from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.registry import AppManifest, Tile


class AuditConfig(AppConfig):
    name = "zhengtong.platform.audit"
    label = "audit"
    verbose_name = _("Audit trail")
    manifest = AppManifest(
        key="audit", label=_("Audit trail"), icon="audit", urls="zhengtong.platform.audit.urls", url_prefix="audit/",
        api={"/audit": "zhengtong.platform.audit.api:router"},
        tiles=(Tile("audit", _("Audit trail"), "audit:list", "audit", perms.VIEW_AUDIT, group="admin"),),
    )
