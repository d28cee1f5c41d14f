"""Brute force, scripted and bounded, in process (issue 11, part 5): sign-in, TOTP codes, API tokens.

Each run goes to the configured threshold (the defaults: 5 per account, 20 per address, 20 wrong
tokens per address) and one past it, from addresses of its own, then checks what the attacker
and what a legitimate person elsewhere get, and what the audit trail shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from zhengtong.platform.access.models import Role
from zhengtong.platform.access.services import assign_role
from zhengtong.platform.accounts import services
from zhengtong.platform.accounts.models import SignInThrottle, ThrottleScope, UserSession
from zhengtong.platform.audit.models import AuditRecord, Outcome
from zhengtong.testing.matrix import CSRF_SECRET

PASSWORD = "Zt-Brute-Force-2026!"
WRONG = "not-the-password-0"
ATTACKER = "198.51.100.7"
ELSEWHERE = "203.0.113.20"
SIGN_IN = "/accounts/sign-in/"
VERIFY = "/accounts/sign-in/verify/"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Locks are kept in the cache too, which no test's rollback undoes."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    made = {}
    for username, name in (("target", "被攻击人"), ("bystander", "同事小张")):
        made[username] = services.create_user(acting_user=None, username=username, display_name=name, password=PASSWORD,
                                              must_change_password=False)
    return made


def browser(address: str) -> Client:
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def submit(client: Client, url: str, data: dict[str, str]) -> Any:
    return client.post(url, {**data, "csrfmiddlewaretoken": CSRF_SECRET})


def sign_in(address: str, username: str, password: str = PASSWORD, client: Client | None = None) -> Any:
    return submit(client or browser(address), SIGN_IN, {"username": username, "password": password})


def message(english: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(translation.gettext(english))


LOCKED = "Too many failed attempts. Sign-in is locked for a while; an administrator can lift the lock."
INVALID = "The username or password is not correct."
WRONG_CODE = "The code is not correct."


def failures(detail: str, username: str) -> int:
    return AuditRecord.objects.filter(action="accounts.sign_in", outcome=Outcome.FAILURE, actor_name=username, detail=detail).count()


def lock_records(scope: str, key: str) -> int:
    return AuditRecord.objects.filter(action="accounts.sign_in_locked", object_repr=f"{scope}:{key}").count()


def test_wrong_passwords_lock_the_account_and_even_the_right_one_is_refused(people: dict[str, Any]) -> None:
    for attempt in range(settings.LOCKOUT_THRESHOLD):
        response = sign_in(ATTACKER, "target", f"{WRONG}{attempt}")
        assert response.status_code == 200 and message(INVALID) in response.content.decode()
    for address in (ATTACKER, ELSEWHERE):  # the account is locked wherever the right password comes from
        response = sign_in(address, "target")
        assert response.status_code == 200
        assert message(LOCKED) in response.content.decode()
    assert not UserSession.objects.filter(user=people["target"]).exists()
    # Another person, from another address, signs in as usual.
    assert sign_in(ELSEWHERE, "bystander").status_code == 302
    assert failures("bad credentials", "target") == settings.LOCKOUT_THRESHOLD
    assert set(AuditRecord.objects.filter(action="accounts.sign_in", outcome=Outcome.FAILURE).values_list("source_ip", flat=True)) \
        == {ATTACKER}
    assert lock_records(ThrottleScope.ACCOUNT, "target") == 1
    assert AuditRecord.objects.filter(action="accounts.sign_in", outcome=Outcome.DENIED, actor_name="target", detail="locked").count() == 2


def test_one_address_guessing_many_names_is_locked_for_every_name(people: dict[str, Any]) -> None:
    """Spraying: one wrong password per name, never reaching a name's own threshold."""
    names = [f"guess{number}" for number in range(settings.LOCKOUT_ADDRESS_THRESHOLD)]
    assert settings.LOCKOUT_ADDRESS_THRESHOLD > settings.LOCKOUT_THRESHOLD  # so that it is the address that locks
    for name in names:
        sign_in(ATTACKER, name, WRONG)
    response = sign_in(ATTACKER, "target")  # the right password, from the locked address
    assert message(LOCKED) in response.content.decode()
    assert not SignInThrottle.objects.filter(scope=ThrottleScope.ACCOUNT, key="target", locked_until__gt=timezone.now()).exists()
    # The same people from another address are not locked out: neither the sprayed-at names nor others.
    assert sign_in(ELSEWHERE, "target").status_code == 302
    assert sign_in(ELSEWHERE, "bystander").status_code == 302
    assert lock_records(ThrottleScope.ADDRESS, ATTACKER) == 1
    assert AuditRecord.objects.filter(action="accounts.sign_in", outcome=Outcome.FAILURE, actor_name__startswith="guess").count() \
        == len(names)


def enrol(user: Any) -> str:
    """Two-factor on for ``user``, confirmed with the previous step's code; returns the secret."""
    secret = pyotp.random_base32()
    services.enable_mfa(user=user, secret=secret, code=pyotp.TOTP(secret).at(timezone.now() - timedelta(seconds=30)))
    return secret


