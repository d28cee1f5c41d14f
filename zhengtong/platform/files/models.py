"""Attachments: one row per upload, the content kept once on disk under its SHA-256.

Rows belong to a record of some app, named by ``owner`` ("documents.document:12"), so that
the app lists its files with ``StoredFile.objects.filter(owner=owner_of(document))`` without
the files app knowing about documents.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

OWNER_MAX_LENGTH = 100


def owner_of(obj: models.Model) -> str:
    """The ``owner`` string for a record: "app_label.model:pk"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


class StoredFile(models.Model):
    name = models.CharField(_("file name"), max_length=255)
    # Both detected from the content when stored; what the client claimed is not kept.
    kind = models.CharField(_("kind"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    owner = models.CharField(_("belongs to"), max_length=OWNER_MAX_LENGTH, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.name
