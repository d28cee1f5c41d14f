"""System checks that hold the deployment to the 等保 level-3 bar.

``manage.py check --deploy`` refuses a production start whose security policy is weaker
than the bar; the audit retention check runs at every start. docs/compliance.md maps each
check to the clause it serves.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

MIN_AUDIT_RETENTION_DAYS = 180  # 网络安全法: network logs kept at least six months
MAX_LOCKOUT_THRESHOLD = 5
MIN_LOCKOUT_MINUTES = 30
MAX_IDLE_MINUTES = 30
MAX_SESSION_HOURS = 24
MIN_PASSWORD_LENGTH = 8
MIN_CHARACTER_CLASSES = 3
MAX_PASSWORD_AGE_DAYS = 90
MIN_PASSWORD_HISTORY = 5


@register("zhengtong")
def audit_retention(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.AUDIT_RETENTION_DAYS < MIN_AUDIT_RETENTION_DAYS:
        return [Error(
            f"ZT_AUDIT_RETENTION_DAYS is {settings.AUDIT_RETENTION_DAYS}; audit records must be kept at least "
            f"{MIN_AUDIT_RETENTION_DAYS} days.",
            hint="The Cybersecurity Law requires network logs to be kept at least six months.",
            id="zhengtong.E001",
        )]
    return []


@register(Tags.security, deploy=True)
def security_policy(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    if not settings.SECRET_KEY_FROM_ENVIRONMENT:
        errors.append(Error(
            "ZT_SECRET_KEY is not set; production keys come from the environment or a secret file (ZT_SECRET_KEY_FILE).",
            id="zhengtong.E010",
        ))
    if not settings.HTTPS:
        errors.append(Error("ZT_HTTPS is off; credentials and data must be encrypted in transit.",
                            hint="Serve behind TLS and set ZT_HTTPS=true.", id="zhengtong.E011"))
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(Error("ZT_ALLOWED_HOSTS contains '*'; name the hosts this deployment answers to.", id="zhengtong.E020"))
    # (variable, value, meets the bar, the bar in words, check id)
    policy = (
        ("ZT_LOCKOUT_THRESHOLD", settings.LOCKOUT_THRESHOLD, settings.LOCKOUT_THRESHOLD <= MAX_LOCKOUT_THRESHOLD,
         f"at most {MAX_LOCKOUT_THRESHOLD} failures", "zhengtong.E012"),
        ("ZT_LOCKOUT_MINUTES", settings.LOCKOUT_MINUTES, settings.LOCKOUT_MINUTES >= MIN_LOCKOUT_MINUTES,
         f"at least {MIN_LOCKOUT_MINUTES} minutes", "zhengtong.E013"),
        ("ZT_SESSION_IDLE_MINUTES", settings.SESSION_IDLE_MINUTES, settings.SESSION_IDLE_MINUTES <= MAX_IDLE_MINUTES,
         f"at most {MAX_IDLE_MINUTES} minutes", "zhengtong.E014"),
        ("ZT_SESSION_MAX_HOURS", settings.SESSION_MAX_HOURS, settings.SESSION_MAX_HOURS <= MAX_SESSION_HOURS,
         f"at most {MAX_SESSION_HOURS} hours", "zhengtong.E015"),
        ("ZT_PASSWORD_MIN_LENGTH", settings.PASSWORD_MIN_LENGTH, settings.PASSWORD_MIN_LENGTH >= MIN_PASSWORD_LENGTH,
         f"at least {MIN_PASSWORD_LENGTH}", "zhengtong.E016"),
        ("ZT_PASSWORD_MIN_CHARACTER_CLASSES", settings.PASSWORD_MIN_CHARACTER_CLASSES,
         settings.PASSWORD_MIN_CHARACTER_CLASSES >= MIN_CHARACTER_CLASSES, f"at least {MIN_CHARACTER_CLASSES} of 4", "zhengtong.E017"),
        # 等保 8.1.4.1a asks for periodic change: a documented deviation from ASVS 6.2.10.
        ("ZT_PASSWORD_MAX_AGE_DAYS", settings.PASSWORD_MAX_AGE_DAYS, 1 <= settings.PASSWORD_MAX_AGE_DAYS <= MAX_PASSWORD_AGE_DAYS,
         f"between 1 and {MAX_PASSWORD_AGE_DAYS} days", "zhengtong.E018"),
        ("ZT_PASSWORD_HISTORY", settings.PASSWORD_HISTORY, settings.PASSWORD_HISTORY >= MIN_PASSWORD_HISTORY,
         f"at least {MIN_PASSWORD_HISTORY}", "zhengtong.E019"),
    )
    errors.extend(
        Error(f"{name} is {value}; the 等保 level-3 bar is {bar}.", id=check_id)
        for name, value, meets_bar, bar, check_id in policy
        if not meets_bar
    )
    return errors


@register(Tags.database, deploy=True)
def production_database(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return [Warning("The database is the embedded SQLite; production runs on PostgreSQL or MySQL/MariaDB.",
                        hint="Set ZT_DATABASE_URL.", id="zhengtong.W001")]
    return []