def wrong_code(secret: str) -> str:
    right = {pyotp.TOTP(secret).at(timezone.now() + timedelta(seconds=30 * step)) for step in (-1, 0, 1)}
    return next(code for number in range(1_000_000) if (code := f"{number:06d}") not in right)


def test_wrong_second_factor_codes_lock_the_account(people: dict[str, Any]) -> None:
    """Someone who knows the password guesses codes; signing in again with it gives no fresh run."""
    secret = enrol(people["target"])
    attacker = browser(ATTACKER)
    assert sign_in(ATTACKER, "target", client=attacker)["Location"].startswith(VERIFY)
    for attempt in range(settings.LOCKOUT_THRESHOLD):
        if attempt == settings.LOCKOUT_THRESHOLD - 2:  # the password again, just before the lock
            assert sign_in(ATTACKER, "target", client=attacker)["Location"].startswith(VERIFY)
        response = submit(attacker, VERIFY, {"code": wrong_code(secret)})
        assert response.status_code == 200
    assert message(LOCKED) in response.content.decode()
    right = submit(attacker, VERIFY, {"code": pyotp.TOTP(secret).now()})
    assert message(LOCKED) in right.content.decode()
    assert message(LOCKED) in sign_in(ELSEWHERE, "target").content.decode()  # the password step refuses too
    assert not UserSession.objects.filter(user=people["target"]).exists()
    assert sign_in(ELSEWHERE, "bystander").status_code == 302
    assert AuditRecord.objects.filter(action="accounts.sign_in", outcome=Outcome.FAILURE, actor_id=people["target"].pk,
                                      detail="wrong second factor").count() == settings.LOCKOUT_THRESHOLD
    assert lock_records(ThrottleScope.CODE, "target") == 1


def test_a_right_code_after_a_few_wrong_ones_signs_in_and_starts_the_count_afresh(people: dict[str, Any]) -> None:
    secret = enrol(people["target"])
    client = browser(ELSEWHERE)
    sign_in(ELSEWHERE, "target", client=client)
    for _attempt in range(settings.LOCKOUT_THRESHOLD - 1):
        assert message(WRONG_CODE) in submit(client, VERIFY, {"code": wrong_code(secret)}).content.decode()
    assert submit(client, VERIFY, {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert not SignInThrottle.objects.filter(scope=ThrottleScope.CODE, key="target").exists()


def api(address: str, token: str) -> Any:
    return Client(REMOTE_ADDR=address, HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/accounts/me")


def test_guessed_bearer_tokens_lock_their_address_and_a_real_token_elsewhere_still_works(people: dict[str, Any]) -> None:
    _token, real = services.create_token(user=people["bystander"], name="报表程序", scopes=["read"], days=1)
    prefix = real.split("_")[1]
    guesses = [f"zt_{prefix}_guess{number}" for number in range(settings.TOKEN_LOCKOUT_THRESHOLD // 2)]
    guesses += [f"zt_{number:012x}_guess" for number in range(settings.TOKEN_LOCKOUT_THRESHOLD - len(guesses))]
    for guess in guesses:  # a right prefix with a wrong secret, and made-up prefixes
        response = api(ATTACKER, guess)
        assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    locked = api(ATTACKER, "zt_000000000000_one-more")
    assert locked.status_code == 429
    assert locked.json() == {"error": "too_many_attempts", "fields": {}, "message": message(
        "Too many wrong API tokens came from this address. Requests with a token are refused for a while; "
        "an administrator can lift the lock.")}
    assert api(ATTACKER, real).status_code == 429  # the right token from the locked address: guessing learns nothing
    assert api(ELSEWHERE, real).status_code == 200
    assert AuditRecord.objects.filter(action="accounts.token_refused", outcome=Outcome.FAILURE, source_ip=ATTACKER).count() == len(guesses)
    assert AuditRecord.objects.filter(action="accounts.token_refused", outcome=Outcome.DENIED).count() == 2
    assert AuditRecord.objects.filter(action="accounts.token_locked", object_repr=f"{ThrottleScope.TOKEN}:{ATTACKER}").count() == 1


def test_a_token_lock_survives_a_lost_cache_and_lifts_when_an_administrator_lifts_it(people: dict[str, Any]) -> None:
    _token, real = services.create_token(user=people["bystander"], name="报表程序", scopes=["read"], days=1)
    for number in range(settings.TOKEN_LOCKOUT_THRESHOLD):
        api(ATTACKER, f"zt_{number:012x}_guess")
    cache.clear()  # a restarted process, or a Redis that was away
    assert api(ATTACKER, "zt_000000000000_again").status_code == 429  # the failure reads the database
    assert api(ATTACKER, real).status_code == 429  # and the cache knows again
    admin = services.create_user(acting_user=None, username="sysadmin", display_name="系统管理员", password=PASSWORD,
                                 must_change_password=False)
    assign_role(acting_user=None, user=admin, role=Role.objects.get(code="system_admin"))
    services.lift_lock(acting_user=admin, throttle=SignInThrottle.objects.get(scope=ThrottleScope.TOKEN, key=ATTACKER))
    assert api(ATTACKER, real).status_code == 200
