"""Helpers for the accounts tests: sign in the way a person does, through the pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from zhengtong.platform.accounts import services
from zhengtong.platform.audit.models import AuditRecord

SIGN_IN = "/accounts/sign-in/"
VERIFY = "/accounts/sign-in/verify/"


def csrf(client: Client, page: str = SIGN_IN) -> str:
    """The CSRF token a browser would have after loading ``page``."""
    if "zt_csrf" not in client.cookies:
        client.get(page)
    return client.cookies["zt_csrf"].value


def post(client: Client, url: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
    """Submit a form as a browser does: with the CSRF token from the cookie."""
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": csrf(client)}, **extra)


def submit_sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return post(client, SIGN_IN, {"username": username, "password": password}, **extra)


def current_code(user: Any) -> str:
    user.refresh_from_db()
    return pyotp.TOTP(user.mfa_secret).now()


def audit_actions(outcome: str | None = None) -> list[str]:
    records = AuditRecord.objects.order_by("pk")
    if outcome is not None:
        records = records.filter(outcome=outcome)
    return list(records.values_list("action", flat=True))


@pytest.fixture
def browser(db: Any) -> Any:
    """``browser(user=None, address=...)``: a CSRF-enforcing client, signed in through the pages."""

    def make(user: Any = None, *, address: str = "127.0.0.1", user_agent: str = "Test browser") -> Client:
        client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address, HTTP_USER_AGENT=user_agent)
        if user is not None:
            response = submit_sign_in(client, user.username)
            if response.status_code == 302 and response["Location"].startswith(VERIFY):
                response = post(client, VERIFY, {"code": current_code(user)})
            assert response.status_code == 302, response.content
        return client

    return make


def enrol(user: Any) -> list[str]:
    """Turn on two-factor for ``user``; returns the recovery codes.

    Confirmed with the previous time step's code, so the current one is still unused.
    """
    secret = pyotp.random_base32()
    code = pyotp.TOTP(secret).at(timezone.now() - timedelta(seconds=30))
    return services.enable_mfa(user=user, secret=secret, code=code)


@pytest.fixture
def frozen() -> Any:
    """A stopped clock (``frozen.shift(seconds)``), so TOTP steps and timeouts are exact."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller
