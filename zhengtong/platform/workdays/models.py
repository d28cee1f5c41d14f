"""The statutory calendar (holidays and 调休 make-up working days) and the clocks of open work.

A ``CalendarDay`` row is an exception to the plain rule "Monday to Friday work, weekends rest":
a holiday (on any weekday) or a make-up working day (调休上班, usually a weekend). A year
listed in ``CalendarYear`` has authoritative data; a day of any other year is answered
provisionally (see ``calendar.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    PACKAGE = "package", _("chinesecalendar package")
    NOTICE = "notice", _("State Council notice")
    LOCAL = "local", _("Local adjustment")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Make-up working day")


class CalendarDay(models.Model):
    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarRevision(models.Model):
    """One row, redrawn at random whenever the calendar's data changes: each process keeps the whole
    calendar in memory while the revision it read stands (a counter could repeat after a restore)."""

    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.number)


class MissingYear(models.Model):
    """A year someone's deadline needed while the calendar had no data for it: an alert to administrators."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    first_asked_at = models.DateTimeField(_("first asked at"), default=timezone.now)
    last_asked_at = models.DateTimeField(_("last asked at"), default=timezone.now)
    times_asked = models.PositiveIntegerField(_("times asked"), default=1)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("year without data")
        verbose_name_plural = _("years without data")

    def __str__(self) -> str:
        return str(self.year)

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None


class Unit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    NATURAL_DAYS = "natural_days", _("natural days")
    HOURS = "hours", _("hours")


class ClockState(models.TextChoices):
    RUNNING = "running", _("running")
    PAUSED = "paused", _("paused")
    STOPPED = "stopped", _("stopped")


class PauseReason(models.TextChoices):
    CORRECTION = "correction", _("Correction of materials (补正)")
    CONSULTATION = "consultation", _("Third-party consultation (第三方征求意见)")
    HEARING = "hearing", _("Hearing (听证)")
    EXPERT_REVIEW = "expert_review", _("Expert review (专家评审)")
    OTHER = "other", _("Other")


class Clock(models.Model):
    """The deadline of one piece of open work, e.g. a workflow task ("workflow.task:42").

    ``due_at`` is kept current by the services: at start, resume, extension and whenever the
    calendar changes. While paused it holds the due time as if the work resumed today.
    """

    owner = models.CharField(_("owner"), max_length=100, db_index=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    amount = models.PositiveIntegerField(_("amount"))
    roll_to_workday = models.BooleanField(_("move a due date off a rest day"), default=False)
    started_at = models.DateTimeField(_("started at"))
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    due_at = models.DateTimeField(_("due at"))
    provisional = models.BooleanField(_("provisional"), default=False)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        indexes = [models.Index(fields=["state", "due_at"])]

    def __str__(self) -> str:
        return f"{self.owner} {self.label}".strip()


class ClockPause(models.Model):
    """An interval in which the clock does not run; a date D is not counted when start date < D <= end date."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=20, choices=PauseReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")

    def __str__(self) -> str:
        return f"{self.clock} {self.get_reason_display()}"


class ClockExtension(models.Model):
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="extensions")
    amount = models.PositiveIntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("extended at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.clock} +{self.amount}"


class DueChange(models.Model):
    """Old → new due time of a clock, and why: people see how their deadline moved."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="due_changes")
    old_due_at = models.DateTimeField(_("old due at"))
    new_due_at = models.DateTimeField(_("new due at"))
    old_provisional = models.BooleanField(_("was provisional"))
    new_provisional = models.BooleanField(_("is provisional"))
    cause = models.CharField(_("cause"), max_length=200)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("due date change")
        verbose_name_plural = _("due date changes")

    def __str__(self) -> str:
        return f"{self.clock} {self.old_due_at:%Y-%m-%d} → {self.new_due_at:%Y-%m-%d}"
