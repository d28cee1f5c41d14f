"""The per-person event log every device replays from its cursor.

Store first, push second (shared/reference/messaging.md): an event is a row before it is a
socket frame, so a device that reconnects asks for everything after the last id it saw and
nothing is lost, nothing shown twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Event(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # e.g. "notice.new", "notice.read", "notice.recalled", "todo.changed", "badge"
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} → {self.user_id}"
