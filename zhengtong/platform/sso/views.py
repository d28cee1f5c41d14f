"""The provider's pages: the consent page (授权) and the sign-out a relying party asks for.

The protocol is django-oauth-toolkit's; these views add the platform's look, its sign-out (the
device list and the audit know) and one thing browsers need: after a form, the way back to the
relying party is a page that moves on by itself (``continue.html``), not a redirect, because the
platform's pages allow forms to post to this site only (CSP ``form-action 'self'``, which
browsers also apply to the redirects that follow a form).
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedRedirect
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import AccessToken
from oauth2_provider.views import AuthorizationView, IntrospectTokenView, RPInitiatedLogoutView

from zhengtong.platform.accounts import services as accounts
from zhengtong.platform.audit import services as audit


def _continue(request: Any, redirect: OAuth2ResponseRedirect, application: Any) -> HttpResponse:
    return render(request, "sso/continue.html", {"target": redirect.url, "application": application})


class ConsentView(AuthorizationView):
    """``/sso/authorize/``: sign in through the platform's sign-in page (and its second factor), then consent.

    A registration marked trusted (``skip_authorization``: the bureau's own systems) skips the
    consent; otherwise the person is asked once per relying party and scope set, and a later
    sign-in while a token is still live goes straight back.
    """

    template_name = "sso/consent.html"

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        # Validates the scheme as django-oauth-toolkit does, then leaves by the page.
        return _continue(self.request, super().redirect(redirect_to, application), application)

    def form_valid(self, form: Any) -> HttpResponse:
        if not form.cleaned_data.get("allow"):
            audit.record("sso.consent_refused", actor=self.request.user, detail=form.cleaned_data.get("client_id", "")[:100])
        return super().form_valid(form)


class SignOutView(RPInitiatedLogoutView):
    """``/sso/logout/``: OIDC RP-initiated logout, signing the person out of the platform too."""

    template_name = "sso/logout_confirm.html"

    def do_logout(self, application: Any = None, post_logout_redirect_uri: Any = None, state: Any = None,
                  token_user: Any = None) -> HttpResponse:
        user = token_user or self.request.user
        person = None if isinstance(user, AnonymousUser) else user
        accounts.sign_out(self.request)
        if person is not None:
            audit.record("sso.sign_out", actor=person, obj=application, detail="rp-initiated")
        if post_logout_redirect_uri is None:
            # Without a relying party's address the person lands on the sign-in page (django-oauth-toolkit's
            # fallback, the site's root, is refused on an http site once its tokens are ended).
            with contextlib.suppress(DisallowedRedirect):
                super().do_logout(application, None, state, token_user=person)
            return redirect(settings.LOGOUT_REDIRECT_URL)
        response = super().do_logout(application, post_logout_redirect_uri, state, token_user=person)
        return _continue(self.request, response, application) if self.request.method == "POST" else response


class Introspection(IntrospectTokenView):
    """``/sso/introspect/`` (RFC 7662): a disabled person's token is not active, as everywhere else."""

    @staticmethod
    def get_token_response(token_value: str | None = None) -> HttpResponse:
        checksum = hashlib.sha256(token_value.encode("utf-8")).hexdigest() if token_value is not None else ""
        if token_value is not None and AccessToken.objects.filter(token_checksum=checksum, user__is_active=False).exists():
            return JsonResponse({"active": False})
        return IntrospectTokenView.get_token_response(token_value)  # type: ignore[no-any-return]
