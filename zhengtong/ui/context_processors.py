from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from zhengtong.ui.navigation import TABS, tab_for

TAB_PAGES = {tab.url_name: tab for tab in TABS}


def shell(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    active = tab_for(match.namespace, match.url_name) if match is not None else ""
    on_tab_page = match is not None and match.view_name in TAB_PAGES
    back = next((tab.url_name for tab in TABS if tab.key == active), "")
    return {
        "shell_tabs": TABS,
        "shell_active_tab": active,
        # Inner pages lead back to the tab they belong to; templates may point elsewhere.
        "shell_back_url": reverse(back) if back and not on_tab_page else "",
    }
