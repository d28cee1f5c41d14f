"""Zhengtong settings: the one settings module.

Every deployment knob is a ``ZT_*`` environment variable read by the typed helpers in
``zhengtong.env``; docs/configuration.md lists them all (a test keeps the two in step).
Security policy values are settings too; ``zhengtong.checks`` refuses a production start
(``manage.py check --deploy``) when they fall below the 等保 level-3 bar.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import lazy
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from zhengtong.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_optional,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ZT_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("ZT_DEBUG", False)


def _local_secret_key() -> str:
    """Development fallback: a random key kept under var/, never in the repository."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = env_secret("ZT_SECRET_KEY", _local_secret_key)
SECRET_KEY_FROM_ENVIRONMENT = env_optional("ZT_SECRET_KEY") is not None or env_optional("ZT_SECRET_KEY_FILE") is not None

ALLOWED_HOSTS = env_list("ZT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ZT_CSRF_TRUSTED_ORIGINS", [])
# Addresses of reverse proxies whose X-Forwarded-For may be believed for the client address.
TRUSTED_PROXIES = env_list("ZT_TRUSTED_PROXIES", [])

INSTALLED_APPS = [
    "zhengtong.appconfig.ZhengtongConfig",
    "zhengtong.ui",
    "zhengtong.platform.registry",
    "zhengtong.platform.accounts",
    "zhengtong.platform.access",
    "zhengtong.platform.audit",
    "zhengtong.platform.directory",
    "zhengtong.platform.workdays",
    "zhengtong.platform.workflow",
    "zhengtong.platform.notices",
    "zhengtong.platform.files",
    "zhengtong.platform.search",
    "zhengtong.platform.todo",
    "zhengtong.platform.ledger",
    # Single sign-on: the OIDC provider, on django-oauth-toolkit ("oauth2_provider").
    "zhengtong.platform.sso",
    "oauth2_provider",
    "zhengtong.apps.workbench",
    "zhengtong.apps.documents",
    "zhengtong.apps.bulletins",
    "zhengtong.apps.chat",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhengtong.middleware.SecurityHeadersMiddleware",
    "zhengtong.middleware.ApiRequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhengtong.platform.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhengtong.platform.accounts.middleware.SessionPolicyMiddleware",
    "zhengtong.ui.middleware.PageErrorsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "zhengtong.urls"
WSGI_APPLICATION = "zhengtong.wsgi.application"
ASGI_APPLICATION = "zhengtong.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhengtong.ui.context_processors.shell",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------

# How HTTP reaches Django under the ASGI server (zhengtong/asgi.py): "wsgi" runs Django's WSGI
# handler in a thread pool (one hand-off per request); "asgi" uses Django's ASGI handler.
HTTP_MODE = env_choice("ZT_HTTP_MODE", "wsgi", ("wsgi", "asgi"))
# Threads that run Django's WSGI handler in "wsgi" mode.
HTTP_THREADS = env_int("ZT_HTTP_THREADS", 16, minimum=1)

DATABASE_URL = env_str("ZT_DATABASE_URL", f"sqlite:///{VAR_DIR / 'zhengtong.sqlite3'}")
# The pool's threads keep their connections (opening one, with SQLite's PRAGMAs, costs more
# than a whole token check); Django's async mode must not keep them.
_database = dj_database_url.parse(
    DATABASE_URL, conn_max_age=env_int("ZT_DATABASE_CONN_MAX_AGE", 60 if HTTP_MODE == "wsgi" else 0, minimum=0),
    conn_health_checks=True,
)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _database["ENGINE"] == "django.db.backends.mysql":
    import pymysql

    pymysql.install_as_MySQLdb()
    _database["OPTIONS"] = {"charset": "utf8mb4", "isolation_level": "read committed"}
    _database.setdefault("TEST", {})["CHARSET"] = "utf8mb4"
    _database["TEST"]["COLLATION"] = "utf8mb4_unicode_ci"
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache; real-time fan-out ----------------------------------------------------------------

REDIS_URL = env_optional("ZT_REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "zhengtong"}}
    # Plain database sessions: a per-process cache would keep a revoked session alive in
    # another process after "sign out of all devices".
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Identity and sign-in policy --------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "zhengtong.platform.accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Argon2id cost; the defaults are argon2-cffi's RFC 9106 "low memory" profile.
ARGON2_TIME_COST = env_int("ZT_ARGON2_TIME_COST", 3, minimum=1)
ARGON2_MEMORY_KIB = env_int("ZT_ARGON2_MEMORY_KIB", 65536, minimum=8)
ARGON2_PARALLELISM = env_int("ZT_ARGON2_PARALLELISM", 4, minimum=1)

PASSWORD_MIN_LENGTH = env_int("ZT_PASSWORD_MIN_LENGTH", 8, minimum=1)
PASSWORD_MIN_CHARACTER_CLASSES = env_int("ZT_PASSWORD_MIN_CHARACTER_CLASSES", 3, minimum=1, maximum=4)
PASSWORD_HISTORY = env_int("ZT_PASSWORD_HISTORY", 5, minimum=0)
# 0 turns expiry off (ASVS 6.2.10); 等保 8.1.4.1a asks for periodic change, so deploy checks want 1..90.
PASSWORD_MAX_AGE_DAYS = env_int("ZT_PASSWORD_MAX_AGE_DAYS", 90, minimum=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "zhengtong.platform.accounts.validators.CharacterClassesValidator", "OPTIONS": {"minimum": PASSWORD_MIN_CHARACTER_CLASSES}},
    {"NAME": "zhengtong.platform.accounts.validators.NotContainingUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "zhengtong.platform.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"depth": PASSWORD_HISTORY}},
]

