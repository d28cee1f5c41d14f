"""OIDC Back-Channel Logout 1.0: when a person signs out here, every relying party they are signed in
to with a back-channel address is sent a signed logout token.

The sign-out writes one notice per relying party (``user_logged_out``, in the sign-out's
transaction); the worker posts them (``deliver``, a manifest job), retrying a refused or
unreachable one with a growing delay for as long as the token would be accepted. The token is a
JWT signed with the provider's current key: ``iss``, ``aud`` (the client id), ``iat``, ``exp``,
``jti``, ``sub`` and the back-channel logout event; no ``nonce``.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import requests
from django.db.models import Q
from django.utils import timezone
from jwcrypto import jwk, jwt
from oauth2_provider.models import AccessToken, RefreshToken, revoke_access_token
from oauth2_provider.settings import oauth2_settings

from zhengtong.platform.audit import services as audit
from zhengtong.platform.sso import keys
from zhengtong.platform.sso.models import LogoutChannel, LogoutNotice

EVENT = "http://schemas.openid.net/event/backchannel-logout"
TOKEN_SECONDS = 600
ATTEMPTS = 6
TIMEOUT_SECONDS = 5
BATCH = 50


def _issuer(request: Any) -> str:
    return str(oauth2_settings.oidc_issuer(request))


def logout_token(*, issuer: str, client_id: str, subject: str) -> str:
    key = jwk.JWK.from_pem(keys.current_pem().encode("ascii"))
    now = int(time.time())
    claims = {"iss": issuer, "aud": client_id, "iat": now, "exp": now + TOKEN_SECONDS, "jti": str(uuid.uuid4()), "sub": subject,
              "events": {EVENT: {}}}
    token = jwt.JWT(header={"alg": "RS256", "typ": "logout+jwt", "kid": key.thumbprint()}, claims=json.dumps(claims))
    token.make_signed_token(key)
    return str(token.serialize())


def signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """``user_logged_out``: a notice for each relying party with a back-channel address that ``user`` holds a token of."""
    if user is None or not getattr(user, "pk", None):
        return
    _queue_logouts(user, _issuer(request))


def ended_everywhere(sender: Any, user: Any, acting_user: Any = None, **kwargs: Any) -> None:
    """``accounts.signals.signed_out_everywhere`` (signed out everywhere, or disabled): every token of ``user`` ends
    now — a re-enabled account starts again with none — and the relying parties are told, when the issuer is known
    without a request (``ZT_SITE_URL`` set)."""
    if oauth2_settings.OIDC_ISS_ENDPOINT:
        _queue_logouts(user, str(oauth2_settings.OIDC_ISS_ENDPOINT))
    access, refresh = list(AccessToken.objects.filter(user=user)), list(RefreshToken.objects.filter(user=user, revoked__isnull=True))
    for token in access:
        revoke_access_token(token)
    for kept in refresh:
        kept.revoke()
    if access or refresh:
        audit.record("sso.tokens_ended", actor=acting_user, obj=user, detail=f"{len(access)} access, {len(refresh)} refresh")


def _queue_logouts(user: Any, issuer: str) -> None:
    clients = {*AccessToken.objects.filter(user=user, expires__gt=timezone.now()).values_list("application_id", flat=True),
               *RefreshToken.objects.filter(user=user, revoked__isnull=True).values_list("application_id", flat=True)}
    for channel in LogoutChannel.objects.filter(client_id__in=clients).select_related("client"):
        LogoutNotice.objects.create(client=channel.client, logout_token=logout_token(issuer=issuer, client_id=channel.client.client_id,
                                                                                     subject=str(user.pk)))
        audit.record("sso.backchannel_logout_queued", actor=user, obj=channel.client)


def _post(notice: LogoutNotice) -> str:
    """'' when the relying party accepted the logout token (HTTP 200 or 204), else why not."""
    try:
        response = requests.post(notice.client.logout_channel.uri, data={"logout_token": notice.logout_token}, timeout=TIMEOUT_SECONDS,
                                 allow_redirects=False)
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return "" if response.status_code in (200, 204) else f"HTTP {response.status_code}"


def deliver(now: datetime) -> int:
    """Post the notices that are due; returns how many were delivered."""
    delivered = 0
    due = LogoutNotice.objects.filter(delivered_at__isnull=True, attempts__lt=ATTEMPTS, next_attempt_at__lte=now,
                                      client__logout_channel__isnull=False).select_related("client__logout_channel")
    for notice in list(due[:BATCH]):
        claimed = LogoutNotice.objects.filter(pk=notice.pk, attempts=notice.attempts, delivered_at__isnull=True).update(
            attempts=notice.attempts + 1, next_attempt_at=now + timedelta(seconds=30 * 2 ** notice.attempts))
        if not claimed:
            continue  # another worker has it
        error = _post(notice)
        if error:
            LogoutNotice.objects.filter(pk=notice.pk).update(last_error=error)
            continue
        LogoutNotice.objects.filter(pk=notice.pk).update(delivered_at=now, last_error="")
        delivered += 1
    # Delivered or given up and past the token's life: nothing left to do with them.
    LogoutNotice.objects.filter(created_at__lt=now - timedelta(days=1)).filter(
        Q(delivered_at__isnull=False) | Q(attempts__gte=ATTEMPTS)).delete()
    return delivered

