"""Base classes for the back office (后台): every change goes through a service.

Apps' ``admin.py`` build on these so that a service's refusal becomes a message rather than a
server error, nothing is ever deleted through the back office, and rows the platform alone
creates are only listed (and acted on through admin actions that call services).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from zhengtong.errors import ServiceError


class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Saves go through the app's services (overridden ``save_model``); nothing is deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as exc:
            # The admin's transaction has rolled back with the refusal: nothing was saved.
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(ServiceAdmin):
    """Rows that only the platform creates and changes: listed, and acted on by admin actions."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
