"""People's accounts, their credentials, sign-in throttles, sessions and API tokens."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)

    def identity_changed(self, user_ids: Iterable[int] | models.QuerySet[Any]) -> None:
        """Move these accounts' versions on, for changes kept outside the user row (roles, a role's
        permissions): what is cached under the old version is never read again."""
        self.filter(pk__in=user_ids).update(auth_version=F("auth_version") + 1)


class User(AbstractBaseUser):
    """One person's account. People are disabled, never deleted: their records stay theirs."""

    username = models.CharField(_("username"), max_length=150, unique=True, validators=[UnicodeUsernameValidator()])
    display_name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    clearance = models.PositiveSmallIntegerField(_("clearance"), default=0, help_text=_("Highest classification rank this person may see."))
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    mfa_secret = models.CharField(max_length=64, blank=True)
    mfa_enabled_at = models.DateTimeField(_("two-factor enabled at"), null=True, blank=True)
    mfa_last_step = models.BigIntegerField(default=0, help_text="Last TOTP time step used; a code is accepted once.")
    # Moves on with every change to the account and its roles; what is cached about a person
    # (tokens.authenticate_token) is keyed on it, so a change shows on the very next request.
    auth_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.username})" if self.display_name else self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        # Incremented in the database, so two concurrent changes never share a version.
        self.auth_version = F("auth_version") + 1  # type: ignore[assignment]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "auth_version"}
        super().save(*args, **kwargs)
        # Left deferred, not as the expression: read again, it is loaded from the database.
        del self.__dict__["auth_version"]

    def get_full_name(self) -> str:
        return self.display_name or self.username

    def get_short_name(self) -> str:
        return self.display_name or self.username

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_enabled_at is not None

    # Django admin asks these; the answers come from ``access``.
    @property
    def is_staff(self) -> bool:
        from zhengtong.platform.access.permissions import USE_BACK_OFFICE
        from zhengtong.platform.access.policy import can

        return can(self, USE_BACK_OFFICE)

    @property
    def is_superuser(self) -> bool:
        return False

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list: Any, obj: Any = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class RecoveryCode(models.Model):
    """A one-time MFA recovery code, stored hashed like a password."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=255)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} #{self.pk}"


class ThrottleScope(models.TextChoices):
    ACCOUNT = "account", _("Account")
    ADDRESS = "address", _("Source address")
    CODE = "code", _("Second-factor codes")
    TOKEN = "token", _("Source address of API tokens")


class SignInThrottle(models.Model):
    """Failed sign-ins counted per account name (passwords and second-factor codes apart) and per
    source address, and wrong API tokens per address.

    Keyed by the name typed, not by a user row, so that a name that does not exist locks
    exactly like one that does and the lock reveals nothing.
    """

    scope = models.CharField(_("scope"), max_length=10, choices=ThrottleScope.choices)
    key = models.CharField(_("key"), max_length=150)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_started_at = models.DateTimeField(_("window started"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="accounts_unique_throttle")]
        verbose_name = _("sign-in lock")
        verbose_name_plural = _("sign-in locks")

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key}"

    def is_locked(self, now: Any = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class UserSession(models.Model):
    """A signed-in device: what "my sessions" lists and "sign out of all devices" ends."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="device_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    source_ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.source_ip}"


class ApiToken(models.Model):
    """A personal API token. Only a hash is kept; the token is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_usable(self, now: Any = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
