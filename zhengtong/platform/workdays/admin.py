"""The back office shows the calendar and the clocks; changes go through the calendar pages, audited."""

from django.contrib import admin

from zhengtong.backoffice import ReadOnlyAdmin
from zhengtong.platform.workdays.models import CalendarDay, CalendarYear, Clock, MissingYear


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "kind", "name", "origin", "source")
    list_filter = ("kind", "origin")
    search_fields = ("name", "source")
    date_hierarchy = "day"


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyAdmin):
    list_display = ("year", "origin", "source", "created_at")
    list_filter = ("origin",)


@admin.register(MissingYear)
class MissingYearAdmin(ReadOnlyAdmin):
    list_display = ("year", "first_asked_at", "last_asked_at", "times_asked", "resolved_at")


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = ("owner", "label", "unit", "amount", "state", "due_at", "provisional")
    list_filter = ("state", "unit", "provisional")
    search_fields = ("owner", "label")
