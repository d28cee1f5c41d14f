"""Registering relying parties (the system administrator, in the back office) and ending their tokens.

Each change is one transaction, audited. A confidential client's secret is made here, kept only
as a hash (django-oauth-toolkit's ``hash_client_secret``) and shown once.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, Application, revoke_access_token
from oauth2_provider.settings import oauth2_settings

from zhengtong.errors import NotFound, ServiceError
from zhengtong.platform import batch
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.sso.models import LogoutChannel

# What the back office may set on a registration; the rest is the protocol's (client id, algorithm).
FIELDS = ("name", "client_type", "authorization_grant_type", "redirect_uris", "post_logout_redirect_uris", "allowed_origins",
          "skip_authorization")


def _snapshot(client: Application) -> dict[str, Any]:
    channel = LogoutChannel.objects.filter(client=client).first()
    return {**{field: getattr(client, field) for field in ("client_id", *FIELDS)}, "backchannel_logout_uri": channel.uri if channel else ""}


def _set_logout_channel(client: Application, uri: str) -> None:
    """The back-channel logout address: https (http too where ``ZT_SSO_ALLOW_HTTP``), or none."""
    uri = uri.strip()
    if not uri:
        LogoutChannel.objects.filter(client=client).delete()
        return
    if urlsplit(uri).scheme not in oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES or not urlsplit(uri).netloc:
        raise ServiceError("invalid", _("The registration is not valid."),
                           {"backchannel_logout_uri": [_("Give an https address for back-channel logout, or none.")]})
    LogoutChannel.objects.update_or_create(client=client, defaults={"uri": uri})


def _validated_save(client: Application) -> None:
    try:
        client.full_clean(exclude=["client_secret", "user"])
    except ValidationError as exc:
        raise ServiceError("invalid", _("The registration is not valid."), exc.message_dict) from None
    client.save()


def register_client(*, acting_user: Any, backchannel_logout_uri: str = "", **fields: Any) -> tuple[Application, str]:
    """Register a relying party; returns it and its client secret (empty for a public client), shown once."""
    require(acting_user, perms.MANAGE_APPS)
    secret = secrets.token_urlsafe(48) if fields.get("client_type") == Application.CLIENT_CONFIDENTIAL else ""
    with batch.atomic():
        client = Application(**{field: fields.get(field, "") for field in FIELDS if field in fields},
                             algorithm=Application.RS256_ALGORITHM, client_secret=secret, hash_client_secret=True)
        _validated_save(client)
        _set_logout_channel(client, backchannel_logout_uri)
        audit.record("sso.client_registered", actor=acting_user, obj=client, changes=audit.diff({}, _snapshot(client)))
    return client, secret


def change_client(*, acting_user: Any, client: Application, backchannel_logout_uri: str = "", **changes: Any) -> Application:
    require(acting_user, perms.MANAGE_APPS)
    with batch.atomic():
        client = Application.objects.select_for_update().get(pk=client.pk)
        before = _snapshot(client)
        for field, value in changes.items():
            if field in FIELDS:
                setattr(client, field, value)
        _validated_save(client)
        _set_logout_channel(client, backchannel_logout_uri)
        audit.record("sso.client_changed", actor=acting_user, obj=client, changes=audit.diff(before, _snapshot(client)))
    return client


def remove_client(*, acting_user: Any, client: Application) -> None:
    """Remove a registration: its tokens, codes and ID tokens end with it (the audit keeps its name)."""
    require(acting_user, perms.MANAGE_APPS)
    with batch.atomic():
        audit.record("sso.client_removed", actor=acting_user, obj=client, changes=audit.diff(_snapshot(client), {}))
        client.delete()


def revoke_token(*, acting_user: Any, token: AccessToken) -> None:
    """End an access token and its refresh token, as the system administrator (a stolen device, a leak)."""
    require(acting_user, perms.MANAGE_APPS)
    with batch.atomic():
        audit.record("sso.token_revoked", actor=acting_user, obj=token.application,
                     detail=f"account {token.user_id}" if token.user_id else "system token")
        revoke_access_token(token)


def authorizations(user: Any) -> list[tuple[Application, Any]]:
    """The relying parties ``user`` is signed in to (a live token), each with when the latest token was issued."""
    latest: dict[int, Any] = {}
    for token in AccessToken.objects.filter(user=user, expires__gt=timezone.now()).select_related("application").order_by("-created"):
        if token.application_id not in latest:
            latest[token.application_id] = (token.application, token.created)
    return list(latest.values())


def withdraw(*, user: Any, client_id: str) -> int:
    """The person signs out of one relying party: its tokens for them end, and it asks for consent again."""
    with batch.atomic():
        tokens = list(AccessToken.objects.filter(user=user, application__client_id=client_id).select_related("application"))
        if not tokens:
            raise NotFound("not_found", _("You are not signed in to that system."))
        client = tokens[0].application
        for token in tokens:
            revoke_access_token(token)
        audit.record("sso.authorization_withdrawn", actor=user, obj=client, detail=f"{len(tokens)} token(s)")
    return len(tokens)
