"""A relying party registered as the system administrator would, and the steps of a code + PKCE sign-in."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client

REDIRECT = "https://water.example.gov.cn/oidc/callback"
AFTER_LOGOUT = "https://water.example.gov.cn/"


@dataclass
class RelyingParty:
    client: Any
    secret: str

    @property
    def client_id(self) -> str:
        return str(self.client.client_id)


def register(sysadmin: Any, **fields: Any) -> RelyingParty:
    from zhengtong.platform.sso import services

    values = {"name": "水资源管理系统", "client_type": "confidential", "authorization_grant_type": "authorization-code",
              "redirect_uris": REDIRECT, "post_logout_redirect_uris": AFTER_LOGOUT, "skip_authorization": False, **fields}
    client, secret = services.register_client(acting_user=sysadmin, **values)
    return RelyingParty(client, secret)


@pytest.fixture(autouse=True)
def _own_keys(tmp_path: Any, settings: Any) -> None:
    """Each test's signing keys in a folder of its own: a rotation in one is not seen by the next."""
    settings.VAR_DIR = tmp_path


@pytest.fixture
def water(sysadmin: Any) -> RelyingParty:
    return register(sysadmin)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(rp: RelyingParty, challenge: str, *, scope: str = "openid profile", nonce: str = "n-0S6", **extra: str) -> str:
    query = {"response_type": "code", "client_id": rp.client_id, "redirect_uri": REDIRECT, "scope": scope, "state": "st-1",
             "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256", **extra}
    return "/sso/authorize/?" + urlencode(query)


def target_of(response: Any) -> str:
    """Where the continue page sends the browser (its refresh and its link say the same)."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    link = re.search(r'id="continue" href="([^"]+)"', page)
    assert link, page
    return link.group(1).replace("&amp;", "&")


def csrf_of(page: Any) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert found, "no CSRF token on the page"
    return found.group(1)


def consent(browser: Client, url: str, *, allow: bool = True) -> str:
    """Open the consent page at ``url`` and answer it; returns where the browser is sent back."""
    page = browser.get(url)
    assert page.status_code == 200 and b'id="consent-form"' in page.content, page.content.decode()[:500]
    form = {field.name: field.value() or "" for field in page.context["form"] if field.is_hidden}
    form["csrfmiddlewaretoken"] = csrf_of(page)
    if allow:
        form["allow"] = "1"
    return target_of(browser.post("/sso/authorize/", form))


def code_from(target: str) -> str:
    assert target.startswith(REDIRECT), target
    query = parse_qs(urlsplit(target).query)
    assert query["state"] == ["st-1"], query
    return query["code"][0]


def exchange(rp: RelyingParty, code: str, verifier: str, **overrides: str) -> Any:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": rp.client_id,
            "client_secret": rp.secret, "code_verifier": verifier, **overrides}
    return Client().post("/sso/token/", data)
