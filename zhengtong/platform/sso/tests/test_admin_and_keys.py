"""Registering relying parties in the back office, the person's own sign-outs by API, and key rotation."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from jwcrypto import jwk, jwt
from oauth2_provider.models import AccessToken, Application

from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.sso.tests.conftest import (
    AFTER_LOGOUT,
    REDIRECT,
    RelyingParty,
    authorize_url,
    code_from,
    consent,
    exchange,
    pkce,
    register,
    target_of,
)

pytestmark = pytest.mark.django_db

REGISTRATION = {"name": "行政审批系统", "client_type": "confidential", "authorization_grant_type": "authorization-code",
                "redirect_uris": REDIRECT, "post_logout_redirect_uris": AFTER_LOGOUT, "allowed_origins": ""}


def test_the_system_administrator_registers_a_relying_party_and_sees_its_secret_once(sysadmin: Any, clerk: Any) -> None:
    office = Client()
    office.force_login(sysadmin)
    response = office.post("/admin/oauth2_provider/application/add/", REGISTRATION)
    assert response.status_code == 302, response.content[:2000]
    client = Application.objects.get(name="行政审批系统")
    said = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert client.client_id in said
    [secret] = re.findall(r"[A-Za-z0-9_-]{64}", said)
    assert client.client_secret.startswith("argon2") and secret not in client.client_secret  # kept hashed
    assert client.algorithm == "RS256"
    created = AuditRecord.objects.get(action="sso.client_registered")
    assert created.actor_id == sysadmin.pk and "client_secret" not in json.dumps(created.changes)

    office.post(f"/admin/oauth2_provider/application/{client.pk}/change/", {**REGISTRATION, "skip_authorization": "on"})
    client.refresh_from_db()
    assert client.skip_authorization
    assert AuditRecord.objects.get(action="sso.client_changed").changes["skip_authorization"] == [False, True]

    office.post("/admin/oauth2_provider/application/", {"action": "remove", "_selected_action": [client.pk]})
    assert not Application.objects.filter(pk=client.pk).exists()
    assert AuditRecord.objects.filter(action="sso.client_removed", actor_id=sysadmin.pk).exists()

    staff = Client()
    staff.force_login(clerk)
    assert staff.get("/admin/oauth2_provider/application/add/").status_code == 302


def test_a_registration_with_an_http_redirect_is_refused_with_the_field_named(sysadmin: Any) -> None:
    office = Client()
    office.force_login(sysadmin)
    response = office.post("/admin/oauth2_provider/application/add/", {**REGISTRATION, "redirect_uris": "http://water.example.gov.cn/cb"})
    assert response.status_code == 200 and not Application.objects.exists()
    assert "redirect_uris" in response.context["adminform"].form.errors


def test_the_back_office_revokes_a_token_and_the_audit_says_whose(sysadmin: Any, clerk: Any, water: RelyingParty, client_for: Any) -> None:
    verifier, challenge = pkce()
    tokens = json.loads(exchange(water, code_from(consent(client_for(clerk), authorize_url(water, challenge))), verifier).content)
    office = Client()
    office.force_login(sysadmin)
    token = AccessToken.objects.get(user=clerk)
    office.post("/admin/oauth2_provider/accesstoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").get("/sso/userinfo/").status_code == 401
    assert AuditRecord.objects.filter(action="sso.token_revoked", actor_id=sysadmin.pk, detail=f"account {clerk.pk}").exists()


def test_a_person_lists_the_systems_they_are_signed_in_to_and_signs_out_of_one(clerk: Any, head: Any, water: RelyingParty,
                                                                               client_for: Any, api_for: Any) -> None:
    verifier, challenge = pkce()
    exchange(water, code_from(consent(client_for(clerk), authorize_url(water, challenge))), verifier)
    mine = api_for(clerk)
    listed = json.loads(mine.get("/api/sso/authorizations").content)
    assert [(item["client_id"], item["name"]) for item in listed] == [(water.client_id, "水资源管理系统")]
    assert json.loads(api_for(head).get("/api/sso/authorizations").content) == []
    assert api_for(head).delete(f"/api/sso/authorizations/{water.client_id}").status_code == 404
    assert mine.delete(f"/api/sso/authorizations/{water.client_id}").status_code == 204
    assert json.loads(mine.get("/api/sso/authorizations").content) == []
    # Consent is asked again.
    assert b'id="consent-form"' in client_for(clerk).get(authorize_url(water, pkce()[1])).content


def test_rotation_signs_with_a_new_key_and_keeps_the_old_one_published(clerk: Any, sysadmin: Any, client_for: Any,
                                                                       settings: Any) -> None:
    trusted = register(sysadmin, skip_authorization=True)

    def sign_in() -> str:
        verifier, challenge = pkce()
        code = code_from(target_of(client_for(clerk).get(authorize_url(trusted, challenge))))
        return str(json.loads(exchange(trusted, code, verifier).content)["id_token"])

    def published() -> jwk.JWKSet:
        return jwk.JWKSet.from_json(Client().get("/sso/.well-known/jwks.json").content.decode())

    def kid_of(token: str) -> str:
        return str(json.loads(jwt.JWT(jwt=token).token.objects["protected"])["kid"])

    before = sign_in()
    call_command("sso_rotate_key", stdout=io.StringIO())
    after = sign_in()
    assert kid_of(before) != kid_of(after)
    keys = published()
    assert {key["kid"] for key in keys["keys"]} == {kid_of(before), kid_of(after)}
    for token in (before, after):
        jwt.JWT(jwt=token, key=keys, algs=["RS256"])  # both still verify
    assert AuditRecord.objects.filter(action="sso.key_rotated").exists()

    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ID_TOKEN_EXPIRE_SECONDS": 0}
    call_command("sso_rotate_key", stdout=io.StringIO())
    assert kid_of(before) not in {key["kid"] for key in published()["keys"]}  # its tokens have expired: gone
