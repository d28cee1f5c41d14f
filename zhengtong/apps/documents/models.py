"""Official documents (公文): outgoing (发文) and incoming (收文), their numbers, versions and exchange.

Every step a document goes through is a step of a ``workflow`` process (``processes/``); these
tables hold what the process does not: the document's elements (《党政机关公文处理工作条例》
第九条), the body's versions, the numbering register, and one row per recipient unit of an
exchange (公文交换) so the sender can see who has signed for it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengtong.platform.directory.models import Department


class DocType(models.TextChoices):
    """The 15 文种 (条例 第八条)."""

    RESOLUTION = "决议", _("Resolution (决议)")
    DECISION = "决定", _("Decision (决定)")
    ORDER = "命令", _("Order (命令)")
    COMMUNIQUE = "公报", _("Communiqué (公报)")
    ANNOUNCEMENT = "公告", _("Announcement (公告)")
    PUBLIC_NOTICE = "通告", _("Public notice (通告)")
    OPINION = "意见", _("Opinion (意见)")
    NOTICE = "通知", _("Notice (通知)")
    BULLETIN = "通报", _("Circular (通报)")
    REPORT = "报告", _("Report (报告)")
    REQUEST = "请示", _("Request for instructions (请示)")
    REPLY = "批复", _("Reply (批复)")
    MOTION = "议案", _("Motion (议案)")
    LETTER = "函", _("Letter (函)")
    MINUTES = "纪要", _("Minutes (纪要)")


# 上行文 show their 签发人 in the header (GB/T 9704 §7.2.6).
UPWARD_TYPES = frozenset({DocType.REPORT, DocType.REQUEST})


class Secrecy(models.IntegerChoices):
    """密级. The value is the ``access`` classification rank the document carries at least."""

    NONE = 0, _("Not classified")
    SECRET = 3, _("Secret (秘密)")
    CONFIDENTIAL = 4, _("Confidential (机密)")
    TOP_SECRET = 5, _("Top secret (绝密)")


SECRECY_MARKS = {Secrecy.SECRET: "秘密", Secrecy.CONFIDENTIAL: "机密", Secrecy.TOP_SECRET: "绝密"}


class Layout(models.TextChoices):
    """How the document is printed: GB/T 9704 §7, or one of the special layouts of §10."""

    BY_TYPE = "", _("By document type (命令 as an order, 纪要 as minutes, 函 as a letter)")
    STANDARD = "standard", _("Standard (文件格式)")
    LETTER = "letter", _("Letter (信函格式)")
    ORDER = "order", _("Order (命令(令)格式)")
    MINUTES = "minutes", _("Minutes (纪要格式)")


LAYOUT_BY_TYPE = {DocType.ORDER: Layout.ORDER, DocType.MINUTES: Layout.MINUTES, DocType.LETTER: Layout.LETTER}
ATTENDANCE_LABELS = ("出席", "请假", "列席")
# 份号 has six digits; each copy is rendered (≈ 0.2 s a copy after the first), so a print run is bounded.
MAX_COPIES = 100


class Urgency(models.TextChoices):
    NORMAL = "", _("Normal")
    URGENT = "加急", _("Urgent (加急)")
    EXTRA_URGENT = "特急", _("Extra urgent (特急)")


class IssuerCode(models.Model):
    """机关代字: maintained per unit by administrators, e.g. 市水发 (documents), 市水函 (letters)."""

    unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    code = models.CharField(_("issuer code"), max_length=20)
    description = models.CharField(_("used for"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["unit_id", "code"]
        constraints = [models.UniqueConstraint(fields=["code"], name="documents_unique_issuer_code")]
        verbose_name = _("issuer code")
        verbose_name_plural = _("issuer codes")

    def __str__(self) -> str:
        return self.code


class Registry(models.Model):
    """A unit's document office (收发室 / 文书): who signs for, registers, prints and dispatches."""

    unit = models.OneToOneField(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    clerks = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("registry clerks"))
    office_name = models.CharField(_("printing office (印发机关)"), max_length=100, help_text=_("e.g. 市水务局办公室"))
    incoming_code = models.CharField(_("incoming register code"), max_length=20, default="收",
                                     help_text=_("收文编号 reads 代字〔year〕n号, e.g. 收〔2026〕12号"))
    handling_days = models.PositiveSmallIntegerField(_("default handling time (working days)"), default=10)

    class Meta:
        verbose_name = _("document registry")
        verbose_name_plural = _("document registries")

    def __str__(self) -> str:
        return self.office_name


