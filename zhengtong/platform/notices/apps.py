from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.notices.categories import SYSTEM
from zhengtong.platform.notices.permissions import BROADCAST
from zhengtong.platform.registry import AppManifest, Tile


class NoticesConfig(AppConfig):
    name = "zhengtong.platform.notices"
    label = "notices"
    verbose_name = _("Message center")
    manifest = AppManifest(
        key="notices", label=_("Message center"), icon="chat", urls="zhengtong.platform.notices.urls", url_prefix="notices/",
        tab="messages", tab_of_page={"preferences": "me", "audit": "apps"},
        api={"/notices": "zhengtong.platform.notices.api:router", "/events": "zhengtong.platform.notices.events_api:router"},
        websockets={"ws/events/": "zhengtong.platform.notices.consumers:EventsConsumer"},
        tiles=(Tile("message_audit", _("Message audit"), "notices:audit", "audit", perms.VIEW_AUDIT, group="admin"),),
        permissions={BROADCAST: _("Send notices to departments, posts, groups and roles")},
        # 会议 and 值班 are what the office broadcasts today; the meetings and duty apps will declare their own.
        notice_categories={SYSTEM: _("System"), "meeting": _("Meetings"), "duty": _("Duty")},
        badge="zhengtong.platform.notices.services:unread_total",
    )
