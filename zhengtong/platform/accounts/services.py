"""Account operations: the only code that changes accounts, sessions, MFA and tokens.

Every operation runs in one transaction, checks ``access``, and writes its audit record in
that transaction. Sign-in failures are recorded after the transaction, so they survive.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from importlib import import_module
from typing import Any

import pyotp
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, Forbidden, ServiceError
from zhengtong.http import AuthenticatedHttpRequest, client_ip
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require, role_codes_of
from zhengtong.platform.accounts.models import (
    ApiToken,
    PasswordHistory,
    RecoveryCode,
    SignInThrottle,
    ThrottleScope,
    User,
    UserSession,
)
from zhengtong.platform.audit import services as audit
from zhengtong.platform.audit.models import Outcome

# Session keys (names, not secrets).
SESSION_STARTED = "_zt_started"
SESSION_LAST_SEEN = "_zt_last_seen"
PENDING_MFA_USER = "_zt_pending_mfa_user"
PENDING_MFA_AT = "_zt_pending_mfa_at"
MFA_ENROLMENT_REQUIRED = "_zt_mfa_enrolment_required"
PASSWORD_CHANGE_REQUIRED = "_zt_password_change_required"  # noqa: S105
MFA_PENDING_SECRET = "_zt_mfa_pending_secret"  # noqa: S105

PENDING_MFA_SECONDS = 300
TOKEN_SCOPES = {"read": "read", "write": "write"}
ACCOUNT_FIELDS = ("username", "display_name", "email", "mobile", "is_active", "clearance", "must_change_password")

# A hash computed for names that do not exist, so that a miss costs what a hit costs.
_DUMMY_PASSWORD_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_PASSWORD_HASH
    if _DUMMY_PASSWORD_HASH is None:
        _DUMMY_PASSWORD_HASH = make_password(secrets.token_urlsafe(16))
    return _DUMMY_PASSWORD_HASH


def _snapshot(user: User) -> dict[str, Any]:
    return {field: getattr(user, field) for field in ACCOUNT_FIELDS}


def _validation_error(exc: ValidationError, field: str) -> ServiceError:
    messages = " ".join(exc.messages)
    return ServiceError("invalid_password" if "password" in field else "invalid", messages, {field: exc.messages})


# --- Accounts --------------------------------------------------------------------------


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
                raise _validation_error(exc, "password") from None
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
        _end_sessions(user)
        user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
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


# --- Passwords -------------------------------------------------------------------------


def _store_password(user: User, new_password: str) -> None:
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise _validation_error(exc, "new_password") from None
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
        _end_sessions(user, keep_session_key=keep)
        audit.record("accounts.password_changed", actor=user, obj=user, changes={"password": ["", ""]})
    if request is not None:
        auth.update_session_auth_hash(request, user)
        request.session.pop(PASSWORD_CHANGE_REQUIRED, None)
        _rebind_device_session(request, user, old_key=keep)


def reset_password(*, acting_user: User, user: User, new_password: str) -> None:
    """An administrator sets a temporary password; the person must change it at next sign-in."""
    require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        _store_password(user, new_password)
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
        _end_sessions(user)
        audit.record("accounts.password_reset", actor=acting_user, obj=user, changes={"password": ["", ""]})


def password_expired(user: User) -> bool:
    if user.must_change_password:
        return True
    if settings.PASSWORD_MAX_AGE_DAYS <= 0 or user.password_changed_at is None:
        return False
    return user.password_changed_at < timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


# --- Sign-in ---------------------------------------------------------------------------


class SignInStatus(Enum):
    SIGNED_IN = "signed_in"
    MFA_REQUIRED = "mfa_required"
    LOCKED = "locked"
    INVALID = "invalid"
    WRONG_CODE = "wrong_code"


@dataclass(frozen=True)
class SignInResult:
    status: SignInStatus
    user: User | None = None

    @property
    def message(self) -> str:
        if self.status is SignInStatus.LOCKED:
            return _("Too many failed attempts. Sign-in is locked for a while; an administrator can lift the lock.")
        if self.status is SignInStatus.INVALID:
            return _("The username or password is not correct.")
        if self.status is SignInStatus.WRONG_CODE:
            return _("The code is not correct.")
        return ""


def _throttle_keys(username: str, address: str) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = [(ThrottleScope.ACCOUNT, username.strip().lower()[:150])]
    if address:
        keys.append((ThrottleScope.ADDRESS, address))
    return keys


def _is_locked(username: str, address: str) -> bool:
    now = timezone.now()
    for scope, key in _throttle_keys(username, address):
        throttle = SignInThrottle.objects.filter(scope=scope, key=key).first()
        if throttle is not None and throttle.is_locked(now):
            return True
    return False


def _count_failure(username: str, address: str) -> None:
    now = timezone.now()
    window = timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    thresholds: dict[str, int] = {
        ThrottleScope.ACCOUNT: settings.LOCKOUT_THRESHOLD,
        ThrottleScope.ADDRESS: settings.LOCKOUT_ADDRESS_THRESHOLD,
    }
    for scope, key in _throttle_keys(username, address):
        with transaction.atomic():
            throttle, _created = SignInThrottle.objects.select_for_update().get_or_create(scope=scope, key=key)
            if throttle.window_started_at < now - window and not throttle.is_locked(now):
                throttle.failures = 0
                throttle.window_started_at = now
            throttle.failures = F("failures") + 1
            throttle.save(update_fields=["failures", "window_started_at"])
            throttle.refresh_from_db()
            if throttle.failures >= thresholds[scope] and not throttle.is_locked(now):
                throttle.locked_until = now + timedelta(minutes=settings.LOCKOUT_MINUTES)
                throttle.save(update_fields=["locked_until"])
                audit.record("accounts.sign_in_locked", object_type="accounts.signinthrottle", object_id=str(throttle.pk),
                             object_repr=f"{scope}:{key}", outcome=Outcome.FAILURE, actor_name=username[:150],
                             detail=f"{throttle.failures} failures")


def _clear_failures(username: str) -> None:
    # A lock that has run out goes too: its count would otherwise re-lock on the next slip.
    SignInThrottle.objects.filter(scope=ThrottleScope.ACCOUNT, key=username.strip().lower()[:150]).exclude(
        locked_until__gt=timezone.now()
    ).delete()


def _failed(username: str, address: str, detail: str, user: User | None = None) -> SignInResult:
    _count_failure(username, address)
    audit.record("accounts.sign_in", actor=user, actor_name=username[:150], outcome=Outcome.FAILURE, detail=detail)
    return SignInResult(SignInStatus.INVALID)


def sign_in(request: HttpRequest, username: str, password: str) -> SignInResult:
    """Check a username and password; sign in, or ask for the second factor.

    The same work is done whether or not the name exists, and the messages are the same.
    """
    address = client_ip(request)
    if _is_locked(username, address):
        audit.record("accounts.sign_in", actor_name=username[:150], outcome=Outcome.DENIED, detail="locked")
        return SignInResult(SignInStatus.LOCKED)
    user = User.objects.filter(username__iexact=username.strip()).first() if username.strip() else None
    if user is None:
        check_password(password, _dummy_hash())
        return _failed(username, address, "bad credentials")
    if not user.check_password(password) or not user.is_active:
        return _failed(username, address, "bad credentials" if user.is_active else "account disabled", user)
    _clear_failures(username)
    if user.mfa_enabled:
        request.session.cycle_key()
        request.session[PENDING_MFA_USER] = user.pk
        request.session[PENDING_MFA_AT] = timezone.now().timestamp()
        return SignInResult(SignInStatus.MFA_REQUIRED, user)
    _complete_sign_in(request, user, method="password")
    return SignInResult(SignInStatus.SIGNED_IN, user)


def pending_mfa_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING_MFA_USER)
    started = request.session.get(PENDING_MFA_AT, 0)
    if not user_id or timezone.now().timestamp() - float(started) > PENDING_MFA_SECONDS:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def verify_second_factor(request: HttpRequest, code: str) -> SignInResult:
    """Finish a sign-in with a TOTP code or a one-time recovery code."""
    user = pending_mfa_user(request)
    if user is None:
        return SignInResult(SignInStatus.INVALID)
    address = client_ip(request)
    if _is_locked(user.username, address):
        return SignInResult(SignInStatus.LOCKED)
    code = code.strip().replace(" ", "")
    if _accept_totp(user, code):
        method = "totp"
    elif _use_recovery_code(user, code):
        method = "recovery_code"
    else:
        _count_failure(user.username, address)
        audit.record("accounts.sign_in", actor=user, obj=user, outcome=Outcome.FAILURE, detail="wrong second factor")
        return SignInResult(SignInStatus.LOCKED if _is_locked(user.username, address) else SignInStatus.WRONG_CODE)
    _clear_failures(user.username)
    request.session.pop(PENDING_MFA_USER, None)
    request.session.pop(PENDING_MFA_AT, None)
    _complete_sign_in(request, user, method=method)
    return SignInResult(SignInStatus.SIGNED_IN, user)


def mfa_required_for(user: User) -> bool:
    if settings.MFA_REQUIRED_FOR == "all":
        return True
    return bool(role_codes_of(user) & perms.ADMIN_ROLE_CODES)


def _complete_sign_in(request: HttpRequest, user: User, *, method: str) -> None:
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    now = timezone.now()
    request.session[SESSION_STARTED] = now.timestamp()
    request.session[SESSION_LAST_SEEN] = now.timestamp()
    if mfa_required_for(user) and not user.mfa_enabled:
        request.session[MFA_ENROLMENT_REQUIRED] = True
    if password_expired(user):
        request.session[PASSWORD_CHANGE_REQUIRED] = True
    request.session.save()
    UserSession.objects.create(
        user=user, session_key=request.session.session_key or "", source_ip=client_ip(request),
        user_agent=request.headers.get("user-agent", "")[:300],
    )
    audit.record("accounts.sign_in", actor=user, obj=user, detail=method)


def sign_out(request: HttpRequest) -> None:
    user = request.user
    if user.is_authenticated:
        UserSession.objects.filter(session_key=request.session.session_key or "").delete()
        audit.record("accounts.sign_out", actor=user, obj=user)
    auth.logout(request)


def expire_session(request: HttpRequest, reason: str) -> None:
    """End a session that passed its idle or absolute limit."""
    user = request.user
    if user.is_authenticated:
        UserSession.objects.filter(session_key=request.session.session_key or "").delete()
        audit.record("accounts.session_expired", actor=user, obj=user, detail=reason)
    auth.logout(request)


def _session_store() -> type[SessionBase]:
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    return store


def _end_sessions(user: User, keep_session_key: str | None = None) -> int:
    store = _session_store()
    devices = user.device_sessions.all()
    if keep_session_key:
        devices = devices.exclude(session_key=keep_session_key)
    keys = list(devices.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    devices.delete()
    return len(keys)


def _rebind_device_session(request: HttpRequest, user: User, old_key: str | None) -> None:
    """update_session_auth_hash cycles the session key; keep the device row pointing at it."""
    new_key = request.session.session_key
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(user=user, session_key=old_key).update(session_key=new_key)


def sign_out_everywhere(*, acting_user: User, user: User, request: HttpRequest | None = None) -> int:
    """End every session of ``user``: the person themselves, or an account administrator.

    Given the person's own ``request``, its session ends with the rest.
    """
    if acting_user.pk != user.pk:
        require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        ended = _end_sessions(user)
        audit.record("accounts.signed_out_everywhere", actor=acting_user, obj=user, detail=f"{ended} sessions")
    if request is not None and request.user.pk == user.pk:
        # The stored session is gone already; this clears the one in hand so it is not saved back.
        auth.logout(request)
    return ended


def sign_out_other_devices(request: AuthenticatedHttpRequest) -> int:
    """End every session of the signed-in person except the one making this request."""
    user = request.user
    with transaction.atomic():
        ended = _end_sessions(user, keep_session_key=request.session.session_key)
        audit.record("accounts.signed_out_other_devices", actor=user, obj=user, detail=f"{ended} sessions")
    return ended


def end_session(*, acting_user: User, device: UserSession) -> None:
    if acting_user.pk != device.user_id:
        require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        _session_store()(session_key=device.session_key).delete()
        device.delete()
        audit.record("accounts.session_ended", actor=acting_user, obj=device.user, detail=device.source_ip)


def touch_session(request: HttpRequest) -> None:
    """Note activity, at most once a minute, for the idle timeout and "my sessions"."""
    now = timezone.now()
    last = float(request.session.get(SESSION_LAST_SEEN, 0))
    if now.timestamp() - last >= 60:
        request.session[SESSION_LAST_SEEN] = now.timestamp()
        UserSession.objects.filter(session_key=request.session.session_key or "").update(last_seen_at=now)


# --- Sign-in locks -----------------------------------------------------------------------


def lift_lock(*, acting_user: User, throttle: SignInThrottle) -> None:
    require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        audit.record("accounts.sign_in_unlocked", actor=acting_user, obj=throttle,
                     changes={"locked_until": [throttle.locked_until.isoformat() if throttle.locked_until else None, None]})
        throttle.delete()


def active_locks() -> list[SignInThrottle]:
    return list(SignInThrottle.objects.filter(locked_until__gt=timezone.now()).order_by("-locked_until"))


# --- Two-factor authentication ----------------------------------------------------------


def new_mfa_secret() -> str:
    return pyotp.random_base32()


def mfa_provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.MFA_ISSUER)


def _accept_totp(user: User, code: str, secret: str | None = None) -> bool:
    """A TOTP code, valid for the current step or the one either side, each step once."""
    secret = secret or user.mfa_secret
    if not secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    step_now = totp.timecode(now)
    for offset in (0, -1, 1):
        step = step_now + offset
        # The conditional update claims the step, so two requests racing with one code
        # cannot both succeed.
        if hmac.compare_digest(totp.generate_otp(step), code) and User.objects.filter(
            pk=user.pk, mfa_last_step__lt=step
        ).update(mfa_last_step=step):
            user.mfa_last_step = step
            return True
    return False


def _require_totp(user: User, code: str, action: str) -> None:
    if not _accept_totp(user, code.strip()):
        audit.record(action, actor=user, obj=user, outcome=Outcome.FAILURE, detail="wrong code")
        raise ServiceError("wrong_code", _("The code is not correct."), {"code": [_("The code is not correct.")]})


def _use_recovery_code(user: User, code: str) -> bool:
    normalized = code.replace("-", "").lower()
    if len(normalized) != 10:
        return False
    for candidate in user.recovery_codes.filter(used_at__isnull=True):
        if check_password(normalized, candidate.code_hash):
            updated = RecoveryCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(used_at=timezone.now())
            return updated == 1
    return False


def recovery_codes_left(user: User) -> int:
    return user.recovery_codes.filter(used_at__isnull=True).count()


def _new_recovery_codes(user: User) -> list[str]:
    user.recovery_codes.all().delete()
    codes = [secrets.token_hex(5) for _ in range(settings.MFA_RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=make_password(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def mfa_enrolment_secret(request: HttpRequest) -> str:
    """The secret being enrolled, kept in the session (not on the account) until confirmed."""
    secret = request.session.get(MFA_PENDING_SECRET)
    if not secret:
        secret = request.session[MFA_PENDING_SECRET] = new_mfa_secret()
    return str(secret)


def enable_mfa(*, user: User, secret: str, code: str, request: HttpRequest | None = None) -> list[str]:
    """Confirm enrolment with a first code from the app; returns the recovery codes, shown once."""
    if user.mfa_enabled:
        # Replacing a working secret must go through disabling, which asks for a current code.
        raise Conflict("mfa_already_enabled", _("Two-factor authentication is already on."))
    if not _accept_totp(user, code.strip(), secret=secret):
        audit.record("accounts.mfa_enabled", actor=user, obj=user, outcome=Outcome.FAILURE, detail="wrong code")
        raise ServiceError("wrong_code", _("The code is not correct. Check the time on your phone and try again."),
                           {"code": [_("The code is not correct.")]})
    with transaction.atomic():
        user.mfa_secret = secret
        user.mfa_enabled_at = timezone.now()
        user.save(update_fields=["mfa_secret", "mfa_enabled_at"])
        codes = _new_recovery_codes(user)
        audit.record("accounts.mfa_enabled", actor=user, obj=user, changes={"mfa_enabled": [False, True]})
    if request is not None:
        request.session.pop(MFA_ENROLMENT_REQUIRED, None)
        request.session.pop(MFA_PENDING_SECRET, None)
    return codes


def regenerate_recovery_codes(*, user: User, code: str) -> list[str]:
    """New recovery codes replace the old ones; asks for a current code first (ASVS 7.5.1)."""
    _require_totp(user, code, "accounts.recovery_codes_regenerated")
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record("accounts.recovery_codes_regenerated", actor=user, obj=user)
    return codes


def disable_mfa(*, acting_user: User, user: User, code: str = "") -> None:
    """Turn two-factor off: the person (with a current code), or an account administrator."""
    if acting_user.pk == user.pk:
        if mfa_required_for(user):
            raise Forbidden("mfa_required", _("Two-factor authentication is required for your account."))
        _require_totp(user, code, "accounts.mfa_disabled")
    else:
        require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        user.mfa_secret = ""
        user.mfa_enabled_at = None
        user.save(update_fields=["mfa_secret", "mfa_enabled_at"])
        user.recovery_codes.all().delete()
        audit.record("accounts.mfa_disabled", actor=acting_user, obj=user, changes={"mfa_enabled": [True, False]})


# --- API tokens --------------------------------------------------------------------------


class InsufficientScope(ServiceError):
    """A valid token without the scope the request needs: 403, as RFC 6750 section 3.1 says."""

    status = 403


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(*, user: User, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """Create a personal token; the returned plain text is never stored and is shown once."""
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("A name is required.")]
    if not scopes or any(scope not in TOKEN_SCOPES for scope in scopes):
        errors["scopes"] = [_("Choose read, write or both.")]
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["days"] = [_("A token lives between 1 and %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS}]
    if errors:
        raise ServiceError("invalid", _("The token details are not valid."), errors)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=prefix, secret_hash=_token_digest(secret),
            scopes=sorted(set(scopes)), expires_at=timezone.now() + timedelta(days=days),
        )
        audit.record("accounts.token_created", actor=user, obj=token, changes={"scopes": [None, token.scopes]})
    return token, f"zt_{prefix}_{secret}"


def revoke_token(*, acting_user: User, token: ApiToken) -> None:
    if acting_user.pk != token.user_id:
        require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        audit.record("accounts.token_revoked", actor=acting_user, obj=token)


_DUMMY_TOKEN_DIGEST = _token_digest("zt-no-such-token")


def authenticate_token(presented: str, method: str) -> User | None:
    """The user behind a usable bearer token, else None; InsufficientScope if it may not ``method``."""
    parts = presented.split("_", 2)
    prefix, secret = (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "zt" else ("", presented)
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
    expected = token.secret_hash if token is not None else _DUMMY_TOKEN_DIGEST
    matches = hmac.compare_digest(expected, _token_digest(secret))
    if token is None or not matches or not token.is_usable() or not token.user.is_active:
        return None
    needed = "read" if method in ("GET", "HEAD", "OPTIONS") else "write"
    if needed not in token.scopes:
        raise InsufficientScope("insufficient_scope", _("This token may not make %(method)s requests; it lacks the %(scope)s scope.")
                                % {"method": method, "scope": needed})
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
