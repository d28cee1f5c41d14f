"""Personal API tokens: shown once, stored hashed, scoped, expiring, revocable."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from zhengtong.platform.accounts import services
from zhengtong.platform.accounts.models import ApiToken
from zhengtong.platform.accounts.tests.conftest import audit_actions, csrf, post
from zhengtong.platform.audit.models import AuditRecord, Outcome

PAGE = "/accounts/tokens/"
TOKEN = re.compile(r'<code id="new-token">(zt_[0-9a-f]{12}_[A-Za-z0-9_-]+)</code>')


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def create_on_page(client: Client, name: str = "report script", scopes: tuple[str, ...] = ("read",), days: int = 30) -> str:
    response = post(client, PAGE, {"name": name, "scopes": list(scopes), "days": days})
    match = TOKEN.search(response.content.decode())
    assert match, response.content.decode()
    return match.group(1)


def test_a_token_made_on_the_page_is_shown_once_and_works(browser: Any, clerk: Any) -> None:
    client = browser(clerk)
    secret = create_on_page(client)
    later = client.get(PAGE).content.decode()
    assert secret not in later and "report script" in later
    me = bearer(secret).get("/api/accounts/me")
    assert me.status_code == 200 and me.json()["username"] == "clerk"


def test_a_token_is_stored_only_as_a_hash(clerk: Any) -> None:
    token, secret = services.create_token(user=clerk, name="x", scopes=["read"], days=1)
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(secret.split("_", 2)[2] not in str(value) for value in stored.values())
    assert stored["secret_hash"] == hashlib.sha256(secret.split("_", 2)[2].encode()).hexdigest()


def test_revoking_a_token_on_the_page_makes_it_401(browser: Any, clerk: Any) -> None:
    client = browser(clerk)
    secret = create_on_page(client)
    token = ApiToken.objects.get(user=clerk)
    response = post(client, f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "has been revoked" in response.content.decode()
    assert bearer(secret).get("/api/accounts/me").status_code == 401
    assert audit_actions(Outcome.SUCCESS)[-2:] == ["accounts.token_created", "accounts.token_revoked"][-2:]


def test_an_expired_token_gets_401(clerk: Any, frozen: Any) -> None:
    _token, secret = services.create_token(user=clerk, name="x", scopes=["read"], days=1)
    assert bearer(secret).get("/api/accounts/me").status_code == 200
    frozen.shift(timedelta(days=1, seconds=1))
    response = bearer(secret).get("/api/accounts/me")
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"


def test_a_made_up_or_altered_token_gets_401(clerk: Any) -> None:
    _token, secret = services.create_token(user=clerk, name="x", scopes=["read"], days=1)
    assert bearer(secret[:-1] + ("A" if secret[-1] != "A" else "B")).get("/api/accounts/me").status_code == 401
    assert bearer("zt_000000000000_nothing").get("/api/accounts/me").status_code == 401
    assert bearer("nonsense").get("/api/accounts/me").status_code == 401


def test_a_read_only_token_cannot_change_anything(api_for: Any, clerk: Any) -> None:
    program = api_for(clerk, scopes=("read",))
    assert program.get("/api/accounts/sessions").status_code == 200
    response = program.post("/api/accounts/sessions/end-others", content_type="application/json")
    assert response.status_code == 403 and response.json()["error"] == "insufficient_scope"


def test_a_write_only_token_cannot_read(api_for: Any, clerk: Any) -> None:
    response = api_for(clerk, scopes=("write",)).get("/api/accounts/me")
    assert response.status_code == 403 and response.json()["error"] == "insufficient_scope"


def test_nobody_can_revoke_another_persons_token(browser: Any, api_for: Any, clerk: Any, head: Any) -> None:
    theirs, _secret = services.create_token(user=head, name="x", scopes=["read"], days=1)
    assert post(browser(clerk), f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert api_for(clerk).delete(f"/api/accounts/tokens/{theirs.pk}").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_page_refuses_a_lifetime_over_the_limit(browser: Any, clerk: Any, settings: Any) -> None:
    settings.API_TOKEN_MAX_DAYS = 30
    response = post(browser(clerk), PAGE, {"name": "x", "scopes": ["read"], "days": 31})
    assert "A token lives between 1 and 30 days." in response.content.decode()
    assert not ApiToken.objects.exists()


# --- API -------------------------------------------------------------------------------


def test_the_api_lists_my_tokens_without_their_secrets(api_for: Any, clerk: Any, head: Any) -> None:
    services.create_token(user=head, name="theirs", scopes=["read"], days=1)
    tokens = api_for(clerk).get("/api/accounts/tokens").json()
    assert [token["name"] for token in tokens] == ["test"]
    assert "token" not in tokens[0] and "secret_hash" not in tokens[0]


def test_a_browser_creates_a_token_through_the_api_with_a_csrf_token(browser: Any, clerk: Any) -> None:
    client = browser(clerk)
    payload = {"name": "sync", "scopes": ["read", "write"], "days": 7}
    assert client.post("/api/accounts/tokens", payload, content_type="application/json").status_code == 403
    response = client.post("/api/accounts/tokens", payload, content_type="application/json", HTTP_X_CSRFTOKEN=csrf(client))
    assert response.status_code == 201
    body = response.json()
    assert body["scopes"] == ["read", "write"] and body["token"].startswith(f"zt_{body['prefix']}_")
    assert bearer(body["token"]).get("/api/accounts/me").status_code == 200
    record = AuditRecord.objects.filter(action="accounts.token_created").get()
    assert record.actor_name == "clerk" and body["token"] not in str(record.changes)


def test_a_token_cannot_mint_more_tokens(api_for: Any, clerk: Any) -> None:
    response = api_for(clerk).post("/api/accounts/tokens", {"name": "x", "scopes": ["read"], "days": 7}, content_type="application/json")
    assert response.status_code == 401
    assert ApiToken.objects.filter(user=clerk).count() == 1


def test_the_api_refuses_bad_token_details_and_stores_nothing(browser: Any, clerk: Any, settings: Any) -> None:
    settings.API_TOKEN_MAX_DAYS = 30
    client = browser(clerk)

    def create(payload: dict[str, Any]) -> Any:
        return client.post("/api/accounts/tokens", payload, content_type="application/json", HTTP_X_CSRFTOKEN=csrf(client))

    too_long = create({"name": "x", "scopes": ["read"], "days": 31})
    assert too_long.status_code == 422 and "days" in too_long.json()["fields"]
    assert create({"name": "x", "scopes": ["admin"], "days": 1}).status_code == 422
    assert create({"name": "x", "scopes": [], "days": 1}).status_code == 422
    assert not ApiToken.objects.exists()


def test_the_api_revokes_my_token(api_for: Any, clerk: Any) -> None:
    token, secret = services.create_token(user=clerk, name="old", scopes=["read"], days=1)
    assert api_for(clerk).delete(f"/api/accounts/tokens/{token.pk}").status_code == 204
    assert bearer(secret).get("/api/accounts/me").status_code == 401
    assert AuditRecord.objects.filter(action="accounts.token_revoked", object_id=str(token.pk)).exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/api/accounts/me"), ("get", "/api/accounts/tokens"), ("post", "/api/accounts/tokens"), ("delete", "/api/accounts/tokens/1"),
     ("get", "/api/accounts/sessions"), ("delete", "/api/accounts/sessions/1"), ("post", "/api/accounts/sessions/end-others")],
)
def test_anonymous_callers_get_401(client: Client, method: str, url: str) -> None:
    assert getattr(client, method)(url).status_code == 401
