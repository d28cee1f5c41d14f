"""Notice categories: each drives unread counts and delivery channels.

The message center's own category is ``system``; apps declare theirs in their manifest
(``AppManifest.notice_categories``) and the registry collects them.
"""

from __future__ import annotations

from django.utils.functional import Promise

SYSTEM = "system"


def catalogue() -> dict[str, Promise | str]:
    from zhengtong.platform import registry

    return registry.current().notice_categories


def label(code: str) -> str:
    return str(catalogue().get(code, code))


def choices() -> list[tuple[str, str]]:
    return [(code, str(text)) for code, text in catalogue().items()]
