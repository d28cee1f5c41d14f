"""Permission matrix rows for single sign-on.

The protocol's endpoints answer the relying party, not the person: the token, revocation and
introspection endpoints go by the client's own credentials (any cookie is beside the point),
userinfo by an access token only (a session is not one: 401), discovery and JWKS are public.
The consent page is for whoever is signed in; anonymous is sent to the platform's sign-in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from zhengtong.testing.matrix import ANY_SIGNED_IN, IN, Row, World, expect

EVERYONE = expect(200, anonymous=200)
REDIRECT = "https://water.example.gov.cn/oidc/callback"
# A PKCE challenge (S256 of a verifier nobody here needs: the code is never exchanged).
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def build(world: World) -> None:
    """水资源管理系统 signs people in; 数据交换平台 calls system to system; the author is signed in to the first."""
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from zhengtong.platform.sso import services

    sysadmin = world.people["sysadmin"]
    world.sso_client, _secret = services.register_client(
        acting_user=sysadmin, name="水资源管理系统", client_type="confidential", authorization_grant_type="authorization-code",
        redirect_uris=REDIRECT, post_logout_redirect_uris="https://water.example.gov.cn/", skip_authorization=False)
    world.sso_system, world.sso_system_secret = services.register_client(
        acting_user=sysadmin, name="数据交换平台", client_type="confidential", authorization_grant_type="client-credentials")
    world.sso_authorize = _authorize_query(world)
    AccessToken.objects.create(user=world.people["author"], application=world.sso_client, token="matrix-author-sso-token",
                               expires=timezone.now() + dt.timedelta(hours=1), scope="openid profile")


def _authorize_query(world: Any) -> str:
    return urlencode({"response_type": "code", "client_id": world.sso_client.client_id, "redirect_uri": REDIRECT,
                      "scope": "openid profile", "state": "s", "code_challenge": CHALLENGE, "code_challenge_method": "S256"})


def _consent(world: Any) -> dict[str, Any]:
    return {"client_id": world.sso_client.client_id, "redirect_uri": REDIRECT, "response_type": "code", "scope": "openid profile",
            "state": "s", "code_challenge": CHALLENGE, "code_challenge_method": "S256", "allow": "1"}


def _system(world: Any, **extra: str) -> dict[str, Any]:
    return {"client_id": world.sso_system.client_id, "client_secret": world.sso_system_secret, **extra}


ROWS = [
    Row("GET", "/sso/.well-known/openid-configuration", EVERYONE),
    Row("GET", "/sso/.well-known/jwks.json", EVERYONE),
    Row("GET", "/sso/authorize/?{w.sso_authorize}", expect(200, anonymous=IN)),
    Row("POST", "/sso/authorize/", expect(200, anonymous=IN), data=_consent),
    Row("POST", "/sso/token/", EVERYONE, data=lambda w: _system(w, grant_type="client_credentials")),
    Row("POST", "/sso/revoke/", EVERYONE, data=lambda w: _system(w, token="not-a-token")),
    Row("POST", "/sso/introspect/", EVERYONE, data=lambda w: _system(w, token="not-a-token")),
    # A session is not an access token.
    Row("GET", "/sso/userinfo/", expect(401, anonymous=401)),
    # Signed in: "sign out of Zhengtong?"; anonymous: nothing to end, on to the sign-in page.
    Row("GET", "/sso/logout/", expect(200, anonymous=302)),
    Row("GET", "/api/sso/authorizations", ANY_SIGNED_IN),
    # Only the author is signed in to it; for anyone else there is nothing to sign out of.
    Row("DELETE", "/api/sso/authorizations/{w.sso_client.client_id}", expect(404, author=204)),
]
