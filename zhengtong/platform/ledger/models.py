"""The ledger's one table so far: the head of each cursor log (sequence.py)."""

from __future__ import annotations

from django.db import models


class LogHead(models.Model):
    """The last position handed out in one cursor log. Its row is that log's sequencer lock,
    taken only by the sequencer (never by the writers), so the logs never wait for each other."""

    log = models.CharField(max_length=100, primary_key=True)  # the model's label, "notices.event"
    position = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.log} @{self.position}"
