"""The back office for documents: the system administrator keeps 机关代字 and registries (through services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from zhengtong.apps.documents import services
from zhengtong.apps.documents.models import IssuerCode, NumberRecord, Registry
from zhengtong.backoffice import ReadOnlyAdmin, ServiceAdmin


@admin.register(IssuerCode)
class IssuerCodeAdmin(ServiceAdmin):
    """Codes are added, never renamed: numbers already issued under a code must keep meaning the same."""

    list_display = ("code", "unit", "description", "is_active")
    list_select_related = ("unit",)
    fields = ("unit", "code", "description")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: IssuerCode, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        obj.pk = services.add_issuer_code(acting_user=request.user, unit=obj.unit, code=obj.code, description=obj.description).pk


@admin.register(Registry)
class RegistryAdmin(ServiceAdmin):
    list_display = ("office_name", "unit", "incoming_code", "handling_days")
    list_select_related = ("unit",)
    fields = ("unit", "office_name", "clerks", "incoming_code", "handling_days")
    filter_horizontal = ("clerks",)

    def save_model(self, request: HttpRequest, obj: Registry, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        data = form.cleaned_data
        obj.pk = services.set_registry(acting_user=request.user, unit=data["unit"], clerks=data["clerks"], office_name=data["office_name"],
                                       incoming_code=data["incoming_code"], handling_days=data["handling_days"]).pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service has set the clerks already."""


@admin.register(NumberRecord)
class NumberRecordAdmin(ReadOnlyAdmin):
    """发文登记簿: every number taken, and the voided ones with their reasons."""

    list_display = ("__str__", "state", "reason", "taken_by", "taken_at")
    list_filter = ("state", "year", "code")
    list_select_related = ("taken_by",)
