"""Account operations: the only code that changes accounts, sessions, MFA and tokens.

Callers import this package (``from zhengtong.platform.accounts import services``); its
modules are split by subject so that each stays readable as sign-in grows (OIDC next).
Every operation runs in one transaction, checks ``access``, and writes its audit record in
that transaction.
"""

from zhengtong.platform.accounts.services.passwords import change_password, password_expired, reset_password
from zhengtong.platform.accounts.services.sessions import (
    MFA_ENROLMENT_REQUIRED,
    MFA_PENDING_SECRET,
    PASSWORD_CHANGE_REQUIRED,
    PENDING_MFA_AT,
    PENDING_MFA_USER,
    SESSION_LAST_SEEN,
    SESSION_STARTED,
    end_session,
    expire_session,
    sign_out,
    sign_out_everywhere,
    sign_out_other_devices,
    touch_session,
)
from zhengtong.platform.accounts.services.sign_in import (
    PENDING_MFA_SECONDS,
    SignInResult,
    SignInStatus,
    active_locks,
    lift_lock,
    pending_mfa_user,
    sign_in,
    verify_second_factor,
)
from zhengtong.platform.accounts.services.tokens import TOKEN_SCOPES, InsufficientScope, authenticate_token, create_token, revoke_token
from zhengtong.platform.accounts.services.two_factor import (
    disable_mfa,
    enable_mfa,
    mfa_enrolment_secret,
    mfa_provisioning_uri,
    mfa_required_for,
    new_mfa_secret,
    recovery_codes_left,
    regenerate_recovery_codes,
)
from zhengtong.platform.accounts.services.users import create_user, disable_user, enable_user, update_user

__all__ = [
    "MFA_ENROLMENT_REQUIRED", "MFA_PENDING_SECRET", "PASSWORD_CHANGE_REQUIRED", "PENDING_MFA_AT", "PENDING_MFA_SECONDS",
    "PENDING_MFA_USER", "SESSION_LAST_SEEN", "SESSION_STARTED", "TOKEN_SCOPES",
    "InsufficientScope", "SignInResult", "SignInStatus",
    "active_locks", "authenticate_token", "change_password", "create_token", "create_user", "disable_mfa", "disable_user",
    "enable_mfa", "enable_user", "end_session", "expire_session", "lift_lock", "mfa_enrolment_secret", "mfa_provisioning_uri",
    "mfa_required_for", "new_mfa_secret", "password_expired", "pending_mfa_user", "recovery_codes_left",
    "regenerate_recovery_codes", "reset_password", "revoke_token", "sign_in", "sign_out", "sign_out_everywhere",
    "sign_out_other_devices", "touch_session", "update_user", "verify_second_factor",
]
