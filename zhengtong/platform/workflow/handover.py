"""When a person leaves, their open work goes to their department head (交接).

The directory sends ``person_left`` after the person's account is disabled; the workflow's
service hands every open work item of theirs over (``services.hand_over_work``).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from zhengtong.platform.directory.signals_lifecycle import person_left
from zhengtong.platform.workflow import services


@receiver(person_left)
def hand_over_open_work(sender: Any, user: Any, acting_user: Any = None, reason: str = "", **kwargs: Any) -> int:
    return services.hand_over_work(user=user, acting_user=acting_user, reason=reason)
