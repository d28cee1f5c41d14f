"""What the platform keeps about a relying party beyond django-oauth-toolkit's registration, and the
back-channel logout notices waiting to be delivered."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application


class LogoutChannel(models.Model):
    """A relying party's OIDC Back-Channel Logout address: told, server to server, when a person signs out here."""

    client = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="logout_channel", verbose_name=_("relying party"))
    uri = models.URLField(_("back-channel logout address"), max_length=300)

    def __str__(self) -> str:
        return self.uri


class LogoutNotice(models.Model):
    """A signed logout token for one relying party, posted by the worker (retried until it is accepted or too old)."""

    client = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    logout_token = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["next_attempt_at", "id"]

    def __str__(self) -> str:
        return f"{self.client} #{self.pk}"
