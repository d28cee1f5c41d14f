"""The back office for the organisation: read-only views, webhooks through services, the delivery log."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhengtong.backoffice import ReadOnlyAdmin, ServiceAdmin
from zhengtong.platform.directory import services
from zhengtong.platform.directory.models import ChangeEvent, Department, Membership, Post, Seal, Webhook, WebhookDelivery


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


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("address"), max_length=500, assume_scheme="https")
    entities = forms.MultipleChoiceField(label=_("entities"), choices=ChangeEvent.Entity.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every kind of change."))
    secret = forms.CharField(label=_("signing secret"), required=False, max_length=100,
                             help_text=_("Shared with the receiving application. Left empty: a new one is made (when adding) "
                                         "or the current one is kept (when changing)."))

    class Meta:
        model = Webhook
        fields = ("name", "url", "secret", "entities", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["secret"] = ""  # never shown again once stored


@admin.register(Webhook)
class WebhookAdmin(ServiceAdmin):
    """Webhooks are added, changed and deactivated through services (checked, audited); never deleted."""

    form = WebhookForm
    list_display = ("name", "url", "is_active", "created_at")
    list_filter = ("is_active",)
    actions = ["deactivate_selected"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {field: form.cleaned_data[field] for field in ("name", "url", "entities")}
        if not change:
            created = services.create_webhook(acting_user=request.user, secret=form.cleaned_data["secret"], **data)
            obj.pk = created.pk
            obj.refresh_from_db()
            if not form.cleaned_data["secret"]:
                self.message_user(request, gettext("Signing secret, shown only now: %(secret)s") % {"secret": created.secret},
                                  messages.WARNING)
            return
        if form.cleaned_data["secret"]:
            data["secret"] = form.cleaned_data["secret"]
        services.update_webhook(acting_user=request.user, webhook=obj, is_active=form.cleaned_data["is_active"], **data)


    @admin.action(description=_("Deactivate selected webhooks"))
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        for webhook in queryset:
            services.update_webhook(acting_user=request.user, webhook=webhook, is_active=False)
        self.message_user(request, gettext("Webhooks deactivated: %(count)d.") % {"count": queryset.count()})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: what was sent where, how often it was tried and how the last try ended."""

    list_display = ("id", "webhook", "event", "state", "attempts", "last_status", "last_error", "next_attempt_at", "delivered_at")
    list_filter = ("state", "webhook")
    list_select_related = ("webhook", "event")
    search_fields = ("last_error", "event__external_id")


class SealForm(forms.ModelForm):  # type: ignore[type-arg]
    upload = forms.FileField(label=_("Seal image (PNG with a transparent background)"))

    class Meta:
        model = Seal
        fields = ("unit",)


@admin.register(Seal)
class SealAdmin(ServiceAdmin):
    """A unit's seal image, set through ``services.set_seal`` (checked as a PNG with transparency, audited)."""

    form = SealForm
    list_display = ("unit", "uploaded_by", "uploaded_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        seal = services.set_seal(acting_user=request.user, unit=form.cleaned_data["unit"], upload=form.cleaned_data["upload"])
        obj.pk = seal.pk
        obj.refresh_from_db()
