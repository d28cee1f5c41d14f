"""Sign-in: password, then the second factor, with lockout by account and by address.

The same work is done whether or not a name exists. Sign-in failures are recorded after the
transaction, so they survive.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.http import client_ip
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.accounts.models import SignInThrottle, ThrottleScope, User, UserSession
from zhengtong.platform.accounts.services import throttles
from zhengtong.platform.accounts.services.passwords import password_expired
from zhengtong.platform.accounts.services.sessions import (
    MFA_ENROLMENT_REQUIRED,
    PASSWORD_CHANGE_REQUIRED,
    PENDING_MFA_AT,
    PENDING_MFA_USER,
    SESSION_LAST_SEEN,
    SESSION_STARTED,
)
from zhengtong.platform.accounts.services.two_factor import accept_totp, mfa_required_for, use_recovery_code
from zhengtong.platform.audit import services as audit
from zhengtong.platform.audit.models import Outcome

PENDING_MFA_SECONDS = 300

# A hash computed for names that do not exist, so that a miss costs what a hit costs.
_DUMMY_PASSWORD_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_PASSWORD_HASH
    if _DUMMY_PASSWORD_HASH is None:
        _DUMMY_PASSWORD_HASH = make_password(secrets.token_urlsafe(16))
    return _DUMMY_PASSWORD_HASH


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


def _account_key(username: str) -> str:
    return username.strip().lower()[:150]


def _lock_keys(username: str, address: str) -> list[tuple[str, str]]:
    """Every counter that stops a sign-in: the name's passwords and codes, and the address."""
    keys: list[tuple[str, str]] = [(ThrottleScope.ACCOUNT, _account_key(username)), (ThrottleScope.CODE, _account_key(username))]
    if address:
        keys.append((ThrottleScope.ADDRESS, address))
    return keys


def _is_locked(username: str, address: str) -> bool:
    return throttles.is_locked(_lock_keys(username, address))


def _count_failure(username: str, address: str, *, scope: str = ThrottleScope.ACCOUNT) -> None:
    """A wrong password (``scope`` ACCOUNT) or a wrong second factor (CODE), and its address."""
    counters = [(scope, _account_key(username), settings.LOCKOUT_THRESHOLD)]
    if address:
        counters.append((ThrottleScope.ADDRESS, address, settings.LOCKOUT_ADDRESS_THRESHOLD))
    throttles.count_failure(counters, action="accounts.sign_in_locked", actor_name=username)


def _clear_failures(username: str, scopes: tuple[str, ...] = (ThrottleScope.ACCOUNT,)) -> None:
    # A lock that has run out goes too: its count would otherwise re-lock on the next slip.
    SignInThrottle.objects.filter(scope__in=scopes, key=_account_key(username)).exclude(locked_until__gt=timezone.now()).delete()


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
    if accept_totp(user, code):
        method = "totp"
    elif use_recovery_code(user, code):
        method = "recovery_code"
    else:
        # Counted apart from wrong passwords: the right password clears those, and must not
        # give whoever knows it a fresh run of code guesses.
        _count_failure(user.username, address, scope=ThrottleScope.CODE)
        audit.record("accounts.sign_in", actor=user, obj=user, outcome=Outcome.FAILURE, detail="wrong second factor")
        return SignInResult(SignInStatus.LOCKED if _is_locked(user.username, address) else SignInStatus.WRONG_CODE)
    _clear_failures(user.username, (ThrottleScope.ACCOUNT, ThrottleScope.CODE))
    request.session.pop(PENDING_MFA_USER, None)
    request.session.pop(PENDING_MFA_AT, None)
    _complete_sign_in(request, user, method=method)
    return SignInResult(SignInStatus.SIGNED_IN, user)


def _complete_sign_in(request: HttpRequest, user: User, *, method: str) -> None:
    # Signing in over a live session (a second tab, the back button) keeps its key when the
    # person is the same, and replaces it when they differ: one device row per live key.
    previous_key = request.session.session_key
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    now = timezone.now()
    request.session[SESSION_STARTED] = now.timestamp()
    request.session[SESSION_LAST_SEEN] = now.timestamp()
    if mfa_required_for(user) and not user.mfa_enabled:
        request.session[MFA_ENROLMENT_REQUIRED] = True
    if password_expired(user):
        request.session[PASSWORD_CHANGE_REQUIRED] = True
    request.session.save()
    session_key = request.session.session_key or ""
    if previous_key and previous_key != session_key:
        UserSession.objects.filter(session_key=previous_key).delete()
    UserSession.objects.update_or_create(session_key=session_key, defaults={
        "user": user, "source_ip": client_ip(request), "user_agent": request.headers.get("user-agent", "")[:300]})
    audit.record("accounts.sign_in", actor=user, obj=user, detail=method)


# --- Sign-in locks -----------------------------------------------------------------------


def lift_lock(*, acting_user: User, throttle: SignInThrottle) -> None:
    require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        audit.record("accounts.sign_in_unlocked", actor=acting_user, obj=throttle,
                     changes={"locked_until": [throttle.locked_until.isoformat() if throttle.locked_until else None, None]})
        throttle.delete()
    throttles.forget(throttle)


def active_locks() -> list[SignInThrottle]:
    return list(SignInThrottle.objects.filter(locked_until__gt=timezone.now()).order_by("-locked_until"))

