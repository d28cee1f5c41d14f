"""Back-channel logout: signing out here posts a signed logout token to each system the person is signed in to."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django.utils import timezone
from jwcrypto import jwk, jwt

from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.sso import backchannel
from zhengtong.platform.sso.models import LogoutNotice
from zhengtong.platform.sso.tests.conftest import authorize_url, code_from, consent, exchange, pkce, register

pytestmark = pytest.mark.django_db


class Receiver(HTTPServer):
    status = 200
    received: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.received.append(parse_qs(body)["logout_token"][0])
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"]}
    server = Receiver(("127.0.0.1", 0), _Handler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_signing_out_here_tells_each_system_the_person_is_signed_in_to(clerk: Any, sysadmin: Any, client_for: Any,
                                                                        receiver: Receiver) -> None:
    address = f"http://127.0.0.1:{receiver.server_address[1]}/oidc/backchannel"
    water = register(sysadmin, backchannel_logout_uri=address)
    silent = register(sysadmin, name="未登录的系统", backchannel_logout_uri=address)
    browser = client_for(clerk)
    verifier, challenge = pkce()
    assert exchange(water, code_from(consent(browser, authorize_url(water, challenge))), verifier).status_code == 200

    browser.get("/accounts/sessions/")
    assert browser.post("/accounts/sign-out/", {"csrfmiddlewaretoken": browser.cookies["zt_csrf"].value}).status_code == 302
    assert list(LogoutNotice.objects.values_list("client_id", flat=True)) == [water.client.pk]  # not the system they never used
    assert backchannel.deliver(timezone.now()) == 1

    [token] = receiver.received
    keys = jwk.JWKSet.from_json(Client().get("/sso/.well-known/jwks.json").content.decode())
    claims = json.loads(jwt.JWT(jwt=token, key=keys, algs=["RS256"],
                                check_claims={"iss": "http://testserver/sso", "aud": water.client_id}).claims)
    assert claims["sub"] == str(clerk.pk) and claims["events"] == {backchannel.EVENT: {}} and "nonce" not in claims
    assert silent.client_id not in token
    assert AuditRecord.objects.filter(action="sso.backchannel_logout_queued", actor_id=clerk.pk).count() == 1


def test_a_refused_notice_is_tried_again_later_and_says_why(clerk: Any, sysadmin: Any, client_for: Any, receiver: Receiver) -> None:
    water = register(sysadmin, backchannel_logout_uri=f"http://127.0.0.1:{receiver.server_address[1]}/bc")
    browser = client_for(clerk)
    verifier, challenge = pkce()
    exchange(water, code_from(consent(browser, authorize_url(water, challenge))), verifier)
    browser.get("/accounts/sessions/")
    browser.post("/accounts/sign-out/", {"csrfmiddlewaretoken": browser.cookies["zt_csrf"].value})
    receiver.status = 500
    now = timezone.now()
    assert backchannel.deliver(now) == 0
    notice = LogoutNotice.objects.get()
    assert notice.last_error == "HTTP 500" and notice.attempts == 1 and notice.next_attempt_at > now
    assert backchannel.deliver(now) == 0 and len(receiver.received) == 1  # not due yet
    receiver.status = 204
    assert backchannel.deliver(notice.next_attempt_at) == 1
    assert LogoutNotice.objects.get().delivered_at is not None


def test_a_back_channel_address_must_be_https(sysadmin: Any) -> None:
    from zhengtong.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        register(sysadmin, backchannel_logout_uri="http://water.example.gov.cn/bc")
    assert "backchannel_logout_uri" in refused.value.fields


def test_disabling_a_person_tells_each_system_when_the_issuer_is_known(clerk: Any, sysadmin: Any, client_for: Any,
                                                                       receiver: Receiver, settings: Any) -> None:
    from zhengtong.platform.accounts.services import disable_user

    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": "http://testserver/sso"}  # ZT_SITE_URL set
    water = register(sysadmin, backchannel_logout_uri=f"http://127.0.0.1:{receiver.server_address[1]}/bc")
    verifier, challenge = pkce()
    assert exchange(water, code_from(consent(client_for(clerk), authorize_url(water, challenge))), verifier).status_code == 200
    disable_user(acting_user=sysadmin, user=clerk)
    assert backchannel.deliver(timezone.now()) == 1
    [token] = receiver.received
    keys = jwk.JWKSet.from_json(Client().get("/sso/.well-known/jwks.json").content.decode())
    claims = json.loads(jwt.JWT(jwt=token, key=keys, algs=["RS256"],
                                check_claims={"iss": "http://testserver/sso", "aud": water.client_id}).claims)
    assert claims["sub"] == str(clerk.pk)
