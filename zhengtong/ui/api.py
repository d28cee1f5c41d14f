"""The app list for phone and PC clients: what the 应用 page shows, with each app's to-do count."""

from __future__ import annotations

from django.urls import reverse
from ninja import Router, Schema

from zhengtong.http import AuthenticatedHttpRequest
from zhengtong.platform import registry
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import can
from zhengtong.platform.todo import queries as todo
from zhengtong.platform.todo.models import IntegratedSystem
from zhengtong.ui.navigation import tiles_for

router = Router(tags=["apps"])


class AppOut(Schema):
    key: str
    label: str
    icon: str
    url: str
    group: str
    todo: int
    builtin: bool


@router.get("", response=list[AppOut], summary="The apps I may open: built-in ones, then integrated systems, with my open to-dos in each")
def app_list(request: AuthenticatedHttpRequest) -> list[AppOut]:
    counts = todo.app_counts(request.user)
    apps = registry.current()
    owners = {tile.key: manifest.key for manifest, tile in apps.tiles()}
    builtin = [AppOut(key=tile.key, label=str(tile.label), icon=tile.icon, url=reverse(tile.url_name), group=tile.group,
                      todo=counts.get(owners[tile.key], 0), builtin=True) for tile in tiles_for(request.user)]
    # The integrated systems are business systems: the staff's, not the administrators' (三权分立).
    systems = [AppOut(key=system.code, label=system.name, icon="apps", url=system.base_url, group="business",
                      todo=counts.get(system.code, 0), builtin=False)
               for system in IntegratedSystem.objects.filter(is_active=True)] if can(request.user, perms.USE_BUSINESS_APPS) else []
    return builtin + systems
