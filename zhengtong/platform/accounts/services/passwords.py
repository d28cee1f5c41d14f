"""Passwords: changing, resetting, expiry, history."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.accounts.models import PasswordHistory, User
from zhengtong.platform.accounts.services.sessions import PASSWORD_CHANGE_REQUIRED, end_sessions, rebind_device_session
from zhengtong.platform.audit import services as audit
from zhengtong.platform.audit.models import Outcome


def password_error(exc: ValidationError, field: str) -> ServiceError:
    messages = " ".join(exc.messages)
    return ServiceError("invalid_password" if "password" in field else "invalid", messages, {field: exc.messages})


def _store_password(user: User, new_password: str) -> None:
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise password_error(exc, "new_password") from None
    if user.password and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    keep = list(user.password_history.values_list("pk", flat=True)[: max(settings.PASSWORD_HISTORY, 1)])
    user.password_history.exclude(pk__in=keep).delete()


def change_password(*, user: User, old_password: str, new_password: str, request: HttpRequest | None = None) -> None:
    """The person changes their own password; other devices are signed out (ASVS 7.4.3)."""
    if not user.check_password(old_password):
        audit.record("accounts.password_changed", actor=user, obj=user, outcome=Outcome.FAILURE, detail="wrong current password")
        message = _("Your current password is not correct.")
        raise ServiceError("wrong_password", message, {"old_password": [message]})
    with transaction.atomic():
        _store_password(user, new_password)
        keep = request.session.session_key if request is not None else None
        end_sessions(user, keep_session_key=keep)
        audit.record("accounts.password_changed", actor=user, obj=user, changes={"password": ["", ""]})
    if request is not None:
        auth.update_session_auth_hash(request, user)
        request.session.pop(PASSWORD_CHANGE_REQUIRED, None)
        rebind_device_session(request, user, old_key=keep)


def reset_password(*, acting_user: User, user: User, new_password: str) -> None:
    """An administrator sets a temporary password; the person must change it at next sign-in."""
    require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        _store_password(user, new_password)
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
        end_sessions(user)
        audit.record("accounts.password_reset", actor=acting_user, obj=user, changes={"password": ["", ""]})


def password_expired(user: User) -> bool:
    if user.must_change_password:
        return True
    if settings.PASSWORD_MAX_AGE_DAYS <= 0 or user.password_changed_at is None:
        return False
    return user.password_changed_at < timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)

