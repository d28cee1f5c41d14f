"""Personal API tokens: created and shown once, stored as a hash, scoped, expiring, revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.accounts.models import ApiToken, User
from zhengtong.platform.audit import services as audit

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
