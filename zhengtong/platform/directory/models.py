"""The organisation: units and departments in one ordered tree, posts, and who holds which post.

A unit (机关/单位) is a node of kind ``unit``; departments hang below units or below other
departments, to any depth. People (accounts.User) belong through memberships, one per post
held (一人多职); at most one membership per person is primary.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    class Kind(models.TextChoices):
        UNIT = "unit", _("Unit")
        DEPARTMENT = "department", _("Department")

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
    is_leader = models.BooleanField(_("leader"), default=False)
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