class NumberSequence(models.Model):
    """One counter per (代字, year); the row is locked while a number is taken."""

    code = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "year"], name="documents_unique_sequence")]

    def __str__(self) -> str:
        return f"{self.code}〔{self.year}〕{self.last}"


class Document(models.Model):
    class Direction(models.TextChoices):
        OUTGOING = "out", _("Outgoing")
        INCOMING = "in", _("Incoming")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_PROGRESS = "in_progress", _("In progress")
        SIGNED = "signed", _("Signed off")
        REGISTERED = "registered", _("Registered")
        DISPATCHED = "dispatched", _("Dispatched")
        AWAITING_RECEIPT = "awaiting", _("Awaiting receipt")
        HANDLING = "handling", _("Being handled")
        CLOSED = "closed", pgettext_lazy("document state", "Closed")
        SENT_BACK = "sent_back", _("Sent back")
        CANCELLED = "cancelled", pgettext_lazy("document state", "Cancelled")

    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, db_index=True)
    unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("drafting department"))
    doc_type = models.CharField(_("document type"), max_length=4, choices=DocType.choices, default=DocType.NOTICE)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    classification = models.PositiveSmallIntegerField(_("data classification"), default=0)
    secrecy = models.PositiveSmallIntegerField(_("secrecy (密级)"), choices=Secrecy.choices, default=Secrecy.NONE)
    secrecy_period = models.CharField(_("secrecy period"), max_length=20, blank=True, help_text=_("e.g. 1年"))
    copies = models.PositiveIntegerField(_("copies printed"), default=0)
    urgency = models.CharField(_("urgency"), max_length=2, choices=Urgency.choices, default=Urgency.NORMAL, blank=True)
    issuer_mark = models.CharField(_("issuer mark (发文机关标志)"), max_length=100)
    issuer_code = models.CharField(_("issuer code"), max_length=20, blank=True)
    number = models.CharField(_("document number"), max_length=60, blank=True, db_index=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True)
    number_sequence = models.PositiveIntegerField(null=True, blank=True)
    signers = models.CharField(_("signed off by (签发人)"), max_length=100, blank=True)
    main_recipients = models.ManyToManyField(Department, related_name="+", blank=True, verbose_name=_("main recipients"))
    copied_recipients = models.ManyToManyField(Department, related_name="+", blank=True, verbose_name=_("copied recipients"))
    main_recipients_text = models.CharField(_("main recipients (主送机关)"), max_length=500, blank=True)
    copied_recipients_text = models.CharField(_("copied to (抄送机关)"), max_length=500, blank=True)
    attachments_note = models.TextField(_("attachments (附件说明)"), blank=True, help_text=_("One attachment name per line."))
    issuer_signature = models.CharField(_("issuer signature (署名)"), max_length=100, blank=True)
    written_on = models.DateField(_("date written (成文日期)"), null=True, blank=True)
    sealed = models.BooleanField(_("sealed"), default=True)
    note = models.CharField(_("note (附注)"), max_length=200, blank=True)
    layout = models.CharField(_("layout"), max_length=10, choices=Layout.choices, default=Layout.BY_TYPE, blank=True)
    co_issuers = models.TextField(_("joint issuers (联合行文)"), blank=True,
                                  help_text=_("The other issuing organs after this unit, one per line, in order."))
    signatories = models.TextField(_("signatories (命令: 职务 and name)"), blank=True,
                                   help_text=_("One organ a line, lead first: the signer's post, a space, the name, e.g. 局长 王建国."))
    attendance = models.TextField(_("attendance (纪要)"), blank=True,
                                  help_text=_("Lines starting 出席：, 请假： or 列席：, followed by the names."))
    printed_by = models.CharField(_("printed by (印发机关)"), max_length=100, blank=True)
    printed_on = models.DateField(_("printed on"), null=True, blank=True)
    drafter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafter"))
    instance = models.ForeignKey("workflow.ProcessInstance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    # The signed PDF as dispatched, kept once by the worker: every later reader gets these bytes and their signature.
    issued_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("issued file"))
    # Incoming: where it came from, when it was signed for, its register number, its handling deadline.
    source = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sent as"))
    sender_name = models.CharField(_("from (来文单位)"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    register_number = models.CharField(_("incoming register number"), max_length=60, blank=True)
    handling_due = models.DateTimeField(_("handling due"), null=True, blank=True)
    lead_department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                        verbose_name=_("lead department (主办)"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reply = models.TextField(_("reply (答复)"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The lists (收文, 发文) in their order: the first page walks this index and stops after 20 rows
            # instead of sorting every visible document (benchmarks/documents.py).
            models.Index(fields=["direction", "-created_at", "-id"], name="documents_by_direction"),
            models.Index(fields=["direction", "unit", "-created_at"], name="documents_by_unit"),
            models.Index(fields=["direction", "state", "-created_at"], name="documents_by_state"),
            models.Index(fields=["handling_due"], name="documents_by_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["issuer_code", "number_year", "number_sequence"], name="documents_unique_number"),
        ]
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")

    def __str__(self) -> str:
        return self.title

    @property
    def print_layout(self) -> str:
        """The layout chosen, or the one its 文种 implies (GB/T 9704 §10)."""
        return self.layout or LAYOUT_BY_TYPE.get(self.doc_type, Layout.STANDARD)  # type: ignore[call-overload]

    @property
    def is_upward(self) -> bool:
        return self.doc_type in UPWARD_TYPES

    @property
    def is_editable(self) -> bool:
        """The text may change until 签发; after it only a new draft changes what was signed."""
        return self.direction == self.Direction.OUTGOING and self.state in (self.State.DRAFT, self.State.IN_PROGRESS)

    @property
    def subject(self) -> str:
        return f"documents.document:{self.pk}"


class NumberRecord(models.Model):
    """The numbering register (发文登记簿): every number taken, and what became of it."""

    class State(models.TextChoices):
        USED = "used", _("In use")
        VOIDED = "voided", _("Voided")

    code = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="number_records")
    state = models.CharField(max_length=8, choices=State.choices, default=State.USED)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "year", "sequence", "id"]
        indexes = [models.Index(fields=["code", "year", "state", "sequence"])]
        verbose_name = _("number record")
        verbose_name_plural = _("number records")

    def __str__(self) -> str:
        return f"{self.code}〔{self.year}〕{self.sequence}号"


class Version(models.Model):
    """One saved state of the title and text (痕迹保留): who, when, at which step."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    step_name = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documents_unique_version")]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class Attachment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=10, default="attachment")  # attachment, scan (a paper original)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["document", "order", "id"]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.file_id}"


class Delivery(models.Model):
    """One recipient unit of a dispatched document: sent, signed for (签收) or sent back."""

    class Kind(models.TextChoices):
        MAIN = "main", _("Main recipient")
        COPY = "copy", _("Copied")

    class State(models.TextChoices):
        SENT = "sent", _("Awaiting receipt")
        RECEIVED = "received", _("Signed for")
        SENT_BACK = "sent_back", _("Sent back")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="deliveries")
    unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.MAIN)
    incoming = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="delivery")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENT)
    sent_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(_("reason sent back"), max_length=500, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["document", "unit"], name="documents_one_delivery_per_unit")]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.document_id} → {self.unit_id}"


class Instruction(models.Model):
    """领导批示: the leader's words, and the pen strokes drawn on the 收文处理单 (SVG path data)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="instructions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("instruction"))
    ink = models.TextField(_("handwriting"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]
