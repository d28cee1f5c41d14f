"""Back office for integrated applications: system administrators register and revoke them.

The token is made by the service and shown once, in the confirmation message; only its hash
is kept. Applications are revoked, never deleted, so their audit trail keeps its subject.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhengtong.apps.workbench import services
from zhengtong.apps.workbench.models import Application
from zhengtong.errors import ServiceError


class ApplicationForm(forms.ModelForm):
    base_url = forms.URLField(label=_("base address"), max_length=300, assume_scheme="https")
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=Application.Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Application
        fields = ("name", "code", "base_url", "scopes")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    form = ApplicationForm
    list_display = ("name", "code", "base_url", "is_active", "created_at", "last_used_at")
    readonly_fields = ("prefix", "is_active", "created_at", "last_used_at")
    actions = ["revoke", "restore"]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Existing applications are revoked or restored by actions; their details are fixed.
        return obj is None and super().has_change_permission(request, obj)

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as exc:
            # The admin's transaction has rolled back: nothing was saved.
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Application, form: Any, change: bool) -> None:
        data = form.cleaned_data
        application, token = services.create_application(acting_user=request.user, name=data["name"], code=data["code"],
                                                         base_url=data["base_url"], scopes=list(data["scopes"]))
        obj.pk = application.pk
        self.message_user(request, gettext("Copy the application's token now; it is not shown again: %(token)s") % {"token": token},
                          messages.WARNING)

    @admin.action(description=_("Revoke the chosen applications"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        for application in queryset:
            services.set_application_active(acting_user=request.user, application=application, active=False)

    @admin.action(description=_("Restore the chosen applications"))
    def restore(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        for application in queryset:
            services.set_application_active(acting_user=request.user, application=application, active=True)
