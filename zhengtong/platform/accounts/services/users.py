"""Accounts: creating, changing, disabling and enabling people's accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, Forbidden, ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.accounts.models import User
from zhengtong.platform.accounts.services.passwords import password_error
from zhengtong.platform.accounts.services.sessions import end_sessions
from zhengtong.platform.accounts.signals import signed_out_everywhere
from zhengtong.platform.audit import services as audit

ACCOUNT_FIELDS = ("username", "display_name", "email", "mobile", "is_active", "clearance", "must_change_password")


def _snapshot(user: User) -> dict[str, Any]:
    return {field: getattr(user, field) for field in ACCOUNT_FIELDS}


def create_user(
    *,
    acting_user: User | None,
    username: str,
    display_name: str,
    password: str | None = None,
    email: str = "",
    mobile: str = "",
    clearance: int = 0,
    must_change_password: bool = True,
) -> User:
    """Create an account. ``acting_user`` None is the system itself (setup, demo data)."""
    if acting_user is not None:
        require(acting_user, perms.MANAGE_ACCOUNTS)
    username = username.strip()
    if not username:
        raise ServiceError("invalid", _("A username is required."), {"username": [_("This field is required.")]})
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("duplicate", _("That username is taken."), {"username": [_("That username is taken.")]})
    user = User(username=username, display_name=display_name.strip() or username, email=email, mobile=mobile,
                clearance=clearance, must_change_password=must_change_password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ServiceError("invalid", _("The account details are not valid."), exc.message_dict) from None
    with transaction.atomic():
        if password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise password_error(exc, "password") from None
            user.set_password(password)
            user.password_changed_at = timezone.now()
        else:
            user.set_unusable_password()
        user.save()
        audit.record("accounts.user_created", actor=acting_user, obj=user, changes=audit.diff({}, _snapshot(user)))
    return user


def update_user(*, acting_user: User | None, user: User, **changes: Any) -> User:
    if acting_user is not None:
        require(acting_user, perms.MANAGE_ACCOUNTS)
    unknown = set(changes) - {"display_name", "email", "mobile", "must_change_password"}
    if unknown:
        raise ServiceError("invalid", _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = _snapshot(user)
        for field, value in changes.items():
            setattr(user, field, value)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise ServiceError("invalid", _("The account details are not valid."), exc.message_dict) from None
        user.save()
        audit.record("accounts.user_updated", actor=acting_user, obj=user, changes=audit.diff(before, _snapshot(user)))
    return user


def disable_user(*, acting_user: User | None, user: User, reason: str = "") -> User:
    """Disable an account: it cannot sign in, and its sessions and tokens end now."""
    if acting_user is not None:
        require(acting_user, perms.MANAGE_ACCOUNTS)
        if acting_user.pk == user.pk:
            raise Forbidden("forbidden", _("You cannot disable your own account."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            return user
        user.is_active = False
        user.disabled_at = timezone.now()
        user.save(update_fields=["is_active", "disabled_at"])
        end_sessions(user)
        user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        signed_out_everywhere.send(sender=User, user=user, acting_user=acting_user)
        audit.record("accounts.user_disabled", actor=acting_user, obj=user,
                     changes={"is_active": [True, False]}, detail=reason)
    return user


def enable_user(*, acting_user: User | None, user: User) -> User:
    if acting_user is not None:
        require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            return user
        user.is_active = True
        user.disabled_at = None
        user.save(update_fields=["is_active", "disabled_at"])
        audit.record("accounts.user_enabled", actor=acting_user, obj=user, changes={"is_active": [False, True]})
    return user

