"""The back office (后台) for accounts: system administrators only.

The admin site asks ``user.is_staff``, which ``access`` answers from the back-office
permission, so the security and audit administrators never get in. Every change goes
through ``accounts.services`` (permission check, one transaction, audit record): people are
disabled, never deleted; locks, sessions and tokens are lifted, ended and revoked by actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhengtong.backoffice import ReadOnlyAdmin, ServiceAdmin
from zhengtong.errors import ServiceError
from zhengtong.platform.accounts import services
from zhengtong.platform.accounts.models import ApiToken, SignInThrottle, User, UserSession


def _acting(request: HttpRequest) -> User:
    # The admin site lets only back-office users (system administrators) this far.
    return cast(User, request.user)


def _run_action(request: HttpRequest, queryset: QuerySet[Any], call: Callable[[Any], object], done: str) -> None:
    """Apply a service call to each selected row; report how many succeeded and each refusal."""
    succeeded = 0
    for item in queryset:
        try:
            call(item)
        except ServiceError as exc:
            messages.error(request, f"{item}: {exc.message}")
        else:
            succeeded += 1
    if succeeded:
        messages.success(request, done % {"count": succeeded})


# --- Users -----------------------------------------------------------------------------


def _password_errors(password: str, user: User) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


class UserCreationAdminForm(forms.ModelForm):
    initial_password = forms.CharField(
        label=_("Initial password"), required=False, strip=False, widget=forms.PasswordInput,
        help_text=_("Leave empty to create the account without a usable password. The person must change it at first sign-in."),
    )

    class Meta:
        model = User
        fields = ("username", "display_name", "email", "mobile")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("initial_password")
        if password:
            candidate = User(username=data.get("username", ""), display_name=data.get("display_name", ""))
            for message in _password_errors(password, candidate):
                self.add_error("initial_password", message)
        return data


class UserChangeAdminForm(forms.ModelForm):
    new_password = forms.CharField(
        label=_("New temporary password"), required=False, strip=False, widget=forms.PasswordInput,
        help_text=_("Leave empty to keep the password. A new one ends the person's sessions and must be changed at next sign-in."),
    )

    class Meta:
        model = User
        fields = ("display_name", "email", "mobile", "must_change_password", "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("new_password")
        if password:
            for message in _password_errors(password, self.instance):
                self.add_error("new_password", message)
        return data


class TwoFactorFilter(admin.SimpleListFilter):
    title = _("two-factor authentication")
    parameter_name = "mfa"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("on", _("On")), ("off", _("Off"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("on", "off"):
            return queryset.filter(mfa_enabled_at__isnull=self.value() == "off")
        return queryset


@admin.register(User)
class UserAdmin(ServiceAdmin):
    list_display = ("username", "display_name", "is_active", "two_factor", "date_joined", "last_login")
    list_filter = ("is_active", TwoFactorFilter)
    search_fields = ("username", "display_name")
    ordering = ("username",)
    actions = ("disable_selected", "enable_selected")
    add_fields = ("username", "display_name", "email", "mobile", "initial_password")
    change_fields = (
        "username", "display_name", "email", "mobile", "new_password", "must_change_password", "is_active",
        "clearance", "date_joined", "disabled_at", "last_login", "password_changed_at", "mfa_enabled_at",
    )
    # Clearance belongs to the security administrator (安全管理), not to the back office.
    change_readonly_fields = ("username", "clearance", "date_joined", "disabled_at", "last_login", "password_changed_at", "mfa_enabled_at")

    @admin.display(boolean=True, description=_("two-factor"))
    def two_factor(self, obj: User) -> bool:
        return obj.mfa_enabled

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = UserChangeAdminForm if obj is not None else UserCreationAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.change_fields if obj is not None else self.add_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.change_readonly_fields if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = services.create_user(
                acting_user=_acting(request), username=data["username"], display_name=data["display_name"],
                password=data["initial_password"] or None, email=data["email"], mobile=data["mobile"],
            )
            # The admin goes on to log and redirect with this object: make it the saved one.
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        editable = ("display_name", "email", "mobile", "must_change_password")
        updates = {field: data[field] for field in editable if field in form.changed_data}
        if updates:
            services.update_user(acting_user=_acting(request), user=obj, **updates)
        if "is_active" in form.changed_data:
            if data["is_active"]:
                services.enable_user(acting_user=_acting(request), user=obj)
            else:
                services.disable_user(acting_user=_acting(request), user=obj, reason="back office")
        if data.get("new_password"):
            services.reset_password(acting_user=_acting(request), user=obj, new_password=data["new_password"])

    @admin.action(description=_("Disable selected accounts"))
    def disable_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        _run_action(request, queryset, lambda user: services.disable_user(acting_user=_acting(request), user=user, reason="back office"),
                    gettext("Accounts disabled: %(count)d."))

    @admin.action(description=_("Enable selected accounts"))
    def enable_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        _run_action(request, queryset, lambda user: services.enable_user(acting_user=_acting(request), user=user),
                    gettext("Accounts enabled: %(count)d."))


# --- Sign-in locks, sessions, tokens -------------------------------------------------------


@admin.register(SignInThrottle)
class SignInLockAdmin(ReadOnlyAdmin):
    list_display = ("scope", "key", "failures", "locked_until")
    list_filter = ("scope",)
    search_fields = ("key",)
    actions = ("lift_locks",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SignInThrottle]:
        # Only the locks in force; counters of past failures are not the administrator's business.
        return super().get_queryset(request).filter(pk__in=[lock.pk for lock in services.active_locks()])

    @admin.action(description=_("Lift lock"))
    def lift_locks(self, request: HttpRequest, queryset: QuerySet[SignInThrottle]) -> None:
        _run_action(request, queryset, lambda lock: services.lift_lock(acting_user=_acting(request), throttle=lock),
                    gettext("Locks lifted: %(count)d."))


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdmin):
    list_display = ("user", "source_ip", "user_agent", "created_at", "last_seen_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__display_name", "source_ip")
    # The session key is a credential: whoever reads it can take the session over.
    exclude = ("session_key",)
    actions = ("end_sessions",)

    @admin.action(description=_("End session"))
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[UserSession]) -> None:
        _run_action(request, queryset.select_related("user"),
                    lambda device: services.end_session(acting_user=_acting(request), device=device), gettext("Sessions ended: %(count)d."))


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_select_related = ("user",)
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("user__username", "name", "prefix")
    exclude = ("secret_hash",)
    actions = ("revoke_tokens",)

    @admin.action(description=_("Revoke"))
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        _run_action(request, queryset.filter(revoked_at__isnull=True),
                    lambda token: services.revoke_token(acting_user=_acting(request), token=token), gettext("Tokens revoked: %(count)d."))
