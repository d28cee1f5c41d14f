"""The notice categories, a registry in code: each drives unread counts and delivery channels.

Apps add theirs with ``register`` at import time; the built-in ones cover the source design's
message kinds (审批, 公文, 会议, 值班, 系统).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CATEGORIES: dict[str, Promise | str] = {}


def register(code: str, label: Promise | str) -> str:
    if code in CATEGORIES and CATEGORIES[code] != label:
        raise ValueError(f"notice category {code} registered twice with different labels")
    CATEGORIES[code] = label
    return code


APPROVAL = register("approval", _("Approvals"))
DOCUMENT = register("document", _("Documents"))
MEETING = register("meeting", _("Meetings"))
DUTY = register("duty", _("Duty"))
SYSTEM = register("system", _("System"))


def label(code: str) -> str:
    return str(CATEGORIES.get(code, code))


def choices() -> list[tuple[str, str]]:
    return [(code, str(text)) for code, text in CATEGORIES.items()]
