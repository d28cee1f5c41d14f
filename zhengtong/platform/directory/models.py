"""The organisation: units and departments in one ordered tree, posts, and who holds which post.

A unit (机关/单位) is a node of kind ``unit``; departments hang below units or below other
departments, to any depth. People (accounts.User) belong through memberships, one per post
held (一人多职); at most one membership per person is primary.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.ledger.sequence import Position


class Department(models.Model):
    class Kind(models.TextChoices):
        UNIT = "unit", _("Unit")
        DEPARTMENT = "department", _("Department")
        # 领导班子 (局领导): directly under a unit; its leaders and deputies are the unit's leaders.
        LEADERSHIP = "leadership", _("Leadership")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DEPARTMENT)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("parent"))
    order = models.IntegerField(_("display order"), default=0)
    # Nullable so that many departments may have none while the ones set stay unique on every database.
    code = models.CharField(_("code"), max_length=50, null=True, blank=True, unique=True)
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True,
                                   help_text=_("The identifier an external system (HR, a higher-level directory) knows it by."))
    phone = models.CharField(_("office phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_confidential = models.BooleanField(
        _("confidential"), default=False,
        help_text=_("Hidden from everyone outside it (its own people and those of the departments below it still see it)."),
    )
    # Materialised path of ids ("/1/4/9/"): subtree questions are one indexed prefix query, and a
    # move rewrites the prefix of the subtree in one UPDATE.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["order", "name", "id"]
        indexes = [models.Index(fields=["parent", "order"])]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Post(models.Model):
    """A post (职务) within a department: 处长, 副处长, 科员 …"""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="posts", verbose_name=_("department"))
    name = models.CharField(_("name"), max_length=100)
    order = models.IntegerField(_("display order"), default=0)
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["department", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="directory_unique_post_name")]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return f"{self.department.display_name} {self.name}"


class Membership(models.Model):
    """One person in one department, in one post (一人多职: one row per post held)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("department"))
    post = models.ForeignKey(Post, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships", verbose_name=_("post"))
    is_primary = models.BooleanField(_("primary"), default=False)
    is_leader = models.BooleanField(_("leader"), default=False, help_text=_("Heads the department (several may)."))
    is_deputy = models.BooleanField(_("deputy"), default=False, help_text=_("A deputy head of the department."))
    order = models.IntegerField(_("display order"), default=0)
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["department", "order", "id"]
        constraints = [
            # MariaDB ignores conditional constraints; services.add_membership enforces the rule there.
            models.UniqueConstraint(fields=["user"], condition=Q(is_primary=True), name="directory_one_primary_membership"),
            models.UniqueConstraint(fields=["user", "department", "post"], name="directory_unique_membership"),
        ]
        indexes = [models.Index(fields=["department", "order"])]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.department.display_name}{' ' + self.post.name if self.post else ''}"


class Person(models.Model):
    """What the directory knows of a person beyond their account."""

    class Status(models.TextChoices):
        ON_DUTY = "on_duty", _("On duty")
        TRAVELLING = "travelling", _("On a business trip")
        ON_LEAVE = "on_leave", _("On leave")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, primary_key=True,
                                related_name="directory_person", verbose_name=_("person"))
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    superior = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("direct superior"),
                                 help_text=_("Set only where the superior is not simply the department's leader."))
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ON_DUTY)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return str(self.user)


class Group(models.Model):
    """A group across departments: 党组, 项目组, 应急小组 …"""

    class Kind(models.TextChoices):
        PARTY = "party", _("Party group")
        PROJECT = "project", _("Project group")
        EMERGENCY = "emergency", _("Emergency group")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    description = models.CharField(_("description"), max_length=300, blank=True)
    unit = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="groups",
                             verbose_name=_("unit"))
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    order = models.IntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name", "id"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members", verbose_name=_("group"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_memberships",
                             verbose_name=_("person"))
    is_leader = models.BooleanField(_("leader"), default=False)
    order = models.IntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["group", "-is_leader", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="directory_unique_group_member")]
        verbose_name = _("group member")
        verbose_name_plural = _("group members")

    def __str__(self) -> str:
        return f"{self.group} · {self.user}"


