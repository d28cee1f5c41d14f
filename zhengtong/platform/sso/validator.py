"""django-oauth-toolkit's validator with the platform's rules: claims, disabled people, the audit trail.

A token, a refresh token or an authorization code of a person who has since been disabled is
refused (the person's account is read with each check, so disabling shows at once); every token
issued and revoked is audited, naming the relying party and the person.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, RefreshToken
from oauth2_provider.oauth2_validators import OAuth2Validator

from zhengtong.platform.audit import services as audit
from zhengtong.platform.sso.claims import CLAIM_SCOPE, CLAIMS


def _person_refused(request: Any) -> bool:
    """Whether the request carries a person who may no longer act (disabled); it says why in ``oauth2_error``."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "pk", None):
        return False
    user.refresh_from_db(fields=["is_active"])
    if user.is_active:
        return False
    request.oauth2_error = OrderedDict([("error", "invalid_token"), ("error_description", _("The account has been disabled."))])
    return True


class Validator(OAuth2Validator):
    oidc_claim_scope = CLAIM_SCOPE

    def get_additional_claims(self) -> dict[str, Any]:  # type: ignore[override]
        return CLAIMS

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Any) -> dict[str, Any]:
        # A claim the account has no value for is left out, as OIDC Core 5.3.2 asks.
        return {claim: value for claim, value in super().get_oidc_claims(token, token_handler, request).items() if value is not None}

    def validate_bearer_token(self, token: Any, scopes: Any, request: Any) -> bool:
        return bool(super().validate_bearer_token(token, scopes, request)) and not _person_refused(request)

    def validate_refresh_token(self, refresh_token: Any, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        return bool(super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)) and not _person_refused(request)

    def validate_code(self, client_id: Any, code: Any, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        return bool(super().validate_code(client_id, code, client, request, *args, **kwargs)) and not _person_refused(request)

    def save_bearer_token(self, token: Any, request: Any, *args: Any, **kwargs: Any) -> None:
        super().save_bearer_token(token, request, *args, **kwargs)
        user = request.user if getattr(request.user, "pk", None) else None
        detail = f"{request.grant_type}; scope {token.get('scope', '')}" + ("; refresh token" if "refresh_token" in token else "")
        audit.record("sso.token_issued", actor=user, obj=request.client, detail=detail)

    def revoke_token(self, token: Any, token_type_hint: Any, request: Any, *args: Any, **kwargs: Any) -> None:
        """RFC 7009 revocation by the client; audited when it named one of the client's own tokens."""
        application_id = getattr(request.client, "pk", None)
        lookup = {"token_checksum": hashlib.sha256(token.encode("utf-8")).hexdigest(), "application_id": application_id}
        owners = [*AccessToken.objects.filter(**lookup).values_list("user_id", flat=True)[:1]] or \
            [*RefreshToken.objects.filter(**lookup).values_list("user_id", flat=True)[:1]] if application_id else []
        super().revoke_token(token, token_type_hint, request, *args, **kwargs)
        if owners:
            audit.record("sso.token_revoked", obj=request.client, detail=f"account {owners[0]}" if owners[0] else "system token")
