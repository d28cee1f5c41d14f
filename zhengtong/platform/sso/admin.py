"""Back office for single sign-on: the system administrator registers relying parties and ends tokens.

django-oauth-toolkit registers its models with the classes named in ``OAUTH2_PROVIDER`` (the
``*_ADMIN_CLASS`` settings): these. Registrations change through ``services`` (audited); a
client secret is shown once, in the confirmation message. Tokens, codes and ID tokens are only
listed; an access token is revoked by an action.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AccessToken, Application

from zhengtong.backoffice import ReadOnlyAdmin, ServiceAdmin
from zhengtong.platform.sso import services
from zhengtong.platform.sso.models import LogoutChannel


class ClientForm(forms.ModelForm):
    backchannel_logout_uri = forms.URLField(
        label=_("back-channel logout address"), required=False, max_length=300, assume_scheme="https",
        help_text=_("Where the system is told, server to server, that a person has signed out here (OIDC Back-Channel Logout)."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = LogoutChannel.objects.filter(client_id=self.instance.pk).first() if self.instance.pk else None
        self.fields["backchannel_logout_uri"].initial = channel.uri if channel else ""

    class Meta:
        model = Application
        fields = services.FIELDS
        labels = {"skip_authorization": _("trusted internal system (no consent page)")}
        help_texts = {
            "redirect_uris": _("One address per line (or separated by spaces), exactly as the system sends it."),
            "post_logout_redirect_uris": _("Where the system may send people after signing out, one per line."),
            "allowed_origins": _("Origins (https://host) whose pages may call the token endpoint from the browser."),
            "client_type": _("Confidential: a server that keeps a secret. Public: a browser or mobile app (PKCE only)."),
            "authorization_grant_type": _("Authorization code: people sign in. Client credentials: system-to-system calls."),
        }


class ClientAdmin(ServiceAdmin):
    form = ClientForm
    list_display = ("name", "client_id", "client_type", "authorization_grant_type", "skip_authorization", "created")
    list_filter = ("client_type", "authorization_grant_type", "skip_authorization")
    search_fields = ("name", "client_id")
    readonly_fields = ("client_id", "created", "updated")
    actions = ["remove"]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return (*services.FIELDS, "backchannel_logout_uri") if obj is None else \
            ("client_id", *services.FIELDS, "backchannel_logout_uri", "created", "updated")

    def save_model(self, request: HttpRequest, obj: Application, form: Any, change: bool) -> None:
        data = {field: form.cleaned_data[field] for field in (*services.FIELDS, "backchannel_logout_uri")}
        if change:
            services.change_client(acting_user=request.user, client=obj, **data)
            return
        client, secret = services.register_client(acting_user=request.user, **data)
        obj.pk = client.pk
        self.message_user(request, gettext("Client ID: %(id)s") % {"id": client.client_id}, messages.SUCCESS)
        if secret:
            self.message_user(request, gettext("Copy the client secret now; it is not shown again: %(secret)s") % {"secret": secret},
                              messages.WARNING)

    @admin.action(description=_("Remove the chosen relying parties (their tokens end)"))
    def remove(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        for client in queryset:
            services.remove_client(acting_user=request.user, client=client)


class AccessTokenAdmin(ReadOnlyAdmin):
    list_display = ("application", "user", "scope", "created", "expires")
    list_filter = ("application",)
    search_fields = ("user__username", "application__name")
    # The token itself is never shown: only who holds it, for what, until when.
    fields = ("application", "user", "scope", "created", "expires")
    actions = ["revoke"]

    @admin.action(description=_("Revoke the chosen tokens (and their refresh tokens)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        for token in queryset.select_related("application"):
            services.revoke_token(acting_user=request.user, token=token)


class RefreshTokenAdmin(ReadOnlyAdmin):
    list_display = ("application", "user", "created", "revoked")
    fields = ("application", "user", "created", "revoked")


class IDTokenAdmin(ReadOnlyAdmin):
    list_display = ("application", "user", "created", "expires")
    fields = ("application", "user", "scope", "created", "expires")


class GrantAdmin(ReadOnlyAdmin):
    list_display = ("application", "user", "created", "expires")
    fields = ("application", "user", "scope", "redirect_uri", "created", "expires")
