from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhengtong.platform.workdays.models import CalendarDay, CalendarYear, Clock, MissingYear


class ReadOnlyAdmin(admin.ModelAdmin):
    """The back office shows the calendar and the clocks; changes go through the calendar pages so they are audited."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