class SearchTerm(models.Model):
    """One way a person can be found: name, full pinyin, initials, department, post, group …

    Terms are lower-case; a query is an indexed range scan (``term >= q AND term < q + U+FFFF``)
    that works alike on every database.
    """

    class Kind(models.TextChoices):
        NAME = "name", _("Name")
        PINYIN = "pinyin", _("Full pinyin")
        INITIALS = "initials", _("Initials")
        USERNAME = "username", _("Username")
        DEPARTMENT = "department", _("Department")
        POST = "post", _("Post")
        GROUP = "group", _("Group")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # 0 for the preferred reading; higher for alternative readings of polyphonic characters
    # (search.py: 1 alternative readings, 2 tails of the name for the fuzzy tier).
    rank = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # The person's name in pinyin order, copied here so that the index below returns the
    # people matching one term already in name order: a search stops after ``limit`` rows
    # even when 90,000 people hold the post 科员.
    sort_key = models.CharField(max_length=200, default="")

    class Meta:
        indexes = [models.Index(fields=["rank", "term", "sort_key", "user"], name="directory_search_lookup"),
                   models.Index(fields=["user"])]

    def __str__(self) -> str:
        return f"{self.term} ({self.kind})"


class ContactUse(models.Model):
    """Whom a person looked up or called, for "recent" and "frequent" contacts."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uses = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "contact"], name="directory_unique_contact_use")]
        indexes = [models.Index(fields=["owner", "-last_used_at"]), models.Index(fields=["owner", "-uses"])]

    def __str__(self) -> str:
        return f"{self.owner_id} → {self.contact_id} ×{self.uses}"


class FieldRestriction(models.Model):
    """An administrator's rule narrowing who sees a contact field of some people.

    Example: the mobile numbers of leaders are visible only within their own department.
    """

    class Field(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        EMAIL = "email", _("E-mail")
        OFFICE_PHONE = "office_phone", _("Office phone")

    class Subjects(models.TextChoices):
        LEADERS = "leaders", _("Leaders (heads and deputies)")
        EVERYONE = "everyone", _("Everyone")
        DEPARTMENT = "department", _("People of one department and below")

    class Audience(models.TextChoices):
        SAME_DEPARTMENT = "same_department", _("Their own department")
        SAME_UNIT = "same_unit", _("Their own unit")
        NOBODY = "nobody", _("Nobody")

    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    subjects = models.CharField(_("applies to"), max_length=12, choices=Subjects.choices)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("department"))
    audience = models.CharField(_("visible to"), max_length=20, choices=Audience.choices)

    class Meta:
        verbose_name = _("field restriction")
        verbose_name_plural = _("field restrictions")

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.get_subjects_display()} → {self.get_audience_display()}"


class ChangeEvent(models.Model):
    """The change feed: one row per change to the organisation, at a position in commit order.

    Integrated systems read it with ``since=<position>``; webhooks deliver the same rows.
    """

    class Entity(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        POST = "post", _("Post")
        PERSON = "person", _("Person")
        MEMBERSHIP = "membership", _("Membership")
        GROUP = "group", _("Group")

    occurred_at = models.DateTimeField(default=timezone.now)
    entity = models.CharField(max_length=12, choices=Entity.choices)
    entity_id = models.CharField(max_length=64)
    external_id = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=20)
    data = models.JSONField(default=dict)
    # Empty until the sequencer numbers the committed row (ledger/sequence.py).
    seq = Position()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"@{self.seq} {self.entity} {self.entity_id} {self.action}"


class Webhook(models.Model):
    """An integrated application that wants the change feed pushed to it, signed with HMAC."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100)
    entities = models.JSONField(_("entities"), default=list, blank=True, help_text=_("Empty: every kind of change."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (gave up)")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook"))
    event = models.ForeignKey(ChangeEvent, on_delete=models.CASCADE, related_name="+", verbose_name=_("change"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["webhook", "event"], name="directory_unique_delivery")]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.webhook} #{self.event_id} {self.state}"


class Seal(models.Model):
    """A unit's official seal (印章) as the image its documents carry (GB/T 9704 7.3.5.1).

    A PNG with a transparent background, so the 署名 and the date show through where it presses
    on them; set by the unit's administrator through ``services.set_seal``.
    """

    unit = models.OneToOneField(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"),
                                limit_choices_to={"kind": Department.Kind.UNIT})
    image = models.BinaryField(_("seal image"))
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                                    verbose_name=_("uploaded by"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("unit seal")
        verbose_name_plural = _("unit seals")

    def __str__(self) -> str:
        return str(self.unit)
