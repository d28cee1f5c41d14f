"""The OIDC flows end to end through the provider's endpoints, and the forbidden things refused."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from jwcrypto import jwk, jwt

from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.sso.tests.conftest import (
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


def _discovery() -> dict[str, Any]:
    response = Client().get("/sso/.well-known/openid-configuration")
    assert response.status_code == 200
    return json.loads(response.content)


def _verified_claims(id_token: str, rp: RelyingParty) -> dict[str, Any]:
    keys = jwk.JWKSet.from_json(Client().get("/sso/.well-known/jwks.json").content.decode())
    token = jwt.JWT(jwt=id_token, key=keys, algs=["RS256"], check_claims={"aud": rp.client_id, "iss": _discovery()["issuer"]})
    return dict(json.loads(token.claims))


def _sign_in_tokens(user: Any, rp: RelyingParty, client_for: Any, *, scope: str = "openid profile") -> dict[str, Any]:
    verifier, challenge = pkce()
    code = code_from(consent(client_for(user), authorize_url(rp, challenge, scope=scope)))
    response = exchange(rp, code, verifier)
    assert response.status_code == 200, response.content
    return dict(json.loads(response.content))


def test_discovery_names_every_endpoint_and_the_signing_keys() -> None:
    document = _discovery()
    assert document["issuer"] == "http://testserver/sso"
    for name, path in [("authorization_endpoint", "/sso/authorize/"), ("token_endpoint", "/sso/token/"),
                       ("userinfo_endpoint", "/sso/userinfo/"), ("jwks_uri", "/sso/.well-known/jwks.json"),
                       ("end_session_endpoint", "/sso/logout/")]:
        assert document[name] == "http://testserver" + path
    assert "RS256" in document["id_token_signing_alg_values_supported"]
    assert {"openid", "profile", "departments", "posts", "roles"} <= set(document["scopes_supported"])
    assert {"departments", "roles", "name"} <= set(document["claims_supported"])
    keys = json.loads(Client().get("/sso/.well-known/jwks.json").content)["keys"]
    assert [key["kty"] for key in keys] == ["RSA"] and "d" not in keys[0]  # the public half only


def test_anonymous_is_sent_to_the_platforms_own_sign_in_page(water: RelyingParty) -> None:
    _verifier, challenge = pkce()
    response = Client().get(authorize_url(water, challenge))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/accounts/sign-in/"
    assert parse_qs(location.query)["next"][0].startswith("/sso/authorize/?")


def test_code_with_pkce_signs_in_and_the_id_token_verifies_against_the_jwks(clerk: Any, water: RelyingParty, client_for: Any) -> None:
    tokens = _sign_in_tokens(clerk, water, client_for)
    claims = _verified_claims(tokens["id_token"], water)
    assert claims["sub"] == str(clerk.pk) and claims["name"] == "王小明" and claims["preferred_username"] == "clerk"
    assert claims["nonce"] == "n-0S6"
    assert "refresh_token" in tokens
    userinfo = Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").get("/sso/userinfo/")
    assert userinfo.status_code == 200 and json.loads(userinfo.content)["sub"] == str(clerk.pk)
    issued = AuditRecord.objects.filter(action="sso.token_issued", actor_id=clerk.pk)
    assert issued.count() == 1 and "authorization_code" in issued.get().detail


def test_department_post_and_role_claims_come_with_their_scopes(clerk: Any, sysadmin: Any, water: RelyingParty, client_for: Any) -> None:
    from zhengtong.platform.directory import services as directory

    unit = directory.create_department(acting_user=sysadmin, name="市水利局", kind="unit")
    office = directory.create_department(acting_user=sysadmin, name="水资源处", parent=unit, code="water-resources")
    post = directory.create_post(acting_user=sysadmin, department=office, name="科员")
    directory.add_membership(acting_user=sysadmin, user=clerk, department=office, post=post)
    clerk.email = "clerk@example.gov.cn"
    clerk.save()

    tokens = _sign_in_tokens(clerk, water, client_for, scope="openid email departments posts roles")
    claims = _verified_claims(tokens["id_token"], water)
    assert claims["email"] == "clerk@example.gov.cn"
    assert [(d["name"], d["code"], d["primary"]) for d in claims["departments"]] == [(office.display_name, "water-resources", True)]
    assert claims["posts"] == [{"id": post.pk, "name": "科员", "department_id": office.pk}]
    assert claims["roles"] == ["staff"]
    assert "name" not in claims and "phone_number" not in claims  # profile not granted; no mobile on the account


def test_a_trusted_internal_system_skips_the_consent_page(clerk: Any, sysadmin: Any, client_for: Any) -> None:
    trusted = register(sysadmin, name="防汛指挥系统", skip_authorization=True)
    verifier, challenge = pkce()
    code = code_from(target_of(client_for(clerk).get(authorize_url(trusted, challenge))))
    assert exchange(trusted, code, verifier).status_code == 200


def test_consent_is_asked_once_per_system_while_its_token_lives(clerk: Any, water: RelyingParty, client_for: Any) -> None:
    _sign_in_tokens(clerk, water, client_for)
    _verifier, challenge = pkce()
    code_from(target_of(client_for(clerk).get(authorize_url(water, challenge))))  # straight back, no page


def test_consent_refused_returns_access_denied_and_no_code(clerk: Any, water: RelyingParty, client_for: Any) -> None:
    _verifier, challenge = pkce()
    target = consent(client_for(clerk), authorize_url(water, challenge), allow=False)
    query = parse_qs(urlsplit(target).query)
    assert target.startswith(REDIRECT) and query["error"] == ["access_denied"] and "code" not in query
    assert AuditRecord.objects.filter(action="sso.consent_refused", actor_id=clerk.pk).exists()


def test_a_redirect_uri_not_registered_is_refused_on_our_page_without_going_there(clerk: Any, water: RelyingParty,
                                                                                  client_for: Any) -> None:
    _verifier, challenge = pkce()
    url = authorize_url(water, challenge).replace("oidc%2Fcallback", "steal")
    response = client_for(clerk).get(url)
    assert response.status_code == 400
    assert b"steal" not in response.content and b'id="continue"' not in response.content


def test_pkce_is_required_and_a_wrong_verifier_gets_no_token(clerk: Any, water: RelyingParty, client_for: Any) -> None:
    _verifier, challenge = pkce()
    without = client_for(clerk).get(authorize_url(water, challenge).replace("code_challenge=", "x="))
    assert "error=invalid_request" in target_of(without)
    code = code_from(consent(client_for(clerk), authorize_url(water, challenge)))
    wrong = exchange(water, code, pkce()[0])
    assert wrong.status_code == 400 and json.loads(wrong.content)["error"] == "invalid_grant"


def test_a_code_is_good_for_its_own_client_only_and_once(clerk: Any, sysadmin: Any, water: RelyingParty, client_for: Any) -> None:
    other = register(sysadmin, name="行政审批系统")
    verifier, challenge = pkce()
    code = code_from(consent(client_for(clerk), authorize_url(water, challenge)))
    stolen = exchange(other, code, verifier, client_id=other.client_id, client_secret=other.secret)
    assert stolen.status_code == 400 and json.loads(stolen.content)["error"] == "invalid_grant"
    assert exchange(water, code, verifier, client_secret="wrong").status_code == 401
    assert exchange(water, code, verifier).status_code == 200
    assert exchange(water, code, verifier).status_code == 400  # used


def test_refresh_tokens_rotate_and_a_reused_one_is_refused(clerk: Any, water: RelyingParty, client_for: Any) -> None:
    tokens = _sign_in_tokens(clerk, water, client_for)
    data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": water.client_id,
            "client_secret": water.secret}
    fresh = Client().post("/sso/token/", data)
    assert fresh.status_code == 200
    renewed = json.loads(fresh.content)
    assert renewed["refresh_token"] != tokens["refresh_token"]
    assert Client().post("/sso/token/", data).status_code == 400  # the old one, replayed


def test_a_disabled_persons_tokens_stop_working(clerk: Any, sysadmin: Any, water: RelyingParty, client_for: Any) -> None:
    from zhengtong.platform.accounts.services import disable_user

    tokens = _sign_in_tokens(clerk, water, client_for)
    disable_user(acting_user=sysadmin, user=clerk)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").get("/sso/userinfo/").status_code == 401
    introspection = Client().post("/sso/introspect/", {"token": tokens["access_token"], "client_id": water.client_id,
                                                       "client_secret": water.secret})
    assert json.loads(introspection.content) == {"active": False}
    refresh = Client().post("/sso/token/", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                            "client_id": water.client_id, "client_secret": water.secret})
    assert refresh.status_code in (400, 401)
    assert "access_token" not in json.loads(refresh.content)


def test_a_re_enabled_person_starts_with_no_tokens(clerk: Any, sysadmin: Any, water: RelyingParty, client_for: Any) -> None:
    from zhengtong.platform.accounts.services import disable_user, enable_user

    tokens = _sign_in_tokens(clerk, water, client_for)
    disable_user(acting_user=sysadmin, user=clerk)
    enable_user(acting_user=sysadmin, user=clerk)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").get("/sso/userinfo/").status_code == 401
    refresh = Client().post("/sso/token/", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                            "client_id": water.client_id, "client_secret": water.secret})
    assert refresh.status_code in (400, 401)
    assert AuditRecord.objects.filter(action="sso.tokens_ended", actor_id=sysadmin.pk, object_id=str(clerk.pk)).exists()


def test_signing_out_everywhere_ends_the_sign_ins_to_every_system(clerk: Any, water: RelyingParty, client_for: Any) -> None:
    from zhengtong.platform.accounts.services import sign_out_everywhere

    tokens = _sign_in_tokens(clerk, water, client_for)
    sign_out_everywhere(acting_user=clerk, user=clerk)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").get("/sso/userinfo/").status_code == 401
    refresh = Client().post("/sso/token/", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                            "client_id": water.client_id, "client_secret": water.secret})
    assert refresh.status_code in (400, 401)


def test_a_code_issued_before_the_person_was_disabled_gets_no_token(clerk: Any, sysadmin: Any, water: RelyingParty,
                                                                     client_for: Any) -> None:
    from zhengtong.platform.accounts.services import disable_user

    verifier, challenge = pkce()
    code = code_from(consent(client_for(clerk), authorize_url(water, challenge)))
    disable_user(acting_user=sysadmin, user=clerk)
    assert exchange(water, code, verifier).status_code == 400


def test_revoked_and_expired_tokens_are_refused(clerk: Any, water: RelyingParty, client_for: Any) -> None:
    from oauth2_provider.models import AccessToken

    tokens = _sign_in_tokens(clerk, water, client_for)
    revoked = Client().post("/sso/revoke/", {"token": tokens["access_token"], "client_id": water.client_id, "client_secret": water.secret})
    assert revoked.status_code == 200
    assert Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").get("/sso/userinfo/").status_code == 401
    assert AuditRecord.objects.filter(action="sso.token_revoked", detail=f"account {clerk.pk}").exists()

    again = _sign_in_tokens(clerk, water, client_for)
    AccessToken.objects.filter(user=clerk).update(expires="2000-01-01T00:00:00Z")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {again['access_token']}").get("/sso/userinfo/").status_code == 401


def test_client_credentials_for_system_to_system_calls(sysadmin: Any) -> None:
    system = register(sysadmin, name="数据交换平台", authorization_grant_type="client-credentials", redirect_uris="",
                      post_logout_redirect_uris="")
    response = Client().post("/sso/token/", {"grant_type": "client_credentials", "client_id": system.client_id,
                                             "client_secret": system.secret, "scope": "openid"})
    assert response.status_code == 200, response.content
    token = json.loads(response.content)["access_token"]
    introspection = Client().post("/sso/introspect/", {"token": token, "client_id": system.client_id, "client_secret": system.secret})
    assert introspection.status_code == 200 and json.loads(introspection.content)["active"] is True
    assert Client().post("/sso/introspect/", {"token": token}).status_code in (401, 403)
    wrong = Client().post("/sso/token/", {"grant_type": "client_credentials", "client_id": system.client_id, "client_secret": "x"})
    assert wrong.status_code == 401


def test_a_public_client_signs_in_with_pkce_and_no_secret(clerk: Any, sysadmin: Any, client_for: Any) -> None:
    app = register(sysadmin, name="掌上政通", client_type="public")
    assert app.secret == ""
    verifier, challenge = pkce()
    code = code_from(consent(client_for(clerk), authorize_url(app, challenge)))
    assert exchange(app, code, verifier, client_secret="").status_code == 200


def test_rp_initiated_logout_signs_out_of_the_platform_and_ends_the_tokens(clerk: Any, water: RelyingParty, client_for: Any) -> None:
    browser = client_for(clerk)
    verifier, challenge = pkce()
    tokens = json.loads(exchange(water, code_from(consent(browser, authorize_url(water, challenge))), verifier).content)
    response = browser.get("/sso/logout/?" + "&".join([f"id_token_hint={tokens['id_token']}", "post_logout_redirect_uri=https://water.example.gov.cn/",
                                                        "state=bye"]))
    assert response.status_code == 302 and response["Location"] == "https://water.example.gov.cn/?state=bye"
    assert browser.get("/accounts/sessions/").status_code == 302  # signed out here too
    assert Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").get("/sso/userinfo/").status_code == 401
    assert AuditRecord.objects.filter(action="sso.sign_out", actor_id=clerk.pk).exists()


def test_logout_to_an_address_not_registered_is_refused(clerk: Any, water: RelyingParty, client_for: Any) -> None:
    response = client_for(clerk).get(f"/sso/logout/?client_id={water.client_id}&post_logout_redirect_uri=https://evil.example.com/")
    assert response.status_code == 400 and b"evil.example.com" not in response.content


def test_a_consent_post_with_a_tampered_redirect_uri_is_refused(clerk: Any, water: RelyingParty, client_for: Any) -> None:
    from zhengtong.platform.sso.tests.conftest import csrf_of

    browser = client_for(clerk)
    _verifier, challenge = pkce()
    page = browser.get(authorize_url(water, challenge))
    form = {field.name: field.value() or "" for field in page.context["form"] if field.is_hidden}
    response = browser.post("/sso/authorize/", {**form, "redirect_uri": "https://evil.example.com/cb", "allow": "1",
                                                "csrfmiddlewaretoken": csrf_of(page)})
    assert b"evil.example.com" not in response.content
    assert response.status_code == 400
