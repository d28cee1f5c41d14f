from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from zhengtong.ui.navigation import TABS, tab_for


def shell(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    namespace, url_name = (match.namespace, match.url_name) if match is not None else ("", None)
    active = tab_for(namespace, url_name) if match is not None else ""
    on_tab_page = namespace == "ui"
    return {
        "shell_tabs": TABS,
        "shell_active_tab": active,
        # Inner pages lead back to the tab they belong to; templates may point elsewhere.
        "shell_back_url": reverse(f"ui:{active}") if active and not on_tab_page else "",
    }
