"""Personal API tokens: created and shown once, stored as a hash, scoped, expiring, revocable."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError, TooManyAttempts
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.models import RoleAssignment
from zhengtong.platform.access.policy import require
from zhengtong.platform.accounts.models import ApiToken, ThrottleScope, User
from zhengtong.platform.accounts.services import throttles
from zhengtong.platform.audit import services as audit
from zhengtong.platform.audit.models import Outcome

TOKEN_SCOPES = {"read": "read", "write": "write"}


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


@dataclass
class _Principal:
    """What a token stands for at one version of its person: loaded once, then shared by requests."""

    user: User
    scopes: frozenset[str]
    expires_at: datetime
    role_codes: frozenset[str]
    permissions: frozenset[str]
    # Written back at most once a minute; threads racing here only repeat that write.
    last_used_at: datetime | None


@functools.cache
def _credential_sql() -> str:
    """The one indexed query each bearer request makes, compiled by the ORM once: compiling it
    cost ten times what running it does."""
    # Revoked and disabled are read here on every request, whatever is cached.
    query = ApiToken.objects.filter(prefix="", revoked_at__isnull=True).order_by().values_list(
        "pk", "secret_hash", "user__is_active", "user__auth_version")
    sql, params = query[:1].query.sql_with_params()
    if params != ("",):
        raise RuntimeError(f"the token query must take the prefix as its only parameter, not {params}")
    return str(sql)


@functools.lru_cache(maxsize=4096)
def _principal(token_id: int, secret_hash: str, auth_version: int) -> _Principal:
    # Keyed on the version (and the hash, unique to the token), never on a time: every change to
    # the person or their roles moves the version, and the next request loads afresh.
    token = ApiToken.objects.select_related("user").get(pk=token_id)
    codes: set[str] = set()
    permissions: set[str] = set()
    for code, granted in RoleAssignment.objects.filter(user_id=token.user_id).values_list("role__code", "role__permissions"):
        codes.add(code)
        permissions.update(granted or [])
    return _Principal(user=token.user, scopes=frozenset(token.scopes), expires_at=token.expires_at,
                      role_codes=frozenset(codes), permissions=frozenset(permissions), last_used_at=token.last_used_at)


def _locked_out(address: str) -> TooManyAttempts:
    audit.record("accounts.token_refused", outcome=Outcome.DENIED, detail=f"locked: {address}")
    return TooManyAttempts("too_many_attempts", _("Too many wrong API tokens came from this address. Requests with a token are "
                                                  "refused for a while; an administrator can lift the lock."))


def _refused(address: str, prefix: str) -> None:
    """A token that is not a usable one: refused outright from a locked address, else counted
    against its address and audited."""
    if address and throttles.is_locked([(ThrottleScope.TOKEN, address)]):
        raise _locked_out(address)
    if address:
        throttles.count_failure([(ThrottleScope.TOKEN, address, settings.TOKEN_LOCKOUT_THRESHOLD)],
                                action="accounts.token_locked", actor_name="")
    audit.record("accounts.token_refused", outcome=Outcome.FAILURE, detail=f"prefix {prefix[:12] or '-'} from {address or '-'}")


def authenticate_token(presented: str, method: str, address: str = "") -> User | None:
    """The user behind a usable bearer token, else None; InsufficientScope if it may not ``method``.

    An address that sent ``ZT_TOKEN_LOCKOUT_THRESHOLD`` unusable tokens within the lockout window
    is refused (TooManyAttempts) whatever it sends, a right token included, until the lock runs out
    or an administrator lifts it: guessing learns nothing more.
    """
    if address and throttles.seen_locked(ThrottleScope.TOKEN, address):
        raise _locked_out(address)
    parts = presented.split("_", 2)
    prefix, secret = (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "zt" else ("", presented)
    row = None
    if prefix:
        with connection.cursor() as cursor:
            cursor.execute(_credential_sql(), [prefix])
            row = cursor.fetchone()
    matches = hmac.compare_digest(row[1] if row is not None else _DUMMY_TOKEN_DIGEST, _token_digest(secret))
    if row is None or not matches or not row[2]:
        _refused(address, prefix)
        return None
    principal = _principal(row[0], row[1], row[3])
    now = timezone.now()
    if principal.expires_at <= now:
        _refused(address, prefix)
        return None
    needed = "read" if method in ("GET", "HEAD", "OPTIONS") else "write"
    if needed not in principal.scopes:
        raise InsufficientScope("insufficient_scope", _("This token may not make %(method)s requests; it lacks the %(scope)s scope.")
                                % {"method": method, "scope": needed})
    if principal.last_used_at is None or now - principal.last_used_at > timedelta(minutes=1):
        principal.last_used_at = now
        ApiToken.objects.filter(pk=row[0]).update(last_used_at=now)
    # Each request gets its own copy: nothing one request sets on its user (cached related rows
    # included) reaches another. Built by hand: copy.copy goes through pickling's protocol.
    user = User.__new__(User)
    user.__dict__.update(principal.user.__dict__)
    user._state = ModelState()
    user._state.adding, user._state.db = False, principal.user._state.db
    user._zt_permissions = principal.permissions  # type: ignore[attr-defined]
    user._zt_role_codes = principal.role_codes  # type: ignore[attr-defined]
    return user
