from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zhengtong.ui.navigation import TABS


def shell(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    return {"shell_tabs": TABS, "shell_active_tab": getattr(match, "url_name", "") if match else ""}
