"""The shell's five tabs, shared by the phone's bottom bar and the PC's side menu, and the tiles
of the 应用 page (every installed app's, from the registry)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhengtong.platform import registry
from zhengtong.platform.access.policy import can
from zhengtong.platform.registry import Tile


@dataclass(frozen=True)
class Tab:
    key: str
    label: Promise
    url_name: str
    icon: str


TABS = (
    Tab("home", _("Workbench"), "workbench:home", "grid"),
    Tab("messages", _("Messages"), "ui:messages", "chat"),
    Tab("apps", _("Apps"), "ui:apps", "apps"),
    Tab("directory", _("Contacts"), "ui:directory", "people"),
    Tab("me", _("Me"), "ui:me", "person"),
)


def tab_for(namespace: str, url_name: str | None) -> str:
    """The tab a page belongs to, as its app's manifest says; pages of no app's belong to 应用."""
    return registry.current().tab_of(namespace, url_name)


def tiles_for(user: Any) -> list[Tile]:
    """The 应用 page: the tiles whose permission the person holds."""
    return [tile for _manifest, tile in registry.current().tiles() if can(user, tile.permission)]