LOCKOUT_THRESHOLD = env_int("ZT_LOCKOUT_THRESHOLD", 5, minimum=1)
LOCKOUT_ADDRESS_THRESHOLD = env_int("ZT_LOCKOUT_ADDRESS_THRESHOLD", 20, minimum=1)
LOCKOUT_WINDOW_MINUTES = env_int("ZT_LOCKOUT_WINDOW_MINUTES", 30, minimum=1)
LOCKOUT_MINUTES = env_int("ZT_LOCKOUT_MINUTES", 30, minimum=1)
# Wrong bearer tokens from one address before it may send none (429) for ZT_LOCKOUT_MINUTES.
TOKEN_LOCKOUT_THRESHOLD = env_int("ZT_TOKEN_LOCKOUT_THRESHOLD", 20, minimum=1)

SESSION_IDLE_MINUTES = env_int("ZT_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_MAX_HOURS = env_int("ZT_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# "admins": MFA required of the administrators only; "all": of everyone.
MFA_REQUIRED_FOR = env_choice("ZT_MFA_REQUIRED_FOR", "admins", ("admins", "all"))
MFA_ISSUER = env_str("ZT_MFA_ISSUER", "政通 Zhengtong")
MFA_RECOVERY_CODES = env_int("ZT_MFA_RECOVERY_CODES", 10, minimum=4)

API_TOKEN_MAX_DAYS = env_int("ZT_API_TOKEN_MAX_DAYS", 365, minimum=1)

# --- Audit ---------------------------------------------------------------------------

AUDIT_RETENTION_DAYS = env_int("ZT_AUDIT_RETENTION_DAYS", 180, minimum=1)
# HMAC key each audit record is authenticated with as it is written; never stored in the database.
AUDIT_RECORD_KEY = env_secret("ZT_AUDIT_RECORD_KEY", lambda: "audit-record:" + SECRET_KEY)
# The hash of the sealed audit tree and of the records' MACs: sha256, or sm3 (商密). Fixed for the trail's life.
AUDIT_HASH = env_choice("ZT_AUDIT_HASH", "sha256", ("sha256", "sm3"))
# The audit log's name: the first line of its checkpoints and the name of its signing key.
AUDIT_ORIGIN = env_str("ZT_AUDIT_ORIGIN", "zhengtong/audit")
if not AUDIT_ORIGIN or any(character.isspace() or character == "+" for character in AUDIT_ORIGIN):
    raise ImproperlyConfigured(f"ZT_AUDIT_ORIGIN={AUDIT_ORIGIN!r} must be non-empty, without spaces or '+'")
# The checkpoint signing key (Ed25519, PEM) and the witness file; empty: under ZT_VAR_DIR, the key made on first use.
AUDIT_SIGNING_KEY_PATH = env_optional("ZT_AUDIT_SIGNING_KEY_PATH")
AUDIT_WITNESS_PATH = env_optional("ZT_AUDIT_WITNESS_PATH")
# The worker seals waiting records into a signed checkpoint this often (at once when a full batch waits).
AUDIT_SEAL_SECONDS = env_int("ZT_AUDIT_SEAL_SECONDS", 60, minimum=1)

# --- Transport and browser security ------------------------------------------------------

HTTPS = env_bool("ZT_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_NAME = "__Host-zt_session" if HTTPS else "zt_session"
CSRF_COOKIE_NAME = "__Host-zt_csrf" if HTTPS else "zt_csrf"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS and env_bool("ZT_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("ZT_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("ZT_HSTS_PRELOAD", HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

API_MAX_BODY_BYTES = env_int("ZT_API_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

# --- Data classification ------------------------------------------------------------------

# The highest classification rank this deployment may hold (0 = 公开, 1 = 内部, 2 = 敏感 by
# default). Records above it are refused at creation.
MAX_CLASSIFICATION = env_int("ZT_MAX_CLASSIFICATION", 2, minimum=0)

# --- Working days ---------------------------------------------------------------------------

# Whether the start (receipt) date of a deadline counts as its first day; by default it is day 0.
WORKDAYS_START_DAY_COUNTS = env_bool("ZT_WORKDAYS_START_DAY_COUNTS", False)

# --- Language and time ---------------------------------------------------------------------

LANGUAGE_CODE = env_str("ZT_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "zt_language"
TIME_ZONE = env_str("ZT_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS: list[Path] = []

# Uploaded files (attachments): kept under var/, never served directly — downloads go through
# views that check access and audit.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves the apps' static folders directly: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Logging -------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ZT_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "spiff": {"level": "WARNING"},
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Workflow ------------------------------------------------------------------------

# A process's handlers may be reminded (催办) at most once in this many minutes.
WORKFLOW_REMIND_MINUTES = env_int("ZT_WORKFLOW_REMIND_MINUTES", 30, minimum=1)

# --- Message center ----------------------------------------------------------------

# The platform's own address (https://oa.example.gov.cn), for links in e-mail; empty: no links.
SITE_URL = env_str("ZT_SITE_URL", "")
# E-mail goes through Django's SMTP backend; without a host nothing is sent by e-mail.
EMAIL_CONFIGURED = env_optional("ZT_EMAIL_HOST") is not None
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend" if EMAIL_CONFIGURED else "django.core.mail.backends.dummy.EmailBackend"
EMAIL_HOST = env_str("ZT_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ZT_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("ZT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("ZT_EMAIL_PASSWORD", lambda: "")
EMAIL_USE_TLS = env_bool("ZT_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("ZT_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("ZT_EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("ZT_EMAIL_FROM", "zhengtong@localhost")
# The SMS gateway: a class with ``send(mobile, text)``; the default only logs.
SMS_BACKEND = env_str("ZT_SMS_BACKEND", "zhengtong.platform.notices.channels.LoggingSMS")


def _channels_by_category(entries: list[str]) -> dict[str, list[str]]:
    """``approval:email,meeting:email+sms`` → ``{"approval": ["email"], "meeting": ["email", "sms"]}``."""
    table: dict[str, list[str]] = {}
    for entry in entries:
        category, _sep, codes = entry.partition(":")
        channels = [code for code in codes.split("+") if code]
        if not category or any(code not in ("email", "sms") for code in channels):
            raise ImproperlyConfigured(f"ZT_NOTICE_CHANNELS entry {entry!r} must read category:email, category:sms or category:email+sms")
        table[category] = channels
    return table


# Which channels outside the app each notice category also uses (the message center always receives).
NOTICE_CHANNELS = _channels_by_category(
    env_list("ZT_NOTICE_CHANNELS", ["approval:email", "document:email", "meeting:email", "duty:email+sms"]))
# The notice categories in which a new to-do also arrives as a notice ("*": all of them).
TODO_NOTICE_CATEGORIES = env_list("ZT_TODO_NOTICE_CATEGORIES", ["*"])
# An urgent notice still unread after this many minutes is sent again by SMS (DING-style).
NOTICE_ESCALATE_MINUTES = env_int("ZT_NOTICE_ESCALATE_MINUTES", 10, minimum=1)

# --- Single sign-on (OIDC provider, django-oauth-toolkit) ---------------------------------

# The provider's signing keys (RS256) live under ZT_VAR_DIR/oidc-keys/, made on first use and
# rotated by ``manage.py sso_rotate_key``; the lazy values read the key files at each use, so a
# rotation shows in every process without a restart.
SSO_ACCESS_TOKEN_MINUTES = env_int("ZT_SSO_ACCESS_TOKEN_MINUTES", 60, minimum=1)
SSO_ID_TOKEN_MINUTES = env_int("ZT_SSO_ID_TOKEN_MINUTES", 60, minimum=1)
SSO_REFRESH_TOKEN_DAYS = env_int("ZT_SSO_REFRESH_TOKEN_DAYS", 14, minimum=1)
# Whether relying parties may be registered with http:// redirect addresses (closed networks, tests).
SSO_ALLOW_HTTP = env_bool("ZT_SSO_ALLOW_HTTP", False)
# django-oauth-toolkit's own registration model, named so that the sso app's migrations can point at it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    # The issuer is <site>/sso; without ZT_SITE_URL it is read from each request's host.
    "OIDC_ISS_ENDPOINT": f"{SITE_URL.rstrip('/')}/sso" if SITE_URL else "",
    "OIDC_RSA_PRIVATE_KEY": lazy(lambda: import_string("zhengtong.platform.sso.keys.current_pem")(), str)(),
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": lazy(lambda: import_string("zhengtong.platform.sso.keys.retired_pems")(), list)(),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # A relying party's logout request without an ID token of the person asks them first.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "OAUTH2_VALIDATOR_CLASS": "zhengtong.platform.sso.validator.Validator",
    "SCOPES_BACKEND_CLASS": "zhengtong.platform.sso.claims.Scopes",
    "APPLICATION_ADMIN_CLASS": "zhengtong.platform.sso.admin.ClientAdmin",
    "ACCESS_TOKEN_ADMIN_CLASS": "zhengtong.platform.sso.admin.AccessTokenAdmin",
    "REFRESH_TOKEN_ADMIN_CLASS": "zhengtong.platform.sso.admin.RefreshTokenAdmin",
    "ID_TOKEN_ADMIN_CLASS": "zhengtong.platform.sso.admin.IDTokenAdmin",
    "GRANT_ADMIN_CLASS": "zhengtong.platform.sso.admin.GrantAdmin",
    # Every client, public or confidential, proves its code with PKCE (S256).
    "PKCE_REQUIRED": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": SSO_ACCESS_TOKEN_MINUTES * 60,
    "ID_TOKEN_EXPIRE_SECONDS": SSO_ID_TOKEN_MINUTES * 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": SSO_REFRESH_TOKEN_DAYS * 86400,
    # A refresh token is used once; its reuse (a stolen copy) revokes the whole family.
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "auto",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if SSO_ALLOW_HTTP else ["https"],
    # RFC 9700 (OAuth 2.0 Security BCP), each gate on: no implicit or password grant, no PKCE "plain", access
    # tokens only in the Authorization header, the `iss` authorization-response parameter, tokens stored hashed;
    # and a deploy check that fails (not warns) on a weaker configuration.
    **dict.fromkeys((f"COMPLIANT_BCP_RFC9700_{gate}" for gate in (
        "IMPLICIT_GRANT", "PASSWORD_GRANT", "PKCE_METHOD", "ACCESS_TOKEN_TRANSPORT", "AUTHZ_RESPONSE_ISS", "TOKEN_STORAGE",
        "REFRESH_TOKEN", "REDIRECT_URI_SCHEME", "REDIRECT_URI_MATCHING", "PKCE_REQUIRED")), True),
}

# --- Directory -----------------------------------------------------------------------

# Whether webhooks may target private, loopback and link-local addresses (closed government
# networks, tests); off where the platform faces the open internet.
WEBHOOK_ALLOW_PRIVATE = env_bool("ZT_WEBHOOK_ALLOW_PRIVATE", False)

# --- Files -----------------------------------------------------------------------------

# Where uploaded files are kept (content-addressed by SHA-256) and how large one may be.
FILES_DIR = Path(env_str("ZT_FILES_DIR", str(VAR_DIR / "files")))
UPLOAD_MAX_MB = env_int("ZT_UPLOAD_MAX_MB", 50, minimum=1)

# --- Official documents ------------------------------------------------------------------

# Font families per GB/T 9704 role, overriding the shipped choices, e.g.
# "fangsong=FangSong_GB2312,heiti=SimHei"; roles: fangsong, heiti, kaiti, songti, xiaobiaosong.
DOCUMENT_FONTS = env_list("ZT_DOCUMENT_FONTS", [])
