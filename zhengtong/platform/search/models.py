"""A relational inverted index: plain tables and B-tree indexes, so search behaves the same on
SQLite, PostgreSQL and MariaDB (no database-specific full-text engine, no Chinese parser plug-in).

One ``Entry`` per indexed object (``kind`` is its model label, e.g. "documents.document") and
one ``Term`` per distinct token of its text. A query looks each token up through the
(token, entry) index and intersects the entries. It is derived data: ``services.index``
rewrites it whenever the object changes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

TITLE_WEIGHT = 3
BODY_WEIGHT = 1


class Entry(models.Model):
    kind = models.CharField(_("kind"), max_length=100)
    object_id = models.BigIntegerField(_("object id"))
    # When the object was last indexed: ranking breaks ties by recency.
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object")]
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id}"


class Term(models.Model):
    """One distinct token of one entry; weight 3 if it occurs in the title, else 1."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="terms", verbose_name=_("search entry"))
    token = models.CharField(_("token"), max_length=32)
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        # The lookup index (token first), and at most one row per token per entry.
        constraints = [models.UniqueConstraint(fields=["token", "entry"], name="search_term_token_entry")]
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.token
