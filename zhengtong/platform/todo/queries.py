"""Reading the to-do list: a tab's page, the counts per tab and per app, the due marks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from zhengtong.platform import registry
from zhengtong.platform.access.policy import clearance_of
from zhengtong.platform.todo.models import Entry, IntegratedSystem

PAGE_SIZE = 20
SORTS = ("due", "arrival")
# Tabs whose badge counts what still waits (open entries); 已办 has no badge.
COUNTED_TABS = (Entry.Tab.TODO, Entry.Tab.TO_READ, Entry.Tab.STARTED, Entry.Tab.COPIED, Entry.Tab.DRAFTS)


@dataclass(frozen=True)
class Filters:
    tab: str = Entry.Tab.TODO
    app: str = ""
    urgency: str = ""
    overdue: bool = False
    q: str = ""
    sort: str = "due"

    @classmethod
    def parse(cls, params: Any) -> Filters:
        """From query parameters; anything unknown falls back to the default rather than failing."""
        tab = params.get("tab", "")
        sort = params.get("sort", "")
        urgency = params.get("urgency", "")
        return cls(tab=tab if tab in Entry.Tab.values else Entry.Tab.TODO, app=params.get("app", "")[:40],
                   urgency=urgency if urgency in Entry.Urgency.values else "", overdue=params.get("overdue") in ("1", "true", "on"),
                   q=params.get("q", "").strip()[:100], sort=sort if sort in SORTS else "due")


def _mine(user: Any) -> QuerySet[Entry]:
    return Entry.objects.filter(user=user, classification__lte=clearance_of(user))


def entries(user: Any, filters: Filters) -> QuerySet[Entry]:
    """One tab, filtered and ordered so that its first page is a range of one index."""
    items = _mine(user).filter(tab=filters.tab)
    if filters.app:
        items = items.filter(app=filters.app)
    if filters.urgency:
        items = items.filter(urgency=filters.urgency)
    if filters.overdue:
        items = items.filter(state=Entry.State.OPEN, due_at__lt=timezone.now())
    if filters.q:
        items = items.filter(title__icontains=filters.q)
    if filters.tab == Entry.Tab.DONE:
        return items.order_by("-completed_at", "-id")
    if filters.tab == Entry.Tab.TODO and filters.sort == "due":
        return items.order_by("due_sort", "-created_at", "-id")
    return items.order_by("-created_at", "-id")


def tab_counts(user: Any) -> dict[str, int]:
    rows = _mine(user).filter(tab__in=COUNTED_TABS, state=Entry.State.OPEN).values_list("tab").annotate(count=Count("id"))
    return dict.fromkeys((str(tab) for tab in COUNTED_TABS), 0) | dict(rows)


def app_counts(user: Any) -> dict[str, int]:
    """To-dos per app, for the app filter."""
    rows = _mine(user).filter(tab=Entry.Tab.TODO).values_list("app").annotate(count=Count("id")).order_by("app")
    return dict(rows)


def mark(entry: Entry, now: datetime | None = None) -> str:
    """"red" once overdue, "yellow" from the warning time, else "" — for what is still open."""
    if entry.state != Entry.State.OPEN or entry.due_at is None:
        return ""
    now = now or timezone.now()
    if entry.due_at <= now:
        return "red"
    if entry.warn_at is not None and entry.warn_at <= now:
        return "yellow"
    return ""


def app_labels() -> dict[str, str]:
    """Display names of the apps entries come from: the installed apps, then the integrated systems."""
    installed = {key: str(manifest.label) for key, manifest in registry.current().apps.items()}
    return {**installed, **dict(IntegratedSystem.objects.values_list("code", "name"))}
