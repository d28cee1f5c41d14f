"""即时通讯: conversations (1:1 and groups), their members and their messages.

Order: each message has a ``seq``, strictly increasing per conversation, taken from
``Conversation.last_seq`` in the send transaction under the conversation's row lock, so every
device shows a conversation's messages in one order and a cursor (``seq``) never skips one.

Read state is a watermark per member (``Member.read_seq``: the last position read), not a row
per message per member: a message at ``seq`` is read by the members whose watermark reached it.
What a member may see is a window of positions: from ``joined_seq`` when the group shows history
only from joining (else from the start) up to ``left_seq`` once they are removed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct")
        GROUP = "group", _("Group")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"))
    # Groups: members see only what was sent after they joined.
    history_from_join = models.BooleanField(_("history only from joining"), default=False)
    # Direct conversations: "<lower person id>:<higher person id>", so one pair has one conversation.
    direct_key = models.CharField(max_length=41, null=True, blank=True, unique=True)
    # The position of the last message sent; the next one gets last_seq + 1.
    last_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # --- groups (departments.py, discussions.py) ---
    # A department group: its members follow the directory's department (no owner, nobody adds by hand).
    department = models.OneToOneField("directory.Department", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("department"))
    # A 事务群: the record it discusses, "<app>.<kind>:<id>" (one group per record).
    subject = models.CharField(_("record"), max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.pk}"


class Member(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    # The conversation's position when the member joined, and when they were removed.
    joined_seq = models.PositiveBigIntegerField(default=0)
    left_seq = models.PositiveBigIntegerField(null=True, blank=True)
    # The read watermark: the last position this member has read.
    read_seq = models.PositiveBigIntegerField(default=0)
    muted = models.BooleanField(_("muted"), default=False)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [models.UniqueConstraint(fields=["conversation", "person"], name="chat_member_once")]
        indexes = [models.Index(fields=["person", "left_at"], name="chat_member_person")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.conversation_id}"

    @property
    def active(self) -> bool:
        return self.left_at is None

    @property
    def is_manager(self) -> bool:
        return self.active and self.role in (self.Role.OWNER, self.Role.ADMIN)

    def first_visible(self, conversation: Conversation) -> int:
        """The lowest position this member may see (inclusive)."""
        return self.joined_seq + 1 if conversation.history_from_join else 1

    def sees(self, conversation: Conversation, seq: int) -> bool:
        return seq >= self.first_visible(conversation) and (self.left_seq is None or seq <= self.left_seq)


class Message(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        FILE = "file", _("File")
        IMAGE = "image", _("Image")
        VOICE = "voice", _("Voice")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Chosen by the sending device: a retry with the same id returns the stored message.
    client_msg_id = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField(_("text"), blank=True)
    # The people @-mentioned (ids), and @所有人.
    mentions = models.JSONField(default=list, blank=True)
    mention_all = models.BooleanField(default=False)
    # A file or image message: the stored file (platform/files), its name shown as the text.
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quote = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recalled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # --- message features (features.py): thumbnail, voice, forward, urgent ---
    # An image's small copy, made once when it is sent (thumbnails.py).
    thumbnail = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # A voice message's length, as the recording device measured it.
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # A forwarded copy: the message it was copied from, and who first sent it (kept if the original goes).
    forwarded_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    forwarded_sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # 加急: marked by the sender; the unread recipients are reminded (Reminder).
    urgent_at = models.DateTimeField(null=True, blank=True)
    # Posted by an integrated system (bots.py): shown with its name and a 机器人 mark.
    bot = models.ForeignKey("chat.Bot", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq"),
            models.UniqueConstraint(fields=["sender", "client_msg_id"], name="chat_message_client_id"),
        ]
        # Retention finds what is due (and the message audit a time range) by when it was sent.
        indexes = [models.Index(fields=["created_at"], name="chat_message_sent_at")]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"


# --- message features: pins, stars and urgent reminders (features.py, reminders.py) ---------------


class Pin(models.Model):
    """A message pinned to the top of its conversation (置顶), by a group's owner or administrator, or either person of a 1:1."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="+")
    pinned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pinned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pinned message")
        verbose_name_plural = _("pinned messages")

    def __str__(self) -> str:
        return f"pin of {self.message_id}"


class Star(models.Model):
    """A message one person keeps (收藏); only they see it."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    starred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("starred message")
        verbose_name_plural = _("starred messages")
        constraints = [models.UniqueConstraint(fields=["person", "message"], name="chat_star_once")]

    def __str__(self) -> str:
        return f"{self.person_id} ★ {self.message_id}"


class Reminder(models.Model):
    """An urgent message's reminders to one recipient: due again at ``due_at`` until they read it or ``sent`` reaches the bound."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    sent = models.PositiveSmallIntegerField(default=0)
    # Set when the reminders stop: the message was read, or the last reminder went.
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("urgent reminder")
        verbose_name_plural = _("urgent reminders")
        constraints = [models.UniqueConstraint(fields=["message", "person"], name="chat_reminder_once")]
        indexes = [models.Index(fields=["done_at", "due_at"], name="chat_reminder_due")]

    def __str__(self) -> str:
        return f"reminder of {self.message_id} to {self.person_id}"


# --- retention (oversight) ------------------------------------------------------------------------


class RetentionPolicy(models.Model):
    """How long messages are kept, one policy for the whole system (the row with pk 1), set by the
    system administrator in the back office; the worker's purge job applies it (retention.py)."""

    days = models.PositiveIntegerField(_("keep messages for (days)"), default=0,
                                       help_text=_("Older messages are deleted with their files, for everyone. 0 keeps them forever."))
    # 事务群 (a group linked to a record: Conversation.subject) are often kept as long as their record.
    subject_days = models.PositiveIntegerField(
        _("keep 事务群 messages for (days)"), null=True, blank=True,
        help_text=_("Groups linked to a record (a 公文, a work order). Empty: as long as other messages. 0 keeps them forever."))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("changed by"))

    class Meta:
        verbose_name = _("message retention policy")
        verbose_name_plural = _("message retention policy")

    def __str__(self) -> str:
        if self.subject_days is None:
            return self.describe(self.days)
        return str(_("%(general)s; 事务群: %(subject)s")
                   % {"general": self.describe(self.days), "subject": self.describe(self.subject_days)})

    @staticmethod
    def describe(days: int) -> str:
        return str(_("Forever")) if not days else str(_("%(n)d days") % {"n": days})

    @property
    def subject_days_in_force(self) -> int:
        """How long 事务群 messages are kept: their own figure, else the general one."""
        return self.days if self.subject_days is None else self.subject_days


# --- groups: bots and the department feed's cursor ------------------------------------------------


class Bot(models.Model):
    """An integrated system's voice in chat: a person account that cannot sign in, named after the system."""

    system = models.OneToOneField("todo.IntegratedSystem", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("integrated application"))
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("bot")
        verbose_name_plural = _("bots")

    def __str__(self) -> str:
        return str(self.system)


class FeedCursor(models.Model):
    """How far chat has followed the directory's change feed (one row, locked while a worker follows)."""

    name = models.CharField(max_length=40, unique=True)
    position = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}@{self.position}"
