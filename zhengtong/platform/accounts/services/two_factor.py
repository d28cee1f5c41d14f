"""Two-factor authentication: TOTP enrolment and codes, recovery codes, who must use it."""

from __future__ import annotations

import hmac
import secrets

import pyotp
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, Forbidden, ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require, role_codes_of
from zhengtong.platform.accounts.models import RecoveryCode, User
from zhengtong.platform.accounts.services.sessions import MFA_ENROLMENT_REQUIRED, MFA_PENDING_SECRET
from zhengtong.platform.audit import services as audit
from zhengtong.platform.audit.models import Outcome


def mfa_required_for(user: User) -> bool:
    if settings.MFA_REQUIRED_FOR == "all":
        return True
    return bool(role_codes_of(user) & perms.ADMIN_ROLE_CODES)


def new_mfa_secret() -> str:
    return pyotp.random_base32()


def mfa_provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.MFA_ISSUER)


def accept_totp(user: User, code: str, secret: str | None = None) -> bool:
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
    if not accept_totp(user, code.strip()):
        audit.record(action, actor=user, obj=user, outcome=Outcome.FAILURE, detail="wrong code")
        raise ServiceError("wrong_code", _("The code is not correct."), {"code": [_("The code is not correct.")]})


def use_recovery_code(user: User, code: str) -> bool:
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
    if not accept_totp(user, code.strip(), secret=secret):
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

