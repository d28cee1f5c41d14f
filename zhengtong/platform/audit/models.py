"""The append-only audit trail.

Each record carries the HMAC of its predecessor, so an edited, inserted or deleted record
breaks the chain (``manage.py audit_verify``). The app never updates or deletes a record;
only the retention purge removes the oldest ones and moves the chain's floor with them.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit record."""


class AuditRecord(models.Model):
    seq = models.BigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    # Plain columns, not foreign keys: nothing may cascade into the trail.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    source_ip = models.CharField(_("source address"), max_length=45, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit records cannot be deleted")


class AuditHead(models.Model):
    """The chain's one head row: locked while appending, so concurrent writers queue.

    The head is sealed with the chain's key too: without the seal, deleting the newest
    records and winding ``last_seq`` back, or deleting the oldest and raising the floor,
    would leave a chain that verifies.
    """

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    # The oldest record kept after a retention purge, and the hash it links back to.
    floor_seq = models.BigIntegerField(default=1)
    floor_prev_hash = models.CharField(max_length=64, default="")
    seal = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.floor_seq}..#{self.last_seq}"
