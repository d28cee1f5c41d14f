from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.registry import AppManifest, Tile


class ChatConfig(AppConfig):
    name = "zhengtong.apps.chat"
    label = "chat"
    verbose_name = _("Chat")
    manifest = AppManifest(
        key="chat", label=_("Chat"), icon="chat", urls="zhengtong.apps.chat.urls", url_prefix="apps/chat/",
        api={"/chat": "zhengtong.apps.chat.api:router"},
        tiles=(Tile("chat", _("Chat"), "chat:list", "chat", perms.USE_BUSINESS_APPS),
               Tile("chat_audit", _("Chat message audit"), "chat:audit", "audit", perms.VIEW_AUDIT, group="admin"),
               # The system administrator's: turning department groups on (departments.py).
               Tile("chat_departments", _("Department groups"), "chat:departments", "people", perms.MANAGE_ACCOUNTS, group="admin")),
        rules="zhengtong.apps.chat.rules",
        notice_categories={"chat": _("Chat")},
        badge="zhengtong.apps.chat.services:unread_total",
        # Department groups follow the directory's feed; 事务群 are offered on other apps' record pages.
        jobs={"chat urgent reminders": "zhengtong.apps.chat.reminders:remind_due",
              "chat message retention": "zhengtong.apps.chat.retention:purge_expired",
              "chat department groups": "zhengtong.apps.chat.departments:follow_directory"},
        record_links={"chat discussion": "zhengtong.apps.chat.discussions:offer"},
    )
