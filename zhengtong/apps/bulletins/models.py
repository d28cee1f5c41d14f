"""工作动态: short news items staff publish about their work, labelled with a classification."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Bulletin(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The author's unit, whose staff read the item; none when the author belonged to no unit.
    unit = models.ForeignKey("directory.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("unit"))
    classification = models.PositiveSmallIntegerField(_("classification"), default=0)
    published_at = models.DateTimeField(_("published at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("work news item")
        verbose_name_plural = _("work news")
        indexes = [models.Index(fields=["classification", "-published_at"])]

    def __str__(self) -> str:
        return self.title
