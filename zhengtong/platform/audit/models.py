"""The append-only audit trail and its signed checkpoints.

A record is written with one INSERT in the transaction of the change it describes, carrying an
HMAC of its content made with a key the database does not hold (``mac``). The worker later gives
committed records their positions (``seq``) and seals them as the leaves of an RFC 9162 Merkle tree
into checkpoints signed with the log's Ed25519 key, the newest of which also goes to a witness
file outside the database (services.seal_pending). ``manage.py audit_verify`` then names an edited,
forged or deleted record, a cut-off tail, a rolled-back database and a forged checkpoint. The app
never updates or deletes a record; only the retention purge removes the oldest ones, down to a
checkpoint that becomes the trail's floor.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.ledger.sequence import Position


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit record."""


class AuditRecord(models.Model):
    # The record's leaf in the sealed tree is seq - 1; empty until the sequencer numbers the committed row.
    seq = Position(_("sequence"))
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
    # HMAC of the content with AUDIT_RECORD_KEY: who can write the database but lacks the key can
    # neither forge a record nor change one, sealed or not.
    mac = models.CharField(_("MAC"), max_length=64)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.actor_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit records cannot be deleted")


class Checkpoint(models.Model):
    """The signed head of the audit tree after one sealing: records 1 … ``size`` are its leaves.

    ``note`` is the C2SP signed checkpoint (origin, size, base64 root, Ed25519 signature); the
    other columns repeat what verification needs without parsing it, and are checked against it.
    ``frontier`` holds the right-edge subtree roots (ledger.merkle.Frontier), so verification,
    the next sealing and the retention purge can start from this checkpoint instead of leaf 0.
    """

    size = models.BigIntegerField(unique=True)
    # The size of the checkpoint this one extends (0 for the first): checkpoints cover the trail without gaps.
    first = models.BigIntegerField()
    root = models.CharField(max_length=64)  # hex
    frontier = models.JSONField(default=list)  # base64 hashes, leftmost first
    note = models.TextField()
    hash_name = models.CharField(max_length=10)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["size"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint {self.size}"
