"""The one to-do list: a denormalised entry per person per thing waiting for them.

Every app (and every integrated outside system) keeps its own tables; what the list shows is
copied here, through ``services.put``, so that a person's first page of any tab is one index
range scan over (user, tab, sort key), never a join across apps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Entries without a due date sort after every dated one. A real column (not NULLS LAST) keeps the
# order inside the index on every database: SQLite and MariaDB cannot index NULLS LAST.
UNDATED = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


class IntegratedSystem(models.Model):
    """An outside system that pushes to-dos and notices for its users with its own token."""

    class Scope(models.TextChoices):
        TODOS = "todos", _("Push to-dos")
        NOTICES = "notices", _("Send notices")
        # Post into the chat groups it was added to (as a bot; the chat app keeps the groups).
        CHAT = "chat", _("Post in chat groups")

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    # Links the system pushes must lie under this address (its own pages).
    base_url = models.URLField(_("base address"), max_length=300)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("integrated application")
        verbose_name_plural = _("integrated applications")

    def __str__(self) -> str:
        return self.name


class Entry(models.Model):
    class Tab(models.TextChoices):
        TODO = "todo", _("To do")
        TO_READ = "to_read", _("To read")
        DONE = "done", _("Done")
        STARTED = "started", _("Started by me")
        COPIED = "copied", _("Copied to me")
        DRAFTS = "drafts", _("Drafts")

    class State(models.TextChoices):
        OPEN = "open", _("Open")  # waiting: to do, unread, running, draft
        CLOSED = "closed", _("Closed")  # done, read, ended

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The app the list files it under (its filter and label): an installed app's key or a system's code.
    app = models.CharField(_("app"), max_length=40)
    # What the entry stands for: "<declaring app>.<kind>", e.g. "workflow.item", "documents.delivery",
    # "todo.external"; with ``object_id`` it names the record, and its in-place actions.
    kind = models.CharField(max_length=60)
    object_id = models.CharField(max_length=150)
    system = models.ForeignKey(IntegratedSystem, on_delete=models.CASCADE, null=True, blank=True, related_name="entries")
    title = models.CharField(_("title"), max_length=300)
    subtitle = models.CharField(_("step"), max_length=200, blank=True)
    link = models.CharField(_("link"), max_length=500)
    sender_name = models.CharField(_("from"), max_length=100, blank=True)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=100, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    classification = models.PositiveSmallIntegerField(default=0)
    tab = models.CharField(_("tab"), max_length=10, choices=Tab.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    # The in-place action codes the source offers on this entry now (each declared in a manifest).
    actions = models.JSONField(default=list, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    due_sort = models.DateTimeField(default=UNDATED)
    created_at = models.DateTimeField(_("arrived at"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Whether the worker has looked at the entry for its arrival notice (a new open to-do gets one).
    arrival_seen = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id", "user"], name="todo_one_entry_per_person")]
        indexes = [
            # The first page of each tab in each order, and the counts, are ranges of these. A closed
            # to-do moves to the 已办 tab, so the 待办 tab holds open entries only and needs no state column.
            models.Index(fields=["user", "tab", "due_sort", "-created_at", "-id"], name="todo_by_due"),
            models.Index(fields=["user", "tab", "-created_at", "-id"], name="todo_by_arrival"),
            models.Index(fields=["user", "tab", "-completed_at", "-id"], name="todo_by_completion"),
            models.Index(fields=["arrival_seen", "id"], name="todo_arrivals"),
        ]
        verbose_name = _("to-do entry")
        verbose_name_plural = _("to-do entries")

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.due_sort = self.due_at or UNDATED
        super().save(*args, **kwargs)
