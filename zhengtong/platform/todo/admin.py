"""Back office for integrated applications: system administrators register and revoke them.

The token is made by the service and shown once, in the confirmation message; only its hash
is kept. Applications are revoked, never deleted, so their audit trail keeps its subject.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhengtong.backoffice import ServiceAdmin
from zhengtong.platform.todo import services
from zhengtong.platform.todo.models import IntegratedSystem


class ApplicationForm(forms.ModelForm):
    base_url = forms.URLField(label=_("base address"), max_length=300, assume_scheme="https")
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=IntegratedSystem.Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = IntegratedSystem
        fields = ("name", "code", "base_url", "scopes")


@admin.register(IntegratedSystem)
class ApplicationAdmin(ServiceAdmin):
    form = ApplicationForm
    list_display = ("name", "code", "base_url", "is_active", "created_at", "last_used_at")
    readonly_fields = ("prefix", "is_active", "created_at", "last_used_at")
    actions = ["revoke", "restore"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Existing applications are revoked or restored by actions; their details are fixed.
        return obj is None and super().has_change_permission(request, obj)


    def save_model(self, request: HttpRequest, obj: IntegratedSystem, form: Any, change: bool) -> None:
        data = form.cleaned_data
        system, token = services.create_system(acting_user=request.user, name=data["name"], code=data["code"],
                                                         base_url=data["base_url"], scopes=list(data["scopes"]))
        obj.pk = system.pk
        self.message_user(request, gettext("Copy the application's token now; it is not shown again: %(token)s") % {"token": token},
                          messages.WARNING)

    @admin.action(description=_("Revoke the chosen applications"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[IntegratedSystem]) -> None:
        for application in queryset:
            services.set_system_active(acting_user=request.user, system=application, active=False)

    @admin.action(description=_("Restore the chosen applications"))
    def restore(self, request: HttpRequest, queryset: QuerySet[IntegratedSystem]) -> None:
        for application in queryset:
            services.set_system_active(acting_user=request.user, system=application, active=True)
