from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhengtong.platform.directory.models import Department, Membership, Post


class ReadOnlyAdmin(admin.ModelAdmin):
    """The back office shows the organisation; changes go through services so they are audited."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "parent", "order", "code", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "code", "external_id")


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ("name", "department", "order")
    list_select_related = ("department",)
    search_fields = ("name", "department__name")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "department", "post", "is_primary", "is_leader", "order")
    list_select_related = ("user", "department", "post")
    list_filter = ("is_primary", "is_leader")
    search_fields = ("user__display_name", "user__username", "department__name")
