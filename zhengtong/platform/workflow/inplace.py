"""Deciding a task straight from the to-do list or a notice (the actions the manifest declares).

Each calls the one service that decides a task, with its checks; nothing here decides itself.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhengtong.platform.workflow import services


def approve(acting_user: Any, object_id: str, comment: str) -> str:
    services.approve(acting_user=acting_user, item_id=int(object_id), comment=comment)
    return _("Approved.")


def reject(acting_user: Any, object_id: str, comment: str) -> str:
    services.reject(acting_user=acting_user, item_id=int(object_id), comment=comment)
    return _("Not approved.")
