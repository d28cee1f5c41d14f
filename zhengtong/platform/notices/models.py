"""The message center's records: the per-person event log, notices and their deliveries.

``Event`` is the per-person event log every device replays from its cursor.

Store first, push second (shared/reference/messaging.md): an event is a row before it is a
socket frame, so a device that reconnects asks for everything after the last position it saw
and nothing is lost, nothing shown twice. Positions are handed out in commit order by the
sequencer (ledger/sequence.py), not by the writer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.ledger.sequence import Position


class Event(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # e.g. "notice.new", "notice.read", "notice.recalled", "todo.changed", "badge"
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # The device's cursor: empty until the sequencer numbers the committed row.
    seq = Position()

    class Meta:
        indexes = [models.Index(fields=["user", "seq"], name="notices_event_user_seq")]

    def __str__(self) -> str:
        return f"@{self.seq} {self.kind} → {self.user_id}"


class Presence(models.Model):
    """Who has a device connected, as each server process says (notices/presence.py): one row per
    person per process while they have a socket open there, kept alive by the process's renewals."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    process = models.CharField(max_length=32)
    # A process that ends without clearing its rows (killed) stops renewing them: they count until then.
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "process"], name="notices_presence_once")]
        indexes = [models.Index(fields=["process"], name="notices_presence_process")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.process}"


class Notice(models.Model):
    """One message sent to many people; each has their own ``NoticeRecipient`` row."""

    class Priority(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("sender"), help_text=_("Empty: sent by the system."))
    app = models.CharField(_("app"), max_length=40, blank=True)
    category = models.CharField(_("category"), max_length=20)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    # [{"code": "approve", "label": "同意"}]: in-place actions of the target's record kind, as its app declared them.
    quick_actions = models.JSONField(_("quick actions"), default=list, blank=True)
    target = models.CharField(_("target"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recalled_at = models.DateTimeField(_("recalled at"), null=True, blank=True)
    # The unread may be reminded at most once per WORKFLOW_REMIND_MINUTES, as with 催办 in workflow.
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sender", "created_at"])]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title


class NoticeRecipient(models.Model):
    """One person's copy of a notice: its read state and, for urgent ones, its escalation."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Copied from the notice so that unread counts per category read one table through one index.
    category = models.CharField(max_length=20)
    delivered_at = models.DateTimeField(_("delivered at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set when an urgent notice still unread was escalated to SMS; claimed once (DING-style).
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notices_one_copy_per_person")]
        indexes = [
            models.Index(fields=["user", "read_at", "category"], name="notices_unread_by_category"),
            models.Index(fields=["user", "notice"], name="notices_recipient_inbox"),
            models.Index(fields=["read_at", "escalated_at"], name="notices_escalation_scan"),
        ]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.user_id}"


class Delivery(models.Model):
    """One attempt to reach a person outside the app (e-mail, SMS), kept for the message audit."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    recipient = models.ForeignKey(NoticeRecipient, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20)
    reason = models.CharField(_("reason"), max_length=20, blank=True, help_text=_("sent, reminder or escalation"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"], name="notices_delivery_queue")]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.channel} {self.state}"


class Preference(models.Model):
    """A person's wishes for delivery outside the app. The in-app message center always receives."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    muted_categories = models.JSONField(_("muted categories"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user_id)
