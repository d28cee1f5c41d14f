"""The security policy in force, read from settings, for the security administrator to see.

The values are deployment settings (``ZT_*`` environment variables), not database rows:
changing them is a deployment change, checked by ``manage.py check --deploy``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PolicyValue:
    setting: str
    label: Promise
    value: object
    unit: Promise | str = ""


@dataclass(frozen=True)
class PolicySection:
    title: Promise
    values: tuple[PolicyValue, ...]


MFA_SCOPES = {"admins": _("Administrators"), "all": _("Everyone")}


def sections() -> tuple[PolicySection, ...]:
    minutes, hours, days = _("minutes"), _("hours"), _("days")
    return (
        PolicySection(_("Sign-in lockout"), (
            PolicyValue("LOCKOUT_THRESHOLD", _("Failed sign-ins before an account locks"), settings.LOCKOUT_THRESHOLD),
            PolicyValue("LOCKOUT_ADDRESS_THRESHOLD", _("Failed sign-ins before a source address locks"),
                        settings.LOCKOUT_ADDRESS_THRESHOLD),
            PolicyValue("LOCKOUT_WINDOW_MINUTES", _("Window in which failures are counted"), settings.LOCKOUT_WINDOW_MINUTES, minutes),
            PolicyValue("LOCKOUT_MINUTES", _("Lock duration"), settings.LOCKOUT_MINUTES, minutes),
        )),
        PolicySection(_("Sessions"), (
            PolicyValue("SESSION_IDLE_MINUTES", _("Idle timeout"), settings.SESSION_IDLE_MINUTES, minutes),
            PolicyValue("SESSION_MAX_HOURS", _("Longest session"), settings.SESSION_MAX_HOURS, hours),
        )),
        PolicySection(_("Passwords"), (
            PolicyValue("PASSWORD_MIN_LENGTH", _("Minimum length"), settings.PASSWORD_MIN_LENGTH),
            PolicyValue("PASSWORD_MIN_CHARACTER_CLASSES", _("Character classes required"), settings.PASSWORD_MIN_CHARACTER_CLASSES),
            PolicyValue("PASSWORD_HISTORY", _("Previous passwords that may not be reused"), settings.PASSWORD_HISTORY),
            PolicyValue("PASSWORD_MAX_AGE_DAYS", _("Password expires after (0: never)"), settings.PASSWORD_MAX_AGE_DAYS, days),
        )),
        PolicySection(_("Two-factor authentication"), (
            PolicyValue("MFA_REQUIRED_FOR", _("Required for"), MFA_SCOPES.get(settings.MFA_REQUIRED_FOR, settings.MFA_REQUIRED_FOR)),
            PolicyValue("API_TOKEN_MAX_DAYS", _("Longest API token lifetime"), settings.API_TOKEN_MAX_DAYS, days),
        )),
        PolicySection(_("Audit and classification"), (
            PolicyValue("AUDIT_RETENTION_DAYS", _("Audit records kept for"), settings.AUDIT_RETENTION_DAYS, days),
            PolicyValue("MAX_CLASSIFICATION", _("Highest classification rank"), settings.MAX_CLASSIFICATION),
        )),
    )
