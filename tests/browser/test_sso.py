"""Single sign-on with a real relying party: a small WSGI app built on Authlib, a standard OIDC client library.

The relying party knows only the discovery URL and its registration. It sends the browser to our
authorization endpoint with PKCE (S256) and a nonce; the person signs in on our own sign-in page
and consents; the relying party exchanges the code, validates the ID token against our JWKS
(signature, issuer, audience, expiry, nonce) with Authlib, and calls our userinfo endpoint with
the access token. Then it signs the person out through our end-session endpoint.
"""

from __future__ import annotations

import html
import secrets
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Server


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


@dataclass
class RelyingParty:
    """水资源管理系统 as an outside system would write it: one login route, one callback, one logout."""

    issuer: str
    client_id: str = ""
    client_secret: str = ""
    url: str = ""
    pending: dict[str, dict[str, str]] = field(default_factory=dict)  # state → verifier and nonce
    signed_in: dict[str, Any] = field(default_factory=dict)

    @property
    def redirect_uri(self) -> str:
        return f"{self.url}/callback"

    def metadata(self) -> dict[str, Any]:
        return dict(requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10).json())

    def session(self) -> OAuth2Session:
        return OAuth2Session(self.client_id, self.client_secret, scope="openid profile departments posts",
                             redirect_uri=self.redirect_uri, code_challenge_method="S256")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/login":
            verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
            url, state = self.session().create_authorization_url(self.metadata()["authorization_endpoint"], code_verifier=verifier,
                                                                 nonce=nonce)
            self.pending[state] = {"verifier": verifier, "nonce": nonce}
            start_response("302 Found", [("Location", url)])
            return []
        if path == "/callback":
            return self._callback(environ, start_response)
        if path == "/logout":
            query = urlencode({"id_token_hint": self.signed_in["id_token"], "post_logout_redirect_uri": f"{self.url}/",
                               "state": "bye"})
            start_response("302 Found", [("Location", f"{self.metadata()['end_session_endpoint']}?{query}")])
            return []
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [b"<!doctype html><title>RP</title><h1 id=home>water</h1>"]

    def _callback(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        metadata = self.metadata()
        query = dict(pair.split("=", 1) for pair in environ["QUERY_STRING"].split("&"))
        expected = self.pending.pop(query["state"])
        session = self.session()
        token = session.fetch_token(metadata["token_endpoint"], authorization_response=f"{self.redirect_uri}?{environ['QUERY_STRING']}",
                                    code_verifier=expected["verifier"])
        keys = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
        claims = jwt.decode(token["id_token"], keys, claims_cls=CodeIDToken,
                            claims_options={"iss": {"essential": True, "value": metadata["issuer"]}},
                            claims_params={"nonce": expected["nonce"], "client_id": self.client_id})
        claims.validate()  # signature (above), iss, aud, exp, iat, nonce, at_hash
        userinfo = session.get(metadata["userinfo_endpoint"]).json()
        self.signed_in = {"id_token": token["id_token"], "claims": dict(claims), "userinfo": userinfo}
        departments = "、".join(department["name"] for department in userinfo.get("departments", []))
        body = (f"<!doctype html><title>RP</title><p id=who>{html.escape(claims['name'])}</p>"
                f"<p id=departments>{html.escape(departments)}</p><a id=logout href=/logout>退出</a>")
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


REGISTER = """
from zhengtong.platform.access.models import RoleAssignment
from zhengtong.platform.sso import services
admin = RoleAssignment.objects.filter(role__code="system_admin").first().user
client, secret = services.register_client(acting_user=admin, name="水资源管理系统", client_type="confidential",
    authorization_grant_type="authorization-code", redirect_uris="{redirect}", post_logout_redirect_uris="{after}",
    skip_authorization=False)
print(client.client_id, secret)
"""


@pytest.fixture
def relying_party(server: Server) -> Iterator[RelyingParty]:
    port = _free_port()
    rp = RelyingParty(issuer=f"{server.url}/sso", url=f"http://127.0.0.1:{port}")
    printed = server.manage("shell", "-c", REGISTER.format(redirect=rp.redirect_uri, after=f"{rp.url}/"))
    rp.client_id, rp.client_secret = printed.strip().splitlines()[-1].split()
    httpd = make_server("127.0.0.1", port, rp, handler_class=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield rp
    httpd.shutdown()
    httpd.server_close()


def test_an_integrated_system_signs_a_person_in_with_code_and_pkce_and_signs_them_out(visit: Any, server: Server,
                                                                                     relying_party: RelyingParty) -> None:
    phone = visit(PHONE)
    page = phone.page
    username, password = server.staff()
    page.goto(f"{relying_party.url}/login")
    # Our own sign-in page, then the consent page, both in Chinese.
    expect(page.locator("input[name=username]")).to_be_visible()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("h2")).to_contain_text("水资源管理系统 请求登录")
    expect(page.locator(".consent-scopes")).to_contain_text("您所在的部门")
    page.click("button[name=allow]")

    expect(page.locator("#who")).to_be_visible()
    claims, userinfo = relying_party.signed_in["claims"], relying_party.signed_in["userinfo"]
    expect(page.locator("#who")).to_have_text(claims["name"])
    assert claims["preferred_username"] == username and claims["sub"] == userinfo["sub"]
    assert userinfo["departments"], userinfo  # the demo's staff belong to a department
    expect(page.locator("#departments")).to_contain_text(userinfo["departments"][0]["name"])

    page.click("#logout")
    expect(page.locator("#home")).to_be_visible()
    assert page.url == f"{relying_party.url}/?state=bye"
    page.goto(f"{server.url}/accounts/sessions/")
    expect(page.locator("input[name=username]")).to_be_visible()  # signed out of the platform too
