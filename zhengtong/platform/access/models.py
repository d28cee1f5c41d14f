"""Roles, role assignments, object grants and classification levels."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengtong.platform.access.permissions import BUILTIN_ROLE_LABELS


class ClassificationLevel(models.Model):
    """One data classification level (公开 / 内部 / 敏感 by default). Higher rank, more restricted."""

    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("classification level")
        verbose_name_plural = _("classification levels")

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    is_builtin = models.BooleanField(_("built in"), default=False)
    is_admin_role = models.BooleanField(_("administrator role"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language: built-in roles are translated by code."""
        return str(BUILTIN_ROLE_LABELS[self.code]) if self.is_builtin and self.code in BUILTIN_ROLE_LABELS else self.name


class RoleAssignment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="access_unique_role_assignment")]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.user} → {self.role}"


class ObjectGrant(models.Model):
    """Permission to perform one action on one object, granted to one person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="object_grants")
    action = models.CharField(_("action"), max_length=100)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(_("object id"), max_length=64)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "action", "content_type", "object_id"], name="access_unique_grant")
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("object grant")
        verbose_name_plural = _("object grants")

    def __str__(self) -> str:
        return f"{self.user}: {self.action} {self.content_type.model}#{self.object_id}"
